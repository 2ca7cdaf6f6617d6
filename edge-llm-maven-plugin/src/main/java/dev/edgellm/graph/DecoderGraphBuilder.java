package dev.edgellm.graph;

import dev.edgellm.checkpoint.Checkpoint;
import dev.edgellm.checkpoint.CheckpointException;
import dev.edgellm.checkpoint.ModelConfig;
import dev.edgellm.checkpoint.TensorInfo;
import dev.edgellm.onnx.NodeBuilder;
import dev.edgellm.onnx.proto.ModelProto;
import dev.edgellm.onnx.proto.OperatorSetIdProto;
import dev.edgellm.onnx.proto.TensorProto;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds the decoder graph Transformers.js 4.x runs: inputs {@code input_ids}, {@code
 * attention_mask}, {@code position_ids}, {@code past_key_values.{i}.key|value}; outputs {@code
 * logits} and {@code present.{i}.key|value}, from a {@link DecoderSpec} (what the architecture
 * class declared). Attention is com.microsoft GroupQueryAttention, with rotary embedding inside
 * where its fused rotary can do it ({@link RotaryGraph} rotates q and k before it otherwise), or
 * {@link EagerAttention} for soft-capped scores. Positions and masks are derived from {@code
 * attention_mask} only ({@code position_ids} is accepted but not used, since Transformers.js feeds
 * 1-based positions to some models).
 */
public final class DecoderGraphBuilder {
  public static final int OPSET = 21;
  public static final int MS_OPSET = 1;
  public static final long IR_VERSION = 10;

  private static final TensorProto.DataType F = TensorProto.DataType.FLOAT;
  private static final TensorProto.DataType I64 = TensorProto.DataType.INT64;

  private final Checkpoint ckpt;
  private final ModelConfig c;
  private final DecoderSpec spec;
  private final WeightFormat weights;
  private final GraphBuilder g = new GraphBuilder("main_graph");
  private final Projections projections;
  private EagerAttention eagerAttention;

  /** The graph and its lazily produced weights. */
  public record Built(ModelProto skeleton, List<LazyTensor> weights) {}

  public DecoderGraphBuilder(Checkpoint ckpt, DecoderSpec spec, WeightFormat weights) {
    this.ckpt = ckpt;
    this.c = ckpt.config();
    this.spec = spec;
    this.weights = weights;
    this.projections = new Projections(ckpt, spec, weights, g);
  }

