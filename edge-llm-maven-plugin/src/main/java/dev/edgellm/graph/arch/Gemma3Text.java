package dev.edgellm.graph.arch;

import dev.edgellm.checkpoint.ModelConfig;
import dev.edgellm.graph.DecoderSpec;

/**
 * Gemma 3 text decoders (gemma-3-270m, functiongemma-270m-it, gemma-3-1b): embeddings scaled by
 * sqrt(hidden), {@code (1 + w)} RMSNorm, four norms per layer, q/k norms, attention scaled by
 * {@code query_pre_attn_scalar^-0.5}, sliding layers with their own rope base, GELU (tanh),
 * optional soft-capping.
 */
public final class Gemma3Text implements Architecture {
  @Override
  public String modelType() {
    return "gemma3_text";
  }

  @Override
  public DecoderSpec spec(ModelConfig c) {
    double scalar = c.queryPreAttnScalar() != null ? c.queryPreAttnScalar() : c.headDim();
    return new DecoderSpec(
        (float) Math.sqrt(c.hiddenSize()),
        true,
        "input_layernorm",
        "post_attention_layernorm",
        "pre_feedforward_layernorm",
        "post_feedforward_layernorm",
        true,
        c.attentionBias(),
        c.attentionBias(),
        false,
        Architectures.activation(c, "gelu_pytorch_tanh"),
        Architectures.invSqrt(scalar),
        c.attnLogitSoftcapping() == null ? 0f : c.attnLogitSoftcapping().floatValue(),
        c.finalLogitSoftcapping() == null ? 0f : c.finalLogitSoftcapping().floatValue());
  }
}
