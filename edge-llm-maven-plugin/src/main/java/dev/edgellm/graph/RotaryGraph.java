package dev.edgellm.graph;

import dev.edgellm.onnx.NodeBuilder;
import dev.edgellm.onnx.proto.TensorProto;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Rotary position embedding in the graph: cos/sin caches per distinct {@link DecoderSpec.Rotary},
 * shared by the layers that use it, and, where GroupQueryAttention's fused rotary cannot be used
 * (partial rotary, head sizes its kernels refuse), the rotation itself in plain ONNX ops applied to
 * q and k before attention, as transformers' {@code apply_rotary_pos_emb} does it.
 */
final class RotaryGraph {
  private static final TensorProto.DataType F = TensorProto.DataType.FLOAT;

  /** The caches of one rotary variant; {@code cosAt}/{@code sinAt} are gathered at positions. */
  record Caches(String cos, String sin, String prefix, int dim) {}

  private final GraphBuilder g;
  private final String totalInt32;
  private final Map<DecoderSpec.Rotary, Caches> caches = new LinkedHashMap<>();
  private final Map<Caches, String[]> gathered = new LinkedHashMap<>();
  private String positions;

  RotaryGraph(GraphBuilder g, String totalInt32) {
    this.g = g;
    this.totalInt32 = totalInt32;
  }

  /**
   * cos/sin caches [total_sequence_length, dim/2] computed in the graph from float32 inverse
   * frequencies: {@code cos(position * inv_freq)}, as transformers computes them. Longrope selects
   * the long factors' frequencies when the sequence is longer than the original context, and scales
   * cos and sin by its attention factor.
   */
  Caches caches(DecoderSpec.Rotary r) {
    Caches found = caches.get(r);
    if (found != null) {
      return found;
    }
    int index = caches.size();
    String n = "/model/rotary_emb" + (index == 0 ? "" : "_" + index);
    String invFreq;
    String total =
        g.op("Cast", n + "/total_len")
            .in(totalInt32)
            .attr("to", (long) TensorProto.DataType.FLOAT_VALUE)
            .out();
    if (r.rope().type().equals("longrope")) {
      float[] shortInv = Rope.longrope(r.rope(), r.dim(), false);
      float[] longInv = Rope.longrope(r.rope(), r.dim(), true);
      long[] dims = {1, shortInv.length};
      String s = g.float32(n + "/inv_freq_short", dims, shortInv);
      String l = g.float32(n + "/inv_freq_long", dims, longInv);
      String orig =
          g.float32(
              n + "/original_max_position_embeddings",
              new long[0],
              (float) r.rope().originalMaxPositionEmbeddings());
      String beyond = g.op("Greater", n + "/Greater").in(total, orig).out();
      invFreq = g.op("Where", n + "/inv_freq").in(beyond, l, s).out();
    } else {
      float[] inv = Rope.invFreq(r.rope(), r.dim());
      invFreq = g.float32(n + "/inv_freq", new long[] {1, inv.length}, inv);
    }
    String zero = g.float32(n + "/zero", new long[0], 0f);
    String oneF = g.float32(n + "/one", new long[0], 1f);
    String range = g.op("Range", n + "/Range").in(zero, total, oneF).out();
    String axes = g.int64(n + "/axes", false, 1);
    String pos = g.op("Unsqueeze", n + "/Unsqueeze").in(range, axes).out();
    String freqs = g.op("Mul", n + "/Mul").in(pos, invFreq).out();
    String cos = g.op("Cos", n + "/Cos").in(freqs).out();
    String sin = g.op("Sin", n + "/Sin").in(freqs).out();
    float factor = Rope.attentionFactor(r.rope());
    if (factor != 1f) {
      String f = g.float32(n + "/attention_factor", new long[0], factor);
      cos = g.op("Mul", n + "/Cos/Mul").in(cos, f).out();
      sin = g.op("Mul", n + "/Sin/Mul").in(sin, f).out();
    }
    Caches c = new Caches(cos, sin, n, r.dim());
    caches.put(r, c);
    return c;
  }

