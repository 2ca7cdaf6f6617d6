package dev.edgellm.validate;

import java.util.List;

/**
 * {@code model.embedded}: every weight is inside the model file: no tensor refers to external data
 * and no external data file lies beside it (browsers cannot mount such files).
 */
final class ModelEmbeddedCheck implements Check {
  @Override
  public String id() {
    return "model.embedded";
  }

  @Override
  public String title() {
    return "Model is one embedded file (no external data)";
  }

  @Override
  public void run(ValidationContext ctx, Findings out) throws SkipCheck {
    String file = ctx.modelFile();
    for (String f : ctx.listOnnxFolder()) {
      if (!f.endsWith(".onnx")) {
        String lower = f.toLowerCase(java.util.Locale.ROOT);
        if (lower.endsWith("data") || lower.contains(".onnx.") || lower.contains(".onnx_")) {
          out.error(
              f,
              f
                  + " looks like an external data file: the browser cannot mount it, so weights in it never load",
              "Stage a model written as one embedded file (the quantize goal writes one) and delete "
                  + f);
        }
      }
    }
    List<java.nio.file.Path> external = ctx.externalFiles();
    long bytes = ctx.externalDataBytes();
    out.detail("externalDataBytes", bytes);
    if (!external.isEmpty()) {
      List<String> names = external.stream().map(p -> p.getFileName().toString()).toList();
      out.error(
          file,
          file
              + " keeps "
              + bytes
              + " bytes of weights in external data ("
              + String.join(", ", names)
              + "): the browser cannot mount external data files",
          "Write the model as one embedded file under 2 GiB (the quantize goal does), then stage again");
    }
  }
}
