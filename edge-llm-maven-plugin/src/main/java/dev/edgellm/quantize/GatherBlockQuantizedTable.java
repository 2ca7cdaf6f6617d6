package dev.edgellm.quantize;

import dev.edgellm.onnx.Tensors;
import dev.edgellm.onnx.proto.NodeProto;
import dev.edgellm.onnx.proto.TensorProto;
import dev.edgellm.onnx.proto.TensorProto.DataType;
import java.util.ArrayList;
import java.util.List;

/**
 * A Gather table ({@code [rows, cols]}, e.g. an embedding vocab x hidden) quantized to 4 bits in
 * blocks along the columns for {@code com.microsoft.GatherBlockQuantized}, as {@link
 * BlockQuantizer#quantizeTable} makes it (onnxruntime's layout). The arrays are owned by this
 * record: do not modify them.
 *
 * @param data the table as INT4 (symmetric, signed values -8..7) or UINT4 (asymmetric), packed over
 *     the flattened table, low nibble first
 * @param scales {@code [rows, ceil(cols/bs)]}
 * @param zeroPoints UINT4 {@code [rows, ceil(cols/bs)]} packed, or null when symmetric
 */
public record GatherBlockQuantizedTable(
    int rows,
    int cols,
    int blockSize,
    boolean symmetric,
    boolean float16Scales,
    byte[] data,
    float[] scales,
    byte[] zeroPoints)
    implements QuantizedWeight {

  /** Blocks per row. */
  public int blocksPerRow() {
    return (cols + blockSize - 1) / blockSize;
  }

  private int quantType() {
    return symmetric ? DataType.INT4_VALUE : DataType.UINT4_VALUE;
  }

  /**
   * The initializers {@code <t>_Q4} (INT4 or UINT4 {@code [rows, cols]}), {@code <t>_scales}
   * ({@code [rows, kb]}) and, if asymmetric, {@code <t>_zero_points} (UINT4 {@code [rows, kb]}).
   * INT4/UINT4 need the default opset to be 21 or more.
   */
  @Override
  public List<TensorProto> initializers(String t) {
    List<TensorProto> out = new ArrayList<>(3);
    out.add(Tensors.raw(QuantizedWeight.q4Name(t), quantType(), new long[] {rows, cols}, data));
    out.add(
        OnnxNodes.scales(
            QuantizedWeight.scalesName(t),
            new long[] {rows, blocksPerRow()},
            scales,
            float16Scales));
    if (!symmetric) {
      out.add(
          Tensors.raw(
              QuantizedWeight.zeroPointsName(t),
              quantType(),
              new long[] {rows, blocksPerRow()},
              zeroPoints));
    }
    return out;
  }

  /**
   * The {@code GatherBlockQuantized} node: inputs {@code <t>_Q4, indices, <t>_scales[,
   * <t>_zero_points]}, attributes {@code block_size}, {@code gather_axis}, {@code quantize_axis} =
   * 1, as onnxruntime writes them.
   */
  public NodeProto node(String nodeName, String indices, String output, String t, int gatherAxis) {
    return QuantizedWeight.gatherBlockQuantized(
        nodeName,
        QuantizedWeight.q4Name(t),
        indices,
        t,
        symmetric,
        0,
        blockSize,
        gatherAxis,
        output);
  }

  /**
   * The {@link #node} replacing the Gather {@code original} (axis 0, indices = input 1) that read
   * the table as {@code t}.
   */
  @Override
  public NodeProto replacing(NodeProto original, String t, int accuracyLevel) {
    return node(
        QuantizedWeight.nodeName(original.getName()),
        original.getInput(1),
        original.getOutput(0),
        t,
        0);
  }
}
