package dev.edgellm.graph;

import java.util.HashMap;
import java.util.Map;

/**
 * Grouped-query attention with a KV cache in plain ONNX ops, for what GroupQueryAttention cannot be
 * trusted with: attention logit soft-capping, whose {@code softcap} attribute onnxruntime-web's
 * WebGPU kernel accepts but does not apply (onnxruntime 1.30). Written as transformers' eager
 * attention: {@code softmax(cap * tanh(q·kᵀ * scale / cap) + mask) · v}, with the causal,
 * sliding-window and padding mask derived from {@code attention_mask} like the rest of the graph.
 */
final class EagerAttention {
  private static final float MIN = -Float.MAX_VALUE;

  private final GraphBuilder g;
  private final RotaryGraph rotary;
  private final int heads;
  private final int kvHeads;
  private final int headDim;
  private final Map<Integer, String> masks = new HashMap<>();

  EagerAttention(GraphBuilder g, RotaryGraph rotary, int heads, int kvHeads, int headDim) {
    this.g = g;
    this.rotary = rotary;
    this.heads = heads;
    this.kvHeads = kvHeads;
    this.headDim = headDim;
  }

  /**
   * Attention of q [b, s, heads * d] over the past and new k, v [b, s, kvHeads * d] (q and k
   * already rotated); writes {@code present.{i}.key|value} and returns [b, s, heads * d].
   */
  String attend(int i, String n, String q, String k, String v, int window, float scale, float cap) {
    String q4 = heads(q, heads, n + "/q");
    String k4 = heads(k, kvHeads, n + "/k");
    String v4 = heads(v, kvHeads, n + "/v");
    String pk = "past_key_values." + i + ".key";
    String pv = "past_key_values." + i + ".value";
    String keys =
        g.op("Concat", n + "/present_key")
            .in(pk, k4)
            .attr("axis", 2L)
            .outNamed("present." + i + ".key")[0];
    String values =
        g.op("Concat", n + "/present_value")
            .in(pv, v4)
            .attr("axis", 2L)
            .outNamed("present." + i + ".value")[0];
    int rep = heads / kvHeads;
    String groups = g.int64(n + "/groups", false, 0, kvHeads, rep, -1, headDim);
    String qg = g.op("Reshape", n + "/q/groups").in(q4, groups).out();
    String axis2 = g.int64(n + "/axis2", false, 2);
    String k5 = g.op("Unsqueeze", n + "/keys/Unsqueeze").in(keys, axis2).out();
    String kT =
        g.op("Transpose", n + "/keys/Transpose")
            .in(k5)
            .attr("perm", new long[] {0, 1, 2, 4, 3})
            .out();
    String scores = g.op("MatMul", n + "/qk/MatMul").in(qg, kT).out();
    String s = g.float32(n + "/scale", new long[0], scale);
    scores = g.op("Mul", n + "/qk/scale").in(scores, s).out();
    if (cap > 0) {
      String c = g.float32(n + "/softcap", new long[0], cap);
      String d = g.op("Div", n + "/softcap/Div").in(scores, c).out();
      String t = g.op("Tanh", n + "/softcap/Tanh").in(d).out();
      scores = g.op("Mul", n + "/softcap/Mul").in(t, c).out();
    }
    String min = g.float32(n + "/masked", new long[0], MIN);
    String masked = g.op("Where", n + "/mask/Where").in(mask(window), scores, min).out();
    String probs = g.op("Softmax", n + "/Softmax").in(masked).attr("axis", -1L).out();
    String v5 = g.op("Unsqueeze", n + "/values/Unsqueeze").in(values, axis2).out();
    String out = g.op("MatMul", n + "/pv/MatMul").in(probs, v5).out();
    String bhsd = g.int64(n + "/bhsd", false, 0, heads, -1, headDim);
    String o4 = g.op("Reshape", n + "/out/Reshape").in(out, bhsd).out();
    String o =
        g.op("Transpose", n + "/out/Transpose").in(o4).attr("perm", new long[] {0, 2, 1, 3}).out();
    String bsh = g.int64(n + "/bsh", false, 0, 0, (long) heads * headDim);
    return g.op("Reshape", n + "/out/Reshape_1").in(o, bsh).out();
  }

  /** [b, s, h * d] to [b, h, s, d]. */
  private String heads(String x, int h, String n) {
    String shape = g.int64(n + "/shape4", false, 0, 0, h, headDim);
    String r = g.op("Reshape", n + "/Reshape").in(x, shape).out();
    return g.op("Transpose", n + "/Transpose").in(r).attr("perm", new long[] {0, 2, 1, 3}).out();
  }

  /**
   * Which keys each query sees, [b, 1, 1, s, T] boolean: key j of query at position p when {@code j
   * <= p}, {@code j > p - window} (window > 0), and {@code attention_mask[b, j] == 1}. One per
   * window size, shared by the layers.
   */
  private String mask(int window) {
    String found = masks.get(window);
    if (found != null) {
      return found;
    }
    String n = "/model/attn_mask/eager" + (window > 0 ? "_window_" + window : "");
    String pos = rotary.positions();
    String last = g.int64(n + "/last_axis", false, -1);
    String qp = g.op("Unsqueeze", n + "/query_pos").in(pos, last).out();
    String shape = g.op("Shape", n + "/Shape").in("attention_mask").out();
    String idx = g.int64(n + "/dim1", true, 1);
    String total = g.op("Gather", n + "/total_len").in(shape, idx).attr("axis", 0L).out();
    String zero = g.int64(n + "/zero", true, 0);
    String one = g.int64(n + "/one", true, 1);
    String keys = g.op("Range", n + "/key_pos").in(zero, total, one).out();
    String allowed = g.op("LessOrEqual", n + "/causal").in(keys, qp).out();
    if (window > 0) {
      String w = g.int64(n + "/window", true, window);
      String from = g.op("Sub", n + "/window_start").in(qp, w).out();
      String inWindow = g.op("Greater", n + "/in_window").in(keys, from).out();
      allowed = g.op("And", n + "/causal_window").in(allowed, inWindow).out();
    }
    String present = g.op("Equal", n + "/not_padding").in("attention_mask", one).out();
    String axis1 = g.int64(n + "/axis1", false, 1);
    String present3 = g.op("Unsqueeze", n + "/not_padding/Unsqueeze").in(present, axis1).out();
    allowed = g.op("And", n + "/allowed").in(allowed, present3).out();
    String axes = g.int64(n + "/axes", false, 1, 2);
    String mask = g.op("Unsqueeze", n + "/Unsqueeze").in(allowed, axes).out();
    masks.put(window, mask);
    return mask;
  }
}
