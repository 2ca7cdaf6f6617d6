package dev.edgellm.graph;

import dev.edgellm.checkpoint.CheckpointException;
import dev.edgellm.checkpoint.ModelConfig;
import dev.edgellm.checkpoint.RopeParameters;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntPredicate;

/**
 * What distinguishes one decoder from another, as the graph builder needs it: an immutable value
 * made by a named {@link Builder} whose defaults are a Llama decoder of the config's shape. Each
 * architecture class in {@code dev.edgellm.graph.arch} starts from {@link #builder(ModelConfig)}
 * and sets only how it differs; the builder has no model-type switches.
 */
public final class DecoderSpec {
  /**
   * Rotary embedding of one layer.
   *
   * @param rope the frequencies' settings
   * @param dim channels rotated per head (the head size, or less with partial rotary)
   */
  public record Rotary(RopeParameters rope, int dim) {}

  /**
   * One decoder layer's attention.
   *
   * @param slidingWindow keys a query sees, itself included; 0 = all (full attention)
   * @param rotary null = no position encoding (NoPE)
   */
  public record Layer(int slidingWindow, Rotary rotary) {}

  /**
   * A checkpoint tensor holding several projections stacked by rows, e.g. {@code
   * self_attn.qkv_proj} = [q_proj; k_proj; v_proj]; the graph reads each part as a row-slice view.
   *
   * @param name the stored name under the layer prefix, without {@code .weight}
   * @param parts the projections it holds, in row order (names as the unfused checkpoints use)
   */
  public record Fused(String name, List<String> parts) {
    public Fused {
      parts = List.copyOf(parts);
    }
  }

  private final float embeddingScale;
  private final boolean normAddsOne;
  private final String preAttnNorm;
  private final String postAttnNorm;
  private final String preFfnNorm;
  private final String postFfnNorm;
  private final boolean qkNorm;
  private final boolean qkvBias;
  private final boolean oBias;
  private final boolean mlpBias;
  private final Activation activation;
  private final float attentionScale;
  private final float attnSoftcap;
  private final float finalSoftcap;
  private final float residualMultiplier;
  private final float logitsDivisor;
  private final List<Layer> layers;
  private final List<Fused> fused;

  private DecoderSpec(Builder b) {
    embeddingScale = b.embeddingScale;
    normAddsOne = b.normAddsOne;
    preAttnNorm = b.preAttnNorm;
    postAttnNorm = b.postAttnNorm;
    preFfnNorm = b.preFfnNorm;
    postFfnNorm = b.postFfnNorm;
    qkNorm = b.qkNorm;
    qkvBias = b.qkvBias;
    oBias = b.oBias;
    mlpBias = b.mlpBias;
    activation = b.activation;
    attentionScale = b.attentionScale;
    attnSoftcap = b.attnSoftcap;
    finalSoftcap = b.finalSoftcap;
    residualMultiplier = b.residualMultiplier;
    logitsDivisor = b.logitsDivisor;
    layers = b.layers();
    fused = List.copyOf(b.fused);
  }

  /** A Llama decoder of {@code c}'s shape, to be told how this architecture differs. */
  public static Builder builder(ModelConfig c) {
    return new Builder(c);
  }

  /** Factor applied to the token embeddings (1 = none). */
  public float embeddingScale() {
    return embeddingScale;
  }

  /** RMSNorm multiplies by {@code (1 + w)} instead of {@code w} (folded into the weight). */
  public boolean normAddsOne() {
    return normAddsOne;
  }

  /** Per-layer norm before attention, e.g. {@code input_layernorm}. */
  public String preAttnNorm() {
    return preAttnNorm;
  }

  /** Norm of the attention output before the residual add, or null. */
  public String postAttnNorm() {
    return postAttnNorm;
  }

  /** Norm before the MLP ({@code post_attention_layernorm} in llama naming). */
  public String preFfnNorm() {
    return preFfnNorm;
  }

  /** Norm of the MLP output before the residual add, or null. */
  public String postFfnNorm() {
    return postFfnNorm;
  }

  /** Per-head RMSNorm of queries and keys ({@code q_norm}/{@code k_norm}). */
  public boolean qkNorm() {
    return qkNorm;
  }

  /** The q/k/v projections have biases. */
  public boolean qkvBias() {
    return qkvBias;
  }

  /** The output projection has a bias. */
  public boolean oBias() {
    return oBias;
  }

  /** The MLP projections have biases. */
  public boolean mlpBias() {
    return mlpBias;
  }

  public Activation activation() {
    return activation;
  }

  /** Softmax scale of attention scores. */
  public float attentionScale() {
    return attentionScale;
  }

  /** Attention logit soft-capping ({@code cap * tanh(score / cap)}), or 0. */
  public float attnSoftcap() {
    return attnSoftcap;
  }

  /** Final logit soft-capping, or 0. */
  public float finalSoftcap() {
    return finalSoftcap;
  }

  /** Factor on each residual branch (attention, MLP) before it is added (1 = none). */
  public float residualMultiplier() {
    return residualMultiplier;
  }

  /** Divisor of the logits (1 = none). */
  public float logitsDivisor() {
    return logitsDivisor;
  }

  /** Each layer's attention: window and rotary embedding. */
  public List<Layer> layers() {
    return layers;
  }

  /** Stacked projections, read as row slices. */
  public List<Fused> fused() {
    return fused;
  }

