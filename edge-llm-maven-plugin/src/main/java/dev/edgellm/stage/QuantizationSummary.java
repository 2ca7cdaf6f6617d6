package dev.edgellm.stage;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.edgellm.onnx.NodeBuilder;
import dev.edgellm.onnx.proto.AttributeProto;
import dev.edgellm.onnx.proto.GraphProto;
import dev.edgellm.onnx.proto.ModelProto;
import dev.edgellm.onnx.proto.NodeProto;

/**
 * The quantization settings a model was written with, read back from its nodes: MatMulNBits' {@code
 * bits}, {@code block_size}, {@code accuracy_level}, and whether it has zero points (asymmetric);
 * how many MatMuls stayed float; whether the embeddings are GatherBlockQuantized. With weights kept
 * at 8 bits ({@code edgellm.quantize.keep}), {@code bits} and {@code blockSize} are those of the
 * narrowest MatMulNBits.
 */
public record QuantizationSummary(
    int quantizedMatMuls,
    int floatMatMuls,
    int quantizedGathers,
    int bits,
    int blockSize,
    int accuracyLevel,
    boolean symmetric) {

  /** True when at least one weight is stored in blocks of {@link #bits()} bits. */
  public boolean quantized() {
    return quantizedMatMuls > 0 || quantizedGathers > 0;
  }

  /** Reads the summary from a model's main graph. */
  public static QuantizationSummary of(ModelProto model) {
    GraphProto graph = model.getGraph();
    int nbits = 0;
    int floats = 0;
    int gathers = 0;
    int bits = 0;
    int blockSize = 0;
    int accuracy = 0;
    boolean symmetric = true;
    for (NodeProto node : graph.getNodeList()) {
      String domain = node.getDomain();
      if ("MatMulNBits".equals(node.getOpType()) && NodeBuilder.MS_DOMAIN.equals(domain)) {
        nbits++;
        int b = (int) attribute(node, "bits", 4);
        if (bits == 0 || b < bits) {
          // the main width: weights kept at 8 bits (edgellm.quantize.keep) are the exception
          bits = b;
          blockSize = (int) attribute(node, "block_size", 0);
        }
        accuracy = (int) attribute(node, "accuracy_level", 0);
        if (node.getInputCount() > 3 && !node.getInput(3).isEmpty()) {
          symmetric = false;
        }
      } else if ("GatherBlockQuantized".equals(node.getOpType())
          && NodeBuilder.MS_DOMAIN.equals(domain)) {
        gathers++;
        if (bits == 0) {
          bits = (int) attribute(node, "bits", 4);
          blockSize = (int) attribute(node, "block_size", 128);
        }
        if (node.getInputCount() > 2 && !node.getInput(2).isEmpty()) {
          symmetric = false;
        }
      } else if ("MatMul".equals(node.getOpType())
          && (domain.isEmpty() || "ai.onnx".equals(domain))) {
        floats++;
      }
    }
    return new QuantizationSummary(nbits, floats, gathers, bits, blockSize, accuracy, symmetric);
  }

  private static long attribute(NodeProto node, String name, long fallback) {
    for (AttributeProto a : node.getAttributeList()) {
      if (a.getName().equals(name)) {
        return a.getI();
      }
    }
    return fallback;
  }

  /** The {@code quantization} object of edge-llm.json; {@code null} for a float model. */
  public ObjectNode toJson() {
    if (!quantized()) {
      return null;
    }
    ObjectNode q = JsonNodeFactory.instance.objectNode();
    q.put("method", quantizedMatMuls > 0 ? "MatMulNBits" : "GatherBlockQuantized");
    q.put("bits", bits);
    q.put("blockSize", blockSize);
    q.put("symmetric", symmetric);
    q.put("accuracyLevel", accuracyLevel);
    q.put("quantizedMatMuls", quantizedMatMuls);
    q.put("floatMatMuls", floatMatMuls);
    q.put("quantizedEmbeddings", quantizedGathers > 0);
    return q;
  }
}
