package dev.edgellm.graph.arch;

import dev.edgellm.checkpoint.ModelConfig;
import dev.edgellm.graph.DecoderSpec;

/**
 * Granite 3.x / 4.0 dense: llama-like with four multipliers: {@code embedding_multiplier} on the
 * embeddings, {@code residual_multiplier} on each residual branch, {@code attention_multiplier} as
 * the attention scale (instead of 1/sqrt(head_dim)), and logits divided by {@code logits_scaling}.
 */
public final class Granite implements Architecture {
  @Override
  public String modelType() {
    return "granite";
  }

  @Override
  public DecoderSpec spec(ModelConfig c) {
    return DecoderSpec.builder(c)
        .embeddingScale(positive(c, "embedding_multiplier"))
        .residualMultiplier(positive(c, "residual_multiplier"))
        .attentionScale(positive(c, "attention_multiplier"))
        .logitsDivisor(positive(c, "logits_scaling"))
        .layerTypes(Architectures.layerTypes(c, i -> true))
        .build();
  }

  /** A multiplier, 1 when absent (transformers' defaults are 1). */
  private static float positive(ModelConfig c, String key) {
    Double v = c.positiveNumber(key);
    return v == null ? 1f : v.floatValue();
  }
}