  /** Builds the graph, checking every tensor's presence and shape; no weight data is read yet. */
  public Built build() {
    int h = c.hiddenSize();
    int kv = c.numKvHeads();
    int hd = c.headDim();
    g.input("input_ids", I64, "batch_size", "sequence_length");
    g.input("attention_mask", I64, "batch_size", "total_sequence_length");
    g.input("position_ids", I64, "batch_size", "sequence_length");
    for (int i = 0; i < c.numLayers(); i++) {
      g.input("past_key_values." + i + ".key", F, "batch_size", kv, "past_sequence_length", hd);
      g.input("past_key_values." + i + ".value", F, "batch_size", kv, "past_sequence_length", hd);
    }
    g.output("logits", F, "batch_size", LogitsToKeep.LOGITS_DIM, c.vocabSize());

    // Embedding
    TensorInfo embed = ckpt.require("model.embed_tokens.weight", c.vocabSize(), h);
    boolean tied = c.tieWordEmbeddings() || !ckpt.has("lm_head.weight");
    String x = weights.embedding(g, "/model/embed_tokens/Gather", "input_ids", embed, tied);
    if (spec.embeddingScale() != 1f) {
      String s = g.float32("/model/embed_tokens/scale", new long[0], spec.embeddingScale());
      x = g.op("Mul", "/model/embed_tokens/Mul").in(x, s).out();
    }

    // Attention bookkeeping, shared by all layers: positions and masks come from attention_mask.
    String seqlens = seqlensK();
    String total = totalSequenceLength();
    RotaryGraph rotary = new RotaryGraph(g, total);

    Residual r = new Residual(x);
    for (int i = 0; i < c.numLayers(); i++) {
      String p = "model.layers." + i + ".";
      String n = "/model/layers." + i;
      String hIn = r.norm(p + spec.preAttnNorm() + ".weight", n + "/" + spec.preAttnNorm());
      DecoderSpec.Layer layer = spec.layers().get(i);
      RotaryGraph.Caches cache = layer.rotary() == null ? null : rotary.caches(layer.rotary());
      String attn = attention(i, layer, p, n, hIn, seqlens, total, cache, rotary);
      if (spec.postAttnNorm() != null) {
        attn =
            simpleNorm(attn, p + spec.postAttnNorm() + ".weight", n + "/" + spec.postAttnNorm(), h);
      }
      r.add(attn, n + "/attn");
      String hMlp = r.norm(p + spec.preFfnNorm() + ".weight", n + "/" + spec.preFfnNorm());
      String mlp = mlp(p, n, hMlp);
      if (spec.postFfnNorm() != null) {
        mlp = simpleNorm(mlp, p + spec.postFfnNorm() + ".weight", n + "/" + spec.postFfnNorm(), h);
      }
      r.add(mlp, n + "/mlp");
    }
    // input num_logits_to_keep: the lm_head sees the last N positions only
    String last = LogitsToKeep.slice(g, r.norm("model.norm.weight", "/model/norm"));

    TensorInfo head;
    if (tied) {
      head = embed;
      ckpt.ignore("lm_head.weight");
    } else {
      head = ckpt.require("lm_head.weight", c.vocabSize(), h);
    }
    boolean scaled = spec.logitsDivisor() != 1f;
    boolean capped = spec.finalSoftcap() > 0;
    String logits =
        weights.lmHead(
            g,
            "/lm_head/MatMul",
            last,
            head,
            tied,
            scaled || capped ? "/lm_head/MatMul/output_0" : "logits");
    if (scaled) {
      String s = g.float32("/lm_head/logits_scaling", new long[0], spec.logitsDivisor());
      NodeBuilder div = g.op("Div", "/lm_head/logits_scaling/Div").in(logits, s);
      logits = capped ? div.out() : div.outNamed("logits")[0];
    }
    if (capped) {
      String cap = g.float32("/lm_head/softcap", new long[0], spec.finalSoftcap());
      String d = g.op("Div", "/lm_head/softcap/Div").in(logits, cap).out();
      String t = g.op("Tanh", "/lm_head/softcap/Tanh").in(d).out();
      g.op("Mul", "/lm_head/softcap/Mul").in(t, cap).outNamed("logits");
    }
    for (int i = 0; i < c.numLayers(); i++) {
      g.output("present." + i + ".key", F, "batch_size", kv, "total_sequence_length", hd);
      g.output("present." + i + ".value", F, "batch_size", kv, "total_sequence_length", hd);
    }
    checkNothingLeft();

    ModelProto skeleton =
        ModelProto.newBuilder()
            .setIrVersion(IR_VERSION)
            .setProducerName("edge-llm-maven-plugin")
            .setProducerVersion("0.1.0")
            .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
            .addOpsetImport(
                OperatorSetIdProto.newBuilder()
                    .setDomain(NodeBuilder.MS_DOMAIN)
                    .setVersion(MS_OPSET))
            .setGraph(g.graph())
            .build();
    List<LazyTensor> all = new ArrayList<>(g.lazyTensors());
    all.addAll(weights.trailing());
    return new Built(skeleton, List.copyOf(all));
  }

  private void checkNothingLeft() {
    List<String> left = new ArrayList<>();
    for (String n : ckpt.unused()) {
      if (!n.endsWith(".rotary_emb.inv_freq")) {
        left.add(n);
      }
    }
    if (!left.isEmpty()) {
      TensorInfo t = ckpt.tensors().get(left.get(0));
      throw new CheckpointException(
          "unexpected tensor '"
              + left.get(0)
              + "' "
              + t.shapeText()
              + " in "
              + t.file()
              + (left.size() > 1 ? " (and " + (left.size() - 1) + " more)" : "")
              + ": model_type "
              + c.modelType()
              + " with "
              + c.numHiddenLayersText()
              + " has no such weight; the weights and config.json do not belong together (use the config saved with these weights)");
    }
  }