  /**
   * Rotates the first {@code c.dim()} channels of each head of {@code x} [b, s, heads * headDim]:
   * {@code x1 * cos - x2 * sin} and {@code x2 * cos + x1 * sin} for the two halves, the rest passed
   * through.
   */
  String rotate(String x, Caches c, int heads, int headDim, String n) {
    String[] cs = gathered(c);
    String shape4 = g.int64(n + "/shape4", false, 0, 0, heads, headDim);
    String x4 = g.op("Reshape", n + "/Reshape").in(x, shape4).out();
    int half = c.dim() / 2;
    String[] parts;
    if (c.dim() < headDim) {
      String split = g.int64(n + "/split", false, half, half, headDim - c.dim());
      parts = g.op("Split", n + "/Split").in(x4, split).attr("axis", -1L).outs(3);
    } else {
      String split = g.int64(n + "/split", false, half, half);
      parts = g.op("Split", n + "/Split").in(x4, split).attr("axis", -1L).outs(2);
    }
    String x1 = parts[0];
    String x2 = parts[1];
    String x1c = g.op("Mul", n + "/x1_cos").in(x1, cs[0]).out();
    String x2s = g.op("Mul", n + "/x2_sin").in(x2, cs[1]).out();
    String x2c = g.op("Mul", n + "/x2_cos").in(x2, cs[0]).out();
    String x1s = g.op("Mul", n + "/x1_sin").in(x1, cs[1]).out();
    String o1 = g.op("Sub", n + "/Sub").in(x1c, x2s).out();
    String o2 = g.op("Add", n + "/Add").in(x2c, x1s).out();
    NodeBuilder cat = g.op("Concat", n + "/Concat").attr("axis", -1L);
    String y = (parts.length == 3 ? cat.in(o1, o2, parts[2]) : cat.in(o1, o2)).out();
    String shape3 = g.int64(n + "/shape3", false, 0, 0, (long) heads * headDim);
    return g.op("Reshape", n + "/Reshape_1").in(y, shape3).out();
  }

  /** cos/sin at each token's position, [b, s, 1, dim/2], once per cache. */
  private String[] gathered(Caches c) {
    String[] found = gathered.get(c);
    if (found != null) {
      return found;
    }
    String p = positions();
    String axes = g.int64(c.prefix() + "/head_axis", false, 2);
    String cos = g.op("Gather", c.prefix() + "/cos_at").in(c.cos(), p).attr("axis", 0L).out();
    String sin = g.op("Gather", c.prefix() + "/sin_at").in(c.sin(), p).attr("axis", 0L).out();
    String[] out = {
      g.op("Unsqueeze", c.prefix() + "/cos_at/Unsqueeze").in(cos, axes).out(),
      g.op("Unsqueeze", c.prefix() + "/sin_at/Unsqueeze").in(sin, axes).out()
    };
    gathered.put(c, out);
    return out;
  }

  /**
   * Positions [b, s] derived from {@code attention_mask} as GroupQueryAttention derives them: the
   * new tokens are the last {@code s} of each row's {@code ReduceSum(attention_mask)}.
   */
  String positions() {
    if (positions != null) {
      return positions;
    }
    String n = "/model/positions";
    String axes = g.int64(n + "/axes", false, 1);
    String sum =
        g.op("ReduceSum", n + "/ReduceSum").in("attention_mask", axes).attr("keepdims", 1L).out();
    String shape = g.op("Shape", n + "/Shape").in("input_ids").out();
    String idx = g.int64(n + "/dim1", true, 1);
    String s = g.op("Gather", n + "/seq_len").in(shape, idx).attr("axis", 0L).out();
    String start = g.op("Sub", n + "/start").in(sum, s).out();
    String zero = g.int64(n + "/zero", true, 0);
    String one = g.int64(n + "/one", true, 1);
    String range = g.op("Range", n + "/Range").in(zero, s, one).out();
    positions = g.op("Add", n + "/Add").in(start, range).out();
    return positions;
  }
}