  /** A named builder; every setter returns it. */
  public static final class Builder {
    private final ModelConfig c;
    private float embeddingScale = 1f;
    private boolean normAddsOne;
    private String preAttnNorm = "input_layernorm";
    private String postAttnNorm;
    private String preFfnNorm = "post_attention_layernorm";
    private String postFfnNorm;
    private boolean qkNorm;
    private boolean qkvBias;
    private boolean oBias;
    private boolean mlpBias;
    private Activation activation;
    private float attentionScale;
    private float attnSoftcap;
    private float finalSoftcap;
    private float residualMultiplier = 1f;
    private float logitsDivisor = 1f;
    private List<String> layerTypes;
    private final Map<String, RopeParameters> rope = new HashMap<>();
    private IntPredicate noRope = i -> false;
    private final List<Fused> fused = new ArrayList<>();

    private Builder(ModelConfig c) {
      this.c = c;
      qkvBias = c.attentionBias();
      oBias = c.attentionBias();
      mlpBias = c.mlpBias();
      activation = Activation.of(c, "silu");
      attentionScale = invSqrt(c.headDim());
      layerTypes = c.layerTypes().isEmpty() ? allFull(c) : c.layerTypes();
    }

    /** 1 / sqrt(x), as transformers computes {@code x ** -0.5} in double then uses it as float. */
    public static float invSqrt(double x) {
      return (float) Math.pow(x, -0.5);
    }

    private static List<String> allFull(ModelConfig c) {
      return java.util.Collections.nCopies(c.numLayers(), ModelConfig.FULL);
    }

    public Builder embeddingScale(float v) {
      embeddingScale = v;
      return this;
    }

    /** Gemma's RMSNorm: {@code (1 + w)}. */
    public Builder normAddsOne() {
      normAddsOne = true;
      return this;
    }

    /** The four per-layer norm names (null: no such norm). */
    public Builder norms(String preAttn, String postAttn, String preFfn, String postFfn) {
      preAttnNorm = preAttn;
      postAttnNorm = postAttn;
      preFfnNorm = preFfn;
      postFfnNorm = postFfn;
      return this;
    }

    public Builder qkNorm() {
      qkNorm = true;
      return this;
    }

    public Builder biases(boolean qkv, boolean o, boolean mlp) {
      qkvBias = qkv;
      oBias = o;
      mlpBias = mlp;
      return this;
    }

    /** The activation named by the config, {@code dflt} when it names none. */
    public Builder activation(String dflt) {
      activation = Activation.of(c, dflt);
      return this;
    }

    public Builder attentionScale(float v) {
      attentionScale = v;
      return this;
    }

    /** Attention and final logit soft-capping (null or 0: none). */
    public Builder softcaps(Double attention, Double fin) {
      attnSoftcap = attention == null ? 0f : attention.floatValue();
      finalSoftcap = fin == null ? 0f : fin.floatValue();
      return this;
    }

    public Builder residualMultiplier(float v) {
      residualMultiplier = v;
      return this;
    }

    public Builder logitsDivisor(float v) {
      logitsDivisor = v;
      return this;
    }

    /** Per layer: {@link ModelConfig#FULL} or {@link ModelConfig#SLIDING}. */
    public Builder layerTypes(List<String> types) {
      layerTypes = List.copyOf(types);
      return this;
    }

    /** The rotary settings of one attention type (default: the config's). */
    public Builder rope(String layerType, RopeParameters p) {
      rope.put(layerType, p);
      return this;
    }

    /** Layers without position encoding. */
    public Builder noRope(IntPredicate layer) {
      noRope = layer;
      return this;
    }

    /** A stacked projection, e.g. {@code fused("self_attn.qkv_proj", "self_attn.q_proj", ...)}. */
    public Builder fused(String name, String... parts) {
      fused.add(new Fused(name, List.of(parts)));
      return this;
    }

    private List<Layer> layers() {
      if (layerTypes.size() != c.numLayers()) {
        throw new CheckpointException(
            c.file()
                + ": "
                + layerTypes.size()
                + " layer types for "
                + c.numLayers()
                + " layers; make layer_types agree with num_hidden_layers");
      }
      List<Layer> out = new ArrayList<>();
      for (int i = 0; i < c.numLayers(); i++) {
        String type = layerTypes.get(i);
        boolean sliding = ModelConfig.SLIDING.equals(type);
        if (sliding && c.slidingWindow() <= 0) {
          throw new CheckpointException(
              c.file()
                  + ": some layers are sliding_attention but 'sliding_window' is not set; set it in config.json");
        }
        RopeParameters p = rope.getOrDefault(type, c.rope(type));
        Rotary r = noRope.test(i) ? null : new Rotary(p, p.rotaryDim(c.headDim()));
        if (r != null && (r.dim() <= 0 || r.dim() % 2 != 0 || r.dim() > c.headDim())) {
          throw new CheckpointException(
              c.file()
                  + ": partial_rotary_factor "
                  + p.partialRotaryFactor()
                  + " rotates "
                  + r.dim()
                  + " of "
                  + c.headDim()
                  + " channels per head; it must be an even number from 2 to head_dim");
        }
        out.add(new Layer(sliding ? c.slidingWindow() : 0, r));
      }
      return List.copyOf(out);
    }

    public DecoderSpec build() {
      return new DecoderSpec(this);
    }
  }
}
