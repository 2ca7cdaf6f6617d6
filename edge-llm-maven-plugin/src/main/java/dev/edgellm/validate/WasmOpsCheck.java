package dev.edgellm.validate;

import dev.edgellm.maven.Properties;
import dev.edgellm.onnx.proto.AttributeProto;
import dev.edgellm.onnx.proto.GraphProto;
import dev.edgellm.onnx.proto.NodeProto;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code ops.wasm}: no node's op is one onnxruntime-web's WASM backend lacks ({@link WasmKernels}).
 * The app falls back to WASM in browsers without WebGPU; there a model with such a node does not
 * load at all. An error by default; {@link Properties#VALIDATE_ALLOW_WEBGPU_ONLY} makes it a
 * warning for apps meant for WebGPU browsers only. The file examined is the one the declared dtype
 * names, the one Transformers.js loads on WASM (a {@code device_config.webgpu} variant is loaded on
 * WebGPU only).
 */
final class WasmOpsCheck implements Check {
  @Override
  public String id() {
    return "ops.wasm";
  }

  @Override
  public String title() {
    return "Every op has a kernel in the WASM fallback";
  }

  @Override
  public void run(ValidationContext ctx, Findings out) throws SkipCheck {
    String file = ctx.modelFile();
    Map<String, List<String>> missing = new TreeMap<>();
    visit(ctx.model().getGraph(), missing);
    out.detail("measuredOn", WasmKernels.MEASURED_ON);
    Map<String, List<String>> byLabel = new TreeMap<>();
    missing.forEach((k, v) -> byLabel.put(label(k), v));
    out.detail("missing", byLabel);
    for (Map.Entry<String, List<String>> e : missing.entrySet()) {
      List<String> nodes = e.getValue();
      String[] domainOp = e.getKey().split("::", 2);
      String message =
          label(e.getKey())
              + " has no kernel in onnxruntime-web's WASM backend ("
              + WasmKernels.MEASURED_ON
              + "): "
              + WebGpuOpsCheck.nodeList(nodes)
              + ". In browsers without WebGPU, where the app falls back to WASM, the model does"
              + " not load (\"Could not find an implementation for "
              + domainOp[1]
              + "(1) node\")";
      String fix =
          WasmKernels.fix(domainOp[0], domainOp[1])
              + "; or set "
              + Properties.VALIDATE_ALLOW_WEBGPU_ONLY
              + "=true if the app is for browsers with WebGPU only";
      if (ctx.request().allowWebGpuOnly()) {
        out.warn(file, message, fix);
      } else {
        out.error(file, message, fix);
      }
    }
  }

  /** {@code com.microsoft::Op} as {@code com.microsoft.Op}, {@code ::Op} as {@code Op}. */
  private static String label(String key) {
    return key.startsWith("::") ? key.substring(2) : key.replace("::", ".");
  }

  private static void visit(GraphProto graph, Map<String, List<String>> missing) {
    for (NodeProto node : graph.getNodeList()) {
      String domain = WebGpuKernels.normalizeDomain(node.getDomain());
      if (!WasmKernels.supports(domain, node.getOpType())) {
        List<String> nodes =
            missing.computeIfAbsent(domain + "::" + node.getOpType(), k -> new ArrayList<>());
        nodes.add(node.getName().isEmpty() ? "#" + (nodes.size() + 1) : node.getName());
      }
      for (AttributeProto a : node.getAttributeList()) {
        if (a.hasG()) {
          visit(a.getG(), missing);
        }
        for (GraphProto g : a.getGraphsList()) {
          visit(g, missing);
        }
      }
    }
  }
}
