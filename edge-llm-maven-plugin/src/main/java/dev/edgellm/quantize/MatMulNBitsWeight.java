package dev.edgellm.quantize;

import dev.edgellm.onnx.NodeBuilder;
import dev.edgellm.onnx.Tensors;
import dev.edgellm.onnx.proto.NodeProto;
import dev.edgellm.onnx.proto.TensorProto;
import dev.edgellm.onnx.proto.TensorProto.DataType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A MatMul weight B ({@code [K, N]}) quantized to 4 bits (or 8) for {@code
 * com.microsoft.MatMulNBits}, as {@link BlockQuantizer}, {@link ScaleSearch} or {@link Int8Blocks}
 * make it. The arrays are owned by this record (not copied): do not modify them.
 *
 * @param k rows of B (input features)
 * @param n columns of B (output features)
 * @param blockSize values per block along K
 * @param symmetric symmetric (no zero points) or asymmetric
 * @param float16Scales scales are written as FLOAT16 (the weight was fp16) instead of FLOAT
 * @param q4 {@code [N, ceil(K/bs), bs/2]} packed nibbles, low nibble = even K index (8 bits: {@code
 *     [N, ceil(K/bs), bs]} bytes)
 * @param scales {@code [N, ceil(K/bs)]}
 * @param zeroPoints {@code [N, ceil(ceil(K/bs)/2)]} packed nibbles, or null when symmetric (8 bits:
 *     always symmetric, the implicit zero point 128)
 * @param bits 4, or 8 for a weight kept at 8 bits
 */
