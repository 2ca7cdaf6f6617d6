package dev.edgellm.validate;

import dev.edgellm.onnx.NodeBuilder;
import java.util.HashMap;
import java.util.Map;

/**
 * The ops onnxruntime-web's WebGPU execution provider (onnxruntime 1.30 generation) has kernels
 * for: a node whose op is not here runs on the CPU (WASM) between GPU ops, copying tensors back and
 * forth.
 *
 * <p>Written from the kernel registrations in onnxruntime's {@code
 * onnxruntime/core/providers/webgpu/webgpu_execution_provider.cc} (ONNX domain) and {@code
 * onnxruntime/contrib_ops/webgpu/webgpu_contrib_kernels.cc} ({@code com.microsoft}); each op with
 * the opset range its kernels cover. Internal NHWC variants and Memcpy are left out. Some kernels
 * accept only some element types (Clip: float and float16; Range, Cast, Unsqueeze, Expand: int64
 * only with the provider's int64 option); that is below this list's resolution.
 */
public final class WebGpuKernels {
  private WebGpuKernels() {}

  private record Range(int from, int to) {}

  private static final Map<String, Range> KERNELS = new HashMap<>();

  private static void onnx(int from, String... ops) {
    for (String op : ops) {
      KERNELS.put(key("", op), new Range(from, Integer.MAX_VALUE));
    }
  }

  private static void onnx(int from, int to, String op) {
    KERNELS.put(key("", op), new Range(from, to));
  }

  private static void ms(String... ops) {
    for (String op : ops) {
      KERNELS.put(key(NodeBuilder.MS_DOMAIN, op), new Range(1, Integer.MAX_VALUE));
    }
  }

  static {
    // unary math
    onnx(
        6,
        "Abs",
        "Neg",
        "Floor",
        "Ceil",
        "Reciprocal",
        "Sqrt",
        "Exp",
        "Sigmoid",
        "HardSigmoid",
        "Log",
        "Tanh");
    onnx(9, "Erf");
    onnx(7, "Sin", "Cos", "Tan", "Asin", "Acos", "Atan");
    onnx(9, "Sinh", "Cosh", "Asinh", "Acosh", "Atanh");
    onnx(1, "Not");
    // activations
    onnx(11, "Clip");
    onnx(6, "Elu", "Relu", "LeakyRelu");
    onnx(10, "ThresholdedRelu");
    onnx(20, "Gelu");
    onnx(1, "Softplus");
    // binary math and logic
    onnx(7, "Add", "Sub", "Mul", "Div", "Pow", "Equal", "Greater", "Less", "And");
    onnx(12, "GreaterOrEqual", "LessOrEqual");
    onnx(9, "Where");
    // shape and data movement
    onnx(
        1,
        "Shape",
        "Identity",
        "Squeeze",
        "Unsqueeze",
        "Transpose",
        "Concat",
        "Split",
        "Gather",
        "Slice",
        "Flatten");
    onnx(5, "Reshape");
    onnx(6, "Cast", "Tile");
    onnx(8, "Expand");
    onnx(
        11,
        "GatherElements",
        "GatherND",
        "ScatterND",
        "ScatterElements",
        "DepthToSpace",
        "Range",
        "CumSum");
    onnx(2, "Pad");
    onnx(1, "If");
    onnx(1, "TopK");
    // reductions
    onnx(
        1,
        "ReduceMax",
        "ReduceMean",
        "ReduceMin",
        "ReduceProd",
        "ReduceSum",
        "ReduceL1",
        "ReduceL2",
        "ReduceLogSum",
        "ReduceSumSquare",
        "ReduceLogSumExp",
        "ArgMax",
        "ArgMin");
    // linear algebra, normalization
    onnx(1, "MatMul", "Softmax", "LpNormalization", "InstanceNormalization");
    onnx(7, "Gemm", "BatchNormalization");
    onnx(12, "Einsum");
    onnx(
        1,
        "LayerNormalization"); // 1-16 registered as a contrib kernel in the ONNX domain, 17+ as the
    // ONNX op
    onnx(1, "SimplifiedLayerNormalization"); // onnxruntime's RMSNorm, registered in the ONNX domain
    onnx(23, "RMSNormalization", "RotaryEmbedding");
    onnx(10, "DequantizeLinear");
    // convolution, pooling, resize
    onnx(1, "Conv", "ConvTranspose", "MaxPool", "GlobalAveragePool", "GlobalMaxPool");
    onnx(7, "AveragePool");
    onnx(10, "Resize");
    onnx(16, 19, "GridSample");

    ms(
        "Attention",
        "BiasAdd",
        "BiasGelu",
        "BiasSplitGelu",
        "FastGelu",
        "FusedConv",
        "GatherBlockQuantized",
        "Gelu",
        "GroupQueryAttention",
        "MatMulNBits",
        "MultiHeadAttention",
        "QuickGelu",
        "RotaryEmbedding",
        "SkipLayerNormalization",
        "SkipSimplifiedLayerNormalization",
        "QMoE");
  }

  private static String key(String domain, String op) {
    return normalizeDomain(domain) + "::" + op;
  }

  /** {@code ""} and {@code ai.onnx} are the same (default) domain. */
  public static String normalizeDomain(String domain) {
    return domain == null || domain.equals("ai.onnx") ? "" : domain;
  }

  /**
   * True when WebGPU has a kernel for {@code op} of {@code domain} at the model's {@code opset} for
   * that domain.
   */
  public static boolean supports(String domain, String op, long opset) {
    Range r = KERNELS.get(key(domain, op));
    return r != null && opset >= r.from() && opset <= r.to();
  }

  /**
   * What a WebGPU kernel that exists would get wrong for this node, or null. onnxruntime-web's
   * GroupQueryAttention reads {@code softcap} but its attention shaders never apply it (read from
   * {@code contrib_ops/webgpu/bert/attention.cc} and {@code flash_attention.cc}; the 1.31 dev WASM
   * build Transformers.js 4.3.1 ships holds no soft-capping shader code): the scores go uncapped
   * and the logits differ from the model's, silently.
   */
  public static String wrongResult(String domain, dev.edgellm.onnx.proto.NodeProto node) {
    if (NodeBuilder.MS_DOMAIN.equals(normalizeDomain(domain))
        && node.getOpType().equals("GroupQueryAttention")) {
      for (dev.edgellm.onnx.proto.AttributeProto a : node.getAttributeList()) {
        if (a.getName().equals("softcap") && a.getF() != 0f) {
          return "GroupQueryAttention with softcap "
              + a.getF()
              + ": WebGPU's kernel ignores softcap, so attention runs uncapped";
        }
      }
    }
    return null;
  }

  /** True when the op has a WebGPU kernel at some opset. */
  public static boolean knows(String domain, String op) {
    return KERNELS.containsKey(key(domain, op));
  }
}