  /** seqlens_k = ReduceSum(attention_mask) - 1, as int32 [batch]. */
  private String seqlensK() {
    String axes = g.int64("/model/attn_mask/axes", false, 1);
    String sum =
        g.op("ReduceSum", "/model/attn_mask/ReduceSum")
            .in("attention_mask", axes)
            .attr("keepdims", 0L)
            .out();
    String one = g.int64("/model/attn_mask/one", true, 1);
    String sub = g.op("Sub", "/model/attn_mask/Sub").in(sum, one).out();
    return g.op("Cast", "/model/attn_mask/seqlens_k")
        .in(sub)
        .attr("to", (long) TensorProto.DataType.INT32_VALUE)
        .out();
  }

  /** total_sequence_length = attention_mask.shape[1], as an int32 scalar. */
  private String totalSequenceLength() {
    String shape = g.op("Shape", "/model/attn_mask/Shape").in("attention_mask").out();
    String idx = g.int64("/model/attn_mask/dim1", true, 1);
    String t = g.op("Gather", "/model/attn_mask/total_len").in(shape, idx).attr("axis", 0L).out();
    return g.op("Cast", "/model/attn_mask/total_len_int32")
        .in(t)
        .attr("to", (long) TensorProto.DataType.INT32_VALUE)
        .out();
  }

  private String attention(
      int i,
      DecoderSpec.Layer layer,
      String p,
      String n,
      String x,
      String seqlens,
      String total,
      RotaryGraph.Caches cache,
      RotaryGraph rotary) {
    int h = c.hiddenSize();
    int hd = c.headDim();
    int qOut = c.numHeads() * hd;
    int kvOut = c.numKvHeads() * hd;
    String a = p + "self_attn.";
    String q = projections.linear(p, n + "/attn/q_proj", x, "self_attn.q_proj", h, spec.qkvBias());
    String k = projections.linear(p, n + "/attn/k_proj", x, "self_attn.k_proj", h, spec.qkvBias());
    String v = projections.linear(p, n + "/attn/v_proj", x, "self_attn.v_proj", h, spec.qkvBias());
    if (spec.qkNorm()) {
      q = headNorm(q, a + "q_norm.weight", n + "/attn/q_norm", c.numHeads());
      k = headNorm(k, a + "k_norm.weight", n + "/attn/k_norm", c.numKvHeads());
    }
    // GroupQueryAttention rotates q and k itself when the whole head rotates and its kernels take
    // the head size (a multiple of 16); otherwise they are rotated here and it does no rotary.
    // Soft-capped attention is written in plain ops (EagerAttention says why).
    boolean eager = spec.attnSoftcap() > 0;
    boolean fused = cache != null && cache.dim() == hd && hd % 16 == 0 && !eager;
    if (cache != null && !fused) {
      q = rotary.rotate(q, cache, c.numHeads(), hd, n + "/attn/q_rotary");
      k = rotary.rotate(k, cache, c.numKvHeads(), hd, n + "/attn/k_rotary");
    }
    if (eager) {
      if (eagerAttention == null) {
        eagerAttention = new EagerAttention(g, rotary, c.numHeads(), c.numKvHeads(), hd);
      }
      String attn =
          eagerAttention.attend(
              i,
              n + "/attn/eager",
              q,
              k,
              v,
              layer.slidingWindow(),
              spec.attentionScale(),
              spec.attnSoftcap());
      return projections.linear(
          p, n + "/attn/o_proj", attn, "self_attn.o_proj", qOut, spec.oBias());
    }
    NodeBuilder gqa =
        g.op("GroupQueryAttention", n + "/attn/GroupQueryAttention")
            .ms()
            .in(
                q,
                k,
                v,
                "past_key_values." + i + ".key",
                "past_key_values." + i + ".value",
                seqlens,
                total);
    if (fused) {
      gqa.in(cache.cos(), cache.sin());
    }
    gqa.attr("num_heads", (long) c.numHeads())
        .attr("kv_num_heads", (long) c.numKvHeads())
        .attr("scale", spec.attentionScale());
    if (fused) {
      gqa.attr("do_rotary", 1L).attr("rotary_interleaved", 0L);
    }
    if (layer.slidingWindow() > 0) {
      // ORT's local_window_size counts the query itself, like transformers' sliding_window (a query
      // at q sees keys k with q - window < k <= q); window - 1 or + 1 fail the goldens.
      gqa.attr("local_window_size", (long) layer.slidingWindow());
    }
    String attn =
        gqa.outNamed(
                n + "/attn/GroupQueryAttention/output_0",
                "present." + i + ".key",
                "present." + i + ".value")[0];
    return projections.linear(p, n + "/attn/o_proj", attn, "self_attn.o_proj", qOut, spec.oBias());
  }

