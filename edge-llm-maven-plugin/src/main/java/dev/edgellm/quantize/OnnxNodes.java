package dev.edgellm.quantize;

import dev.edgellm.onnx.Tensors;
import dev.edgellm.onnx.proto.TensorProto;
import dev.edgellm.onnx.proto.TensorProto.DataType;
import dev.edgellm.util.Half;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Scale initializers shared by the quantized weight records (package-private). */
final class OnnxNodes {
  private OnnxNodes() {}

  /** Scales as FLOAT or FLOAT16 little-endian raw data. */
  static TensorProto scales(String name, long[] dims, float[] scales, boolean f16) {
    if (!f16) {
      return Tensors.floats(name, dims, scales);
    }
    ByteBuffer bb = ByteBuffer.allocate(scales.length * 2).order(ByteOrder.LITTLE_ENDIAN);
    for (float s : scales) {
      bb.putShort(Half.floatToHalf(s));
    }
    return Tensors.raw(name, DataType.FLOAT16_VALUE, dims, bb.array());
  }
}
