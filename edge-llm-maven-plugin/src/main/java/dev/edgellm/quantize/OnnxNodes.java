package dev.edgellm.quantize;

import dev.edgellm.onnx.Tensors;
import dev.edgellm.onnx.proto.AttributeProto;
import dev.edgellm.onnx.proto.NodeProto;
import dev.edgellm.onnx.proto.TensorProto;
import dev.edgellm.onnx.proto.TensorProto.DataType;
import dev.edgellm.util.Half;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Builders shared by the quantized weight records (package-private). */
final class OnnxNodes {
  private OnnxNodes() {}

  static final String MS_DOMAIN = "com.microsoft";

  /** A node whose INT attributes are written sorted by name, as onnx.helper.make_node does. */
  static NodeProto node(
      String opType,
      String domain,
      String name,
      List<String> inputs,
      String output,
      Map<String, Long> intAttributes) {
    NodeProto.Builder b = NodeProto.newBuilder().addAllInput(inputs).addOutput(output);
    if (name != null && !name.isEmpty()) {
      b.setName(name);
    }
    b.setOpType(opType);
    for (Map.Entry<String, Long> e : new TreeMap<>(intAttributes).entrySet()) {
      b.addAttribute(
          AttributeProto.newBuilder()
              .setName(e.getKey())
              .setI(e.getValue())
              .setType(AttributeProto.AttributeType.INT));
    }
    if (domain != null && !domain.isEmpty()) {
      b.setDomain(domain);
    }
    return b.build();
  }

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
