package dev.edgellm.validate;

import dev.edgellm.onnx.proto.ModelProto;

/** {@code model.parses}: the model parses as an ONNX ModelProto with a non-empty graph. */
final class ModelParsesCheck implements Check {
  @Override
  public String id() {
    return "model.parses";
  }

  @Override
  public String title() {
    return "Model parses as ONNX";
  }

  @Override
  public void run(ValidationContext ctx, Findings out) throws SkipCheck {
    String file = ctx.modelFile();
    String error = ctx.modelParseError();
    if (error != null) {
      out.error(
          file,
          file + ": " + error,
          "Export and quantize again; a truncated copy also looks like this");
      return;
    }
    ModelProto model = ctx.model();
    if (model.getGraph().getNodeCount() == 0 || model.getGraph().getOutputCount() == 0) {
      out.error(file, file + " has an empty graph", "Export again");
    }
    out.detail("irVersion", model.getIrVersion());
    out.detail("producer", (model.getProducerName() + " " + model.getProducerVersion()).trim());
    out.detail("nodes", model.getGraph().getNodeCount());
    out.detail("initializers", model.getGraph().getInitializerCount());
  }
}