  private String mlp(String p, String n, String x) {
    int h = c.hiddenSize();
    int f = c.intermediateSize();
    String gate =
        projections.linear(p, n + "/mlp/gate_proj", x, "mlp.gate_proj", h, spec.mlpBias());
    String up = projections.linear(p, n + "/mlp/up_proj", x, "mlp.up_proj", h, spec.mlpBias());
    String act =
        switch (spec.activation()) {
          case GELU_TANH -> g.op("FastGelu", n + "/mlp/act_fn/FastGelu").ms().in(gate).out();
          case GELU -> g.op("Gelu", n + "/mlp/act_fn/Gelu").in(gate).out();
          case SILU -> {
            String sig = g.op("Sigmoid", n + "/mlp/act_fn/Sigmoid").in(gate).out();
            yield g.op("Mul", n + "/mlp/act_fn/Mul").in(gate, sig).out();
          }
        };
    String prod = g.op("Mul", n + "/mlp/Mul").in(act, up).out();
    return projections.linear(p, n + "/mlp/down_proj", prod, "mlp.down_proj", f, spec.mlpBias());
  }

  /** RMSNorm over each head: reshape to [b, s, heads, head_dim], normalise, reshape back. */
  private String headNorm(String x, String weight, String n, int heads) {
    int hd = c.headDim();
    String shape4 = g.int64(n + "/shape4", false, 0, 0, heads, hd);
    String r = g.op("Reshape", n + "/Reshape").in(x, shape4).out();
    String w = normWeight(weight, hd);
    String y =
        g.op("SimplifiedLayerNormalization", n + "/SimplifiedLayerNormalization")
            .in(r, w)
            .attr("axis", -1L)
            .attr("epsilon", (float) c.rmsNormEps())
            .attr("stash_type", 1L)
            .out();
    String shape3 = g.int64(n + "/shape3", false, 0, 0, (long) heads * hd);
    return g.op("Reshape", n + "/Reshape_1").in(y, shape3).out();
  }

  private String simpleNorm(String x, String weight, String n, int dim) {
    String w = normWeight(weight, dim);
    return g.op("SimplifiedLayerNormalization", n + "/SimplifiedLayerNormalization")
        .in(x, w)
        .attr("axis", -1L)
        .attr("epsilon", (float) c.rmsNormEps())
        .attr("stash_type", 1L)
        .out();
  }

  /** A norm weight as float32, with {@code 1 + w} folded in when the spec says so. */
  private String normWeight(String name, int dim) {
    TensorInfo t = ckpt.require(name, dim);
    float[] w = ckpt.floats(t);
    if (spec.normAddsOne()) {
      for (int i = 0; i < w.length; i++) {
        w[i] = 1.0f + w[i];
      }
    }
    return g.float32(name, new long[] {dim}, w);
  }

  /**
   * The residual stream. A pending branch output is added to the residual by the next norm, fused
   * as SkipSimplifiedLayerNormalization, which also yields the new residual.
   */
  private final class Residual {
    private String residual;
    private String pending;

    Residual(String embeddings) {
      this.pending = embeddings;
    }

    void add(String branch, String n) {
      if (spec.residualMultiplier() != 1f) {
        String m = g.float32(n + "/residual_multiplier", new long[0], spec.residualMultiplier());
        branch = g.op("Mul", n + "/residual_multiplier/Mul").in(branch, m).out();
      }
      pending = branch;
    }

    String norm(String weight, String n) {
      String w = normWeight(weight, c.hiddenSize());
      if (residual == null) {
        residual = pending;
        return g.op("SimplifiedLayerNormalization", n + "/SimplifiedLayerNormalization")
            .in(pending, w)
            .attr("axis", -1L)
            .attr("epsilon", (float) c.rmsNormEps())
            .attr("stash_type", 1L)
            .out();
      }
      String[] outs =
          g.op("SkipSimplifiedLayerNormalization", n + "/SkipLayerNorm")
              .ms()
              .in(pending, residual, w)
              .attr("epsilon", (float) c.rmsNormEps())
              .outNamed(n + "/SkipLayerNorm/output_0", "", "", n + "/SkipLayerNorm/output_3");
      residual = outs[3];
      return outs[0];
    }
  }
}
