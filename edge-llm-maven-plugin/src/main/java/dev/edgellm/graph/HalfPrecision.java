package dev.edgellm.graph;

import com.google.protobuf.ByteString;
import dev.edgellm.onnx.proto.AttributeProto;
import dev.edgellm.onnx.proto.GraphProto;
import dev.edgellm.onnx.proto.ModelProto;
import dev.edgellm.onnx.proto.NodeProto;
import dev.edgellm.onnx.proto.TensorProto;
import dev.edgellm.onnx.proto.ValueInfoProto;
import dev.edgellm.util.Half;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns a float32-activation decoder (as {@link DecoderGraphBuilder} builds it, fp32 or 4-bit
 * weights) into its q4f16 form: activations, KV cache ({@code past_key_values.*}, {@code
 * present.*}), MatMulNBits and GatherBlockQuantized scales, the other float weights and the logits
 * in float16, except the ops the {@link Fp16Policy} keeps float32.
 *
 * <p>The activations are the values that depend on a float graph input (the KV cache) or on a
 * weight lookup (an embedding Gather, GatherBlockQuantized, MatMulNBits). What is computed from the
 * integer inputs alone stays float32: the rotary angles {@code position × inv_freq} would lose
 * whole radians in float16; their cos/sin are cast to float16 where the activations use them. A
 * float32 initializer that only float16 nodes read is stored as float16 (values clamped to ±65504,
 * e.g. the attention mask's -FLT_MAX); others get a Cast. Deterministic: same graph, same bytes.
 */
public final class HalfPrecision {
  private static final int F = TensorProto.DataType.FLOAT_VALUE;
  private static final int H = TensorProto.DataType.FLOAT16_VALUE;
  private static final float HALF_MAX = 65504f;

  private final GraphProto g;
  private final Fp16Policy policy;
  private final Map<String, TensorProto> initializers = new LinkedHashMap<>();

  /** Per node: 0 = not an activation (left as it is), else the float type it computes in. */
  private final int[] precision;

  private HalfPrecision(GraphProto g, Fp16Policy policy) {
    this.g = g;
    this.policy = policy;
    for (TensorProto t : g.getInitializerList()) {
      initializers.put(t.getName(), t);
    }
    this.precision = new int[g.getNodeCount()];
  }

  /** The q4f16 form of {@code model} (see the class comment). */
  public static ModelProto convert(ModelProto model, Fp16Policy policy) {
    HalfPrecision h = new HalfPrecision(model.getGraph(), policy);
    h.classify();
    return model.toBuilder().setGraph(h.rewrite()).build();
  }

  /** Finds the activation nodes and the precision each computes in. */
  private void classify() {
    Map<String, Integer> type = new HashMap<>();
    Set<String> activations = new HashSet<>();
    for (ValueInfoProto v : g.getInputList()) {
      int t = v.getType().getTensorType().getElemType();
      type.put(v.getName(), t);
      if (t == F) {
        activations.add(v.getName());
      }
    }
    initializers.forEach((n, t) -> type.put(n, t.getDataType()));
    for (int i = 0; i < g.getNodeCount(); i++) {
      NodeProto node = g.getNode(i);
      boolean act = isWeightLookup(node);
      for (String in : node.getInputList()) {
        if (in.isEmpty()) {
          continue;
        }
        if (!type.containsKey(in)) {
          throw new IllegalStateException(
              "node " + node.getName() + " reads " + in + " before it is produced");
        }
        act |= activations.contains(in);
      }
      precision[i] = act ? (policy.keepsFp32(node.getOpType()) ? F : H) : 0;
      for (int j = 0; j < node.getOutputCount(); j++) {
        int t = outputType(node, j, type);
        type.put(node.getOutput(j), t);
        if (act && t == F) {
          activations.add(node.getOutput(j));
        }
      }
    }
  }

  private boolean isWeightLookup(NodeProto node) {
    return switch (node.getOpType()) {
      case "GatherBlockQuantized", "MatMulNBits" -> true;
      case "Gather" -> {
        TensorProto table = initializers.get(node.getInput(0));
        yield table != null && table.getDataType() == F;
      }
      default -> false;
    };
  }

  private GraphProto rewrite() {
    Map<String, Integer> cur = new HashMap<>();
    Set<String> toHalf = initializersToHalf();
    GraphProto.Builder out = g.toBuilder().clearNode().clearInitializer().clearValueInfo();
    for (TensorProto t : g.getInitializerList()) {
      TensorProto c = toHalf.contains(t.getName()) ? half(t) : t;
      out.addInitializer(c);
      cur.put(t.getName(), c.getDataType());
    }
    for (int i = 0; i < g.getInputCount(); i++) {
      ValueInfoProto v = g.getInput(i);
      if (v.getType().getTensorType().getElemType() == F) {
        v = withType(v, H);
        out.setInput(i, v);
      }
      cur.put(v.getName(), v.getType().getTensorType().getElemType());
    }
    Map<String, String> casts = new HashMap<>();
    for (int i = 0; i < g.getNodeCount(); i++) {
      NodeProto node = g.getNode(i);
      NodeProto.Builder b = node.toBuilder();
      int p = precision[i];
      if (p != 0 && readsValues(node)) {
        for (int k = 0; k < node.getInputCount(); k++) {
          String in = node.getInput(k);
          Integer t = in.isEmpty() ? null : cur.get(in);
          if (t != null && (t == F || t == H) && t != p) {
            b.setInput(k, cast(in, p, casts, cur, out));
          }
        }
      }
      if (p == H && node.getOpType().equals("Cast")) {
        for (int a = 0; a < b.getAttributeCount(); a++) {
          AttributeProto attr = b.getAttribute(a);
          if (attr.getName().equals("to") && attr.getI() == F) {
            b.setAttribute(a, attr.toBuilder().setI(H));
          }
        }
      }
      NodeProto rewritten = b.build();
      out.addNode(rewritten);
      for (int j = 0; j < rewritten.getOutputCount(); j++) {
        cur.put(rewritten.getOutput(j), outputType(rewritten, j, cur));
      }
    }
    for (int i = 0; i < g.getOutputCount(); i++) {
      ValueInfoProto v = g.getOutput(i);
      Integer t = cur.get(v.getName());
      if (t != null && t != v.getType().getTensorType().getElemType()) {
        out.setOutput(i, withType(v, t));
      }
    }
    return out.build();
  }

  /** Float initializers whose every reader computes in float16. */
  private Set<String> initializersToHalf() {
    Map<String, Set<Integer>> wanted = new HashMap<>();
    for (int i = 0; i < g.getNodeCount(); i++) {
      NodeProto node = g.getNode(i);
      for (String in : node.getInputList()) {
        TensorProto t = initializers.get(in);
        if (t != null && t.getDataType() == F) {
          int want = precision[i] == 0 || !readsValues(node) ? F : precision[i];
          wanted.computeIfAbsent(in, k -> new HashSet<>()).add(want);
        }
      }
    }
    Set<String> half = new HashSet<>();
    wanted.forEach(
        (name, wants) -> {
          if (wants.equals(Set.of(H))) {
            half.add(name);
          }
        });
    return half;
  }

  /** Whether the op reads its inputs' values (Shape and Size read only the shape). */
  private static boolean readsValues(NodeProto node) {
    return switch (node.getOpType()) {
      case "Shape", "Size", "Cast" -> false;
      default -> true;
    };
  }

  private static String cast(
      String in,
      int to,
      Map<String, String> casts,
      Map<String, Integer> cur,
      GraphProto.Builder out) {
    String key = in + (to == H ? "/to_fp16" : "/to_fp32");
    String found = casts.get(key);
    if (found != null) {
      return found;
    }
    String name = key + "/output_0";
    out.addNode(
        NodeProto.newBuilder()
            .setOpType("Cast")
            .setName(key)
            .addInput(in)
            .addOutput(name)
            .addAttribute(
                AttributeProto.newBuilder()
                    .setName("to")
                    .setType(AttributeProto.AttributeType.INT)
                    .setI(to)));
    cur.put(name, to);
    casts.put(key, name);
    return name;
  }

  /**
   * The element type of output {@code j} of {@code node}, from its inputs' types, for the ops the
   * decoder graphs use (others: the first input's type).
   */
  static int outputType(NodeProto node, int j, Map<String, Integer> type) {
    return switch (node.getOpType()) {
      case "Cast" -> (int) attribute(node, "to");
      case "Shape", "Size" -> TensorProto.DataType.INT64_VALUE;
      case "Equal", "Greater", "Less", "LessOrEqual", "GreaterOrEqual", "And", "Or", "Not" ->
          TensorProto.DataType.BOOL_VALUE;
      case "Where" -> type.get(node.getInput(1));
      case "GatherBlockQuantized" -> type.get(node.getInput(2));
      // mean and inverse standard deviation are float32 whatever the input
      case "SkipSimplifiedLayerNormalization" -> j == 1 || j == 2 ? F : type.get(node.getInput(0));
      case "SimplifiedLayerNormalization" -> j == 0 ? type.get(node.getInput(0)) : F;
      default -> type.get(node.getInput(0));
    };
  }

  private static long attribute(NodeProto node, String name) {
    for (AttributeProto a : node.getAttributeList()) {
      if (a.getName().equals(name)) {
        return a.getI();
      }
    }
    throw new IllegalStateException(node.getOpType() + " " + node.getName() + " has no " + name);
  }

  private static ValueInfoProto withType(ValueInfoProto v, int type) {
    ValueInfoProto.Builder b = v.toBuilder();
    b.getTypeBuilder().getTensorTypeBuilder().setElemType(type);
    return b.build();
  }

  /** A float32 initializer as float16, values clamped to ±65504. */
  static TensorProto half(TensorProto t) {
    ByteBuffer in;
    if (t.hasRawData()) {
      in = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    } else {
      in = ByteBuffer.allocate(4 * t.getFloatDataCount()).order(ByteOrder.LITTLE_ENDIAN);
      t.getFloatDataList().forEach(in::putFloat);
      in.flip();
    }
    int n = in.remaining() / 4;
    ByteBuffer o = ByteBuffer.allocate(2 * n).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < n; i++) {
      float v = in.getFloat();
      if (Float.isFinite(v)) {
        v = Math.max(-HALF_MAX, Math.min(HALF_MAX, v));
      }
      o.putShort(Half.floatToHalf(v));
    }
    return t.toBuilder()
        .setDataType(H)
        .clearFloatData()
        .setRawData(ByteString.copyFrom(o.array()))
        .build();
  }

  /** The names of the nodes this would keep float32 among the activations (for tests and logs). */
  public static List<String> fp32Activations(ModelProto model, Fp16Policy policy) {
    HalfPrecision h = new HalfPrecision(model.getGraph(), policy);
    h.classify();
    List<String> names = new ArrayList<>();
    for (int i = 0; i < h.precision.length; i++) {
      if (h.precision[i] == F) {
        names.add(model.getGraph().getNode(i).getName());
      }
    }
    return names;
  }
}