public record MatMulNBitsWeight(
    int k,
    int n,
    int blockSize,
    boolean symmetric,
    boolean float16Scales,
    byte[] q4,
    float[] scales,
    byte[] zeroPoints,
    int bits)
    implements QuantizedWeight {

  /** A 4-bit weight. */
  public MatMulNBitsWeight(
      int k,
      int n,
      int blockSize,
      boolean symmetric,
      boolean float16Scales,
      byte[] q4,
      float[] scales,
      byte[] zeroPoints) {
    this(k, n, blockSize, symmetric, float16Scales, q4, scales, zeroPoints, 4);
  }

  /** Bytes of one block's codes: {@code blockSize * bits / 8}. */
  public int blockBytes() {
    return blockSize * bits / 8;
  }

  /** Blocks per column: {@code ceil(K / blockSize)}. */
  public int blocksPerColumn() {
    return (k + blockSize - 1) / blockSize;
  }

  /** {@link QuantizedWeight#q4Name}, for callers that name this class. */
  public static String q4Name(String w) {
    return QuantizedWeight.q4Name(w);
  }

  /** {@link QuantizedWeight#scalesName}, for callers that name this class. */
  public static String scalesName(String w) {
    return QuantizedWeight.scalesName(w);
  }

  /** {@link QuantizedWeight#zeroPointsName}, for callers that name this class. */
  public static String zeroPointsName(String w) {
    return QuantizedWeight.zeroPointsName(w);
  }

  /**
   * The {@code <w>_Q4} initializer: UINT8 {@code [N, ceil(K/bs), bs * bits / 8]} (wraps {@link
   * #q4}).
   */
  public TensorProto q4Tensor(String w) {
    return Tensors.raw(
        q4Name(w), DataType.UINT8_VALUE, new long[] {n, blocksPerColumn(), blockBytes()}, q4);
  }

  /** The {@code <w>_scales} initializer: FLOAT (or FLOAT16) {@code [N, ceil(K/bs)]}. */
  public TensorProto scalesTensor(String w) {
    return OnnxNodes.scales(
        scalesName(w), new long[] {n, blocksPerColumn()}, scales, float16Scales);
  }

  /** The {@code <w>_zero_points} initializer (asymmetric only): UINT8 {@code [N, ceil(kb/2)]}. */
  public TensorProto zeroPointsTensor(String w) {
    if (zeroPoints == null) {
      throw new IllegalStateException("a symmetric weight has no zero points");
    }
    return Tensors.raw(
        zeroPointsName(w),
        DataType.UINT8_VALUE,
        new long[] {n, (blocksPerColumn() + 1) / 2},
        zeroPoints);
  }

  /** The initializers in onnxruntime's order: Q4, scales, then zero points if asymmetric. */
  @Override
  public List<TensorProto> initializers(String w) {
    List<TensorProto> out = new ArrayList<>(3);
    out.add(q4Tensor(w));
    out.add(scalesTensor(w));
    if (!symmetric) {
      out.add(zeroPointsTensor(w));
    }
    return out;
  }

  /**
   * The {@code MatMulNBits} node (domain {@code com.microsoft}, opset 1) computing {@code output =
   * input x B}: inputs {@code input, <w>_Q4, <w>_scales[, <w>_zero_points]}, attributes {@code K},
   * {@code N}, {@code bits} = 4, {@code block_size}, and {@code accuracy_level} only when non-zero
   * (as onnxruntime writes it). The model must import opset {@code com.microsoft} 1.
   *
   * @param nodeName the node's name (onnxruntime uses {@code <MatMul name>_Q4}); empty for none
   * @param accuracyLevel 0 (unset), 1 (fp32), 2 (fp16), 3 (bf16) or 4 (int8)
   */
  public NodeProto node(String nodeName, String input, String output, String w, int accuracyLevel) {
    List<String> inputs = new ArrayList<>(List.of(input, q4Name(w), scalesName(w)));
    if (!symmetric) {
      inputs.add(zeroPointsName(w));
    }
    Map<String, Long> attrs = new LinkedHashMap<>();
    attrs.put("K", (long) k);
    attrs.put("N", (long) n);
    attrs.put("bits", (long) bits);
    attrs.put("block_size", (long) blockSize);
    if (accuracyLevel != 0) {
      attrs.put("accuracy_level", (long) accuracyLevel);
    }
    return NodeBuilder.op("MatMulNBits", nodeName).ms().in(inputs).sortedInts(attrs).build(output);
  }

  /** The {@link #node} replacing the MatMul {@code original} (A = input 0) that read B as w. */
  @Override
  public NodeProto replacing(NodeProto original, String w, int accuracyLevel) {
    return node(
        QuantizedWeight.nodeName(original.getName()),
        original.getInput(0),
        original.getOutput(0),
        w,
        accuracyLevel);
  }

  /**
   * A {@code GatherBlockQuantized} node that looks rows up in this weight, for tied embeddings: the
   * token embedding {@code [vocab, hidden]} is the lm_head's B transposed, so its 4-bit form is
   * exactly this record's {@code [N, K]} data. The node reads the {@code <w>_Q4} initializer as
   * UINT8 data through {@code <w>_Q4_2d}, a {@code [N, K/2]} reshape that {@link
   * #gatherReshapeNodes} builds, with {@code bits = 4}, {@code block_size}, {@code gather_axis = 0}
   * and {@code quantize_axis = 1}; scales (and zero points) are shared as they are. Requires {@code
   * K % blockSize == 0} (no padding in the blocks).
   *
   * <p>Add the nodes of {@link #gatherReshapeNodes} before this one, and {@link
   * #gatherReshapeShape} as an initializer.
   */
  public NodeProto gatherNode(String nodeName, String indices, String output, String w) {
    if (k % blockSize != 0) {
      throw new IllegalStateException(
          "sharing needs K (" + k + ") to be a multiple of the block size " + blockSize);
    }
    return QuantizedWeight.gatherBlockQuantized(
        nodeName, q4Name(w) + "_2d", indices, w, symmetric, bits, blockSize, 0, output);
  }

  /** The INT64 initializer {@code <w>_Q4_2d_shape} = {@code [N, K * bits / 8]} for the reshape. */
  public TensorProto gatherReshapeShape(String w) {
    return Tensors.longs(
        q4Name(w) + "_2d_shape", new long[] {2}, new long[] {n, (long) k * bits / 8});
  }

  /**
   * The {@code Reshape} node {@code <w>_Q4 [N, kb, bs * bits / 8] -> <w>_Q4_2d [N, K * bits / 8]}.
   */
  public List<NodeProto> gatherReshapeNodes(String w) {
    return List.of(
        NodeBuilder.op("Reshape", q4Name(w) + "_2d_reshape")
            .in(q4Name(w), q4Name(w) + "_2d_shape")
            .build(q4Name(w) + "_2d"));
  }
}
