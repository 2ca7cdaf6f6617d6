package dev.edgellm.validate;

import dev.edgellm.onnx.NodeBuilder;
import dev.edgellm.onnx.proto.ModelProto;
import dev.edgellm.onnx.proto.NodeProto;
import dev.edgellm.onnx.proto.OperatorSetIdProto;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code model.opset}: the model imports the ONNX domain at an opset onnxruntime-web 1.30 runs
 * (7..{@value #MAX_ONNX_OPSET}), imports every domain its nodes use, and uses no domain other than
 * ONNX and {@code com.microsoft} (onnxruntime-web has no kernels for others).
 */
final class OpsetCheck implements Check {
  /** The newest ONNX opset onnxruntime 1.30 has kernels registered for. */
  static final int MAX_ONNX_OPSET = 25;

  /** The newest IR version this check knows onnxruntime 1.30 reads. */
  static final int MAX_IR_VERSION = 12;

  @Override
  public String id() {
    return "model.opset";
  }

  @Override
  public String title() {
    return "Opset imports are ones onnxruntime-web runs";
  }

  @Override
  public void run(ValidationContext ctx, Findings out) throws SkipCheck {
    String file = ctx.modelFile();
    ModelProto model = ctx.model();
    Map<String, Long> imports = imports(model);
    Map<String, Long> shown = new TreeMap<>();
    imports.forEach((d, v) -> shown.put(d.isEmpty() ? "ai.onnx" : d, v));
    out.detail("opsets", shown);
    Long onnx = imports.get("");
    if (onnx == null) {
      out.error(
          file,
          file + " imports no ONNX opset",
          "Export again: every model needs an opset_import for the ONNX domain");
    } else if (onnx < 7 || onnx > MAX_ONNX_OPSET) {
      out.error(
          file,
          file
              + " imports ONNX opset "
              + onnx
              + "; onnxruntime-web 1.30 runs opsets 7 to "
              + MAX_ONNX_OPSET,
          "Export with an opset between 17 and 21");
    }
    for (Map.Entry<String, Long> e : imports.entrySet()) {
      String domain = e.getKey();
      if (!domain.isEmpty() && !domain.equals(NodeBuilder.MS_DOMAIN)) {
        out.error(
            file,
            file
                + " imports domain '"
                + domain
                + "' (version "
                + e.getValue()
                + "), which onnxruntime-web has no kernels for",
            "Export without custom ops");
      } else if (domain.equals(NodeBuilder.MS_DOMAIN) && e.getValue() != 1) {
        out.error(
            file,
            file
                + " imports com.microsoft version "
                + e.getValue()
                + "; onnxruntime's contrib ops are version 1",
            "Set the com.microsoft opset_import to 1");
      }
    }
    for (NodeProto node : model.getGraph().getNodeList()) {
      String domain = WebGpuKernels.normalizeDomain(node.getDomain());
      if (!imports.containsKey(domain)) {
        out.error(
            file,
            "Node "
                + node.getName()
                + " ("
                + node.getOpType()
                + ") uses domain '"
                + domain
                + "', which the model does not import",
            "Add an opset_import for '" + domain + "'");
        break;
      }
    }
    if (model.getIrVersion() > MAX_IR_VERSION) {
      out.warn(
          file,
          file
              + " has IR version "
              + model.getIrVersion()
              + ", newer than this check knows onnxruntime 1.30 reads ("
              + MAX_IR_VERSION
              + ")",
          "Write IR version 10 or lower unless a newer one is needed");
    }
  }

  static Map<String, Long> imports(ModelProto model) {
    Map<String, Long> imports = new TreeMap<>();
    for (OperatorSetIdProto o : model.getOpsetImportList()) {
      imports.put(WebGpuKernels.normalizeDomain(o.getDomain()), o.getVersion());
    }
    return imports;
  }
}
