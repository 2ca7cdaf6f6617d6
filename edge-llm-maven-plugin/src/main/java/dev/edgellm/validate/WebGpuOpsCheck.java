package dev.edgellm.validate;

import dev.edgellm.maven.Properties;
import dev.edgellm.onnx.proto.AttributeProto;
import dev.edgellm.onnx.proto.GraphProto;
import dev.edgellm.onnx.proto.ModelProto;
import dev.edgellm.onnx.proto.NodeProto;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code ops.webgpu}: every node's op has a kernel in onnxruntime-web 1.30's WebGPU execution
 * provider ({@link WebGpuKernels}); nodes that would fall back to the CPU are named, and nodes
 * whose attributes the kernel would silently ignore ({@link WebGpuKernels#wrongResult}) fail.
 */
final class WebGpuOpsCheck implements Check {
  @Override
  public String id() {
    return "ops.webgpu";
  }

  @Override
  public String title() {
    return "Every op has a WebGPU kernel";
  }

  @Override
  public void run(ValidationContext ctx, Findings out) throws SkipCheck {
    String file = ctx.modelFile();
    ModelProto model = ctx.model();
    Map<String, Long> imports = OpsetCheck.imports(model);
    Map<String, Integer> histogram = new TreeMap<>();
    Map<String, List<String>> missing = new TreeMap<>();
    Map<String, List<String>> wrong = new TreeMap<>();
    visit(model.getGraph(), imports, histogram, missing, wrong);
    out.detail("ops", histogram);
    for (Map.Entry<String, List<String>> e : wrong.entrySet()) {
      List<String> nodes = e.getValue();
      out.error(
          file,
          e.getKey()
              + " ("
              + nodes.size()
              + " node"
              + (nodes.size() == 1 ? "" : "s")
              + ", e.g. "
              + nodes.get(0)
              + "): the model computes something else in the browser",
          "Export attention logit soft-capping in plain ops (the export goal does so for gemma2);"
              + " no setting accepts wrong results");
    }
    for (Map.Entry<String, List<String>> e : missing.entrySet()) {
      List<String> nodes = e.getValue();
      String message =
          e.getKey()
              + " has no WebGPU kernel in onnxruntime-web 1.30: "
              + nodeList(nodes)
              + " would run on the CPU, copying tensors between GPU and CPU each step";
      String fix =
          "Export with ops WebGPU runs (see WebGpuKernels), or set "
              + Properties.VALIDATE_ALLOW_CPU_FALLBACK
              + " to accept the slowdown";
      if (ctx.request().allowCpuFallback()) {
        out.warn(file, message, fix);
      } else {
        out.error(file, message, fix);
      }
    }
  }

  private static void visit(
      GraphProto graph,
      Map<String, Long> imports,
      Map<String, Integer> histogram,
      Map<String, List<String>> missing,
      Map<String, List<String>> wrong) {
    for (NodeProto node : graph.getNodeList()) {
      String domain = WebGpuKernels.normalizeDomain(node.getDomain());
      String label = (domain.isEmpty() ? "" : domain + ".") + node.getOpType();
      histogram.merge(label, 1, Integer::sum);
      long opset = imports.getOrDefault(domain, -1L);
      if (!WebGpuKernels.supports(domain, node.getOpType(), opset)) {
        String name = node.getName().isEmpty() ? "#" + histogram.get(label) : node.getName();
        String key =
            WebGpuKernels.knows(domain, node.getOpType())
                ? label + " (at opset " + opset + ")"
                : label;
        missing.computeIfAbsent(key, k -> new ArrayList<>()).add(name);
      }
      String problem = WebGpuKernels.wrongResult(domain, node);
      if (problem != null) {
        wrong.computeIfAbsent(problem, k -> new ArrayList<>()).add(node.getName());
      }
      for (AttributeProto a : node.getAttributeList()) {
        if (a.hasG()) {
          visit(a.getG(), imports, histogram, missing, wrong);
        }
        for (GraphProto g : a.getGraphsList()) {
          visit(g, imports, histogram, missing, wrong);
        }
      }
    }
  }

  /** {@code 2 nodes (a, b)}: how many, and the first five names. */
  static String nodeList(List<String> nodes) {
    return nodes.size()
        + " node"
        + (nodes.size() == 1 ? "" : "s")
        + " ("
        + String.join(", ", nodes.subList(0, Math.min(5, nodes.size())))
        + (nodes.size() > 5 ? ", ..." : "")
        + ")";
  }
}
