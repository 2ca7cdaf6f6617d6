package dev.edgellm.quantize;

import dev.edgellm.onnx.NodeBuilder;
import dev.edgellm.onnx.proto.NodeProto;
import dev.edgellm.onnx.proto.TensorProto;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A float initializer quantized to 4 bits, and the node that reads it in place of the float node: a
 * MatMul's B for {@code MatMulNBits} ({@link MatMulNBitsWeight}) or a Gather table for {@code
 * GatherBlockQuantized} ({@link GatherBlockQuantizedTable}).
 *
 * <p>The names follow onnxruntime's quantizer, and are defined here only: for a weight {@code w},
 * the initializers {@code <w>_Q4}, {@code <w>_scales} and {@code <w>_zero_points}; for a node
 * {@code n}, its replacement {@code <n>_Q4} (an unnamed node stays unnamed).
 */
public sealed interface QuantizedWeight permits MatMulNBitsWeight, GatherBlockQuantizedTable {

  /** The suffix of a quantized node's name and of its packed weight initializer's name. */
  String SUFFIX = "_Q4";

  /** Name of the packed 4-bit initializer of weight {@code w}: {@code <w>_Q4}. */
  static String q4Name(String w) {
    return w + SUFFIX;
  }

  /** Name of the scales initializer of weight {@code w}: {@code <w>_scales}. */
  static String scalesName(String w) {
    return w + "_scales";
  }

  /** Name of the zero points initializer of weight {@code w}: {@code <w>_zero_points}. */
  static String zeroPointsName(String w) {
    return w + "_zero_points";
  }

  /** Name of the node that replaces the node {@code name}: {@code <name>_Q4}, or empty if empty. */
  static String nodeName(String name) {
    return name.isEmpty() ? "" : name + SUFFIX;
  }

  /** Whether {@code initializer} is named as a packed 4-bit weight ({@code <w>_Q4}). */
  static boolean isQ4Name(String initializer) {
    return initializer.endsWith(SUFFIX);
  }

  /**
   * The one {@code GatherBlockQuantized} node builder: inputs {@code data, indices, <w>_scales[,
   * <w>_zero_points]} (zero points when asymmetric), integer attributes {@code bits} (not written
   * when 0: onnxruntime's default 4), {@code block_size}, {@code gather_axis} and {@code
   * quantize_axis} = 1, in sorted order, as onnxruntime writes them.
   *
   * @param data the packed weight's input name ({@code <w>_Q4}, or a reshape of it)
   */
  static NodeProto gatherBlockQuantized(
      String nodeName,
      String data,
      String indices,
      String w,
      boolean symmetric,
      int bits,
      int blockSize,
      int gatherAxis,
      String output) {
    List<String> inputs = new ArrayList<>(List.of(data, indices, scalesName(w)));
    if (!symmetric) {
      inputs.add(zeroPointsName(w));
    }
    Map<String, Long> attrs = new LinkedHashMap<>();
    if (bits != 0) {
      attrs.put("bits", (long) bits);
    }
    attrs.put("block_size", (long) blockSize);
    attrs.put("gather_axis", (long) gatherAxis);
    attrs.put("quantize_axis", 1L);
    return NodeBuilder.op("GatherBlockQuantized", nodeName)
        .ms()
        .in(inputs)
        .sortedInts(attrs)
        .build(output);
  }

  /** Values per block. */
  int blockSize();

  /** Symmetric (no zero points) or asymmetric. */
  boolean symmetric();

  /** The initializers for weight {@code w}, in onnxruntime's order: data, scales, zero points. */
  List<TensorProto> initializers(String w);

  /**
   * The node that replaces {@code original}, which reads this weight as the float initializer
   * {@code w}: same other input and output, named {@link #nodeName}.
   *
   * @param accuracyLevel MatMulNBits {@code accuracy_level} (0 = not written); ignored by Gather
   */
  NodeProto replacing(NodeProto original, String w, int accuracyLevel);
}
