package dev.edgellm.graph.arch;

import dev.edgellm.checkpoint.ModelConfig;
import dev.edgellm.graph.DecoderSpec;

/** Llama (and SmolLM2, TinyStories): pre-norm, SiLU MLP, optional biases, llama3 rope scaling. */
public final class Llama implements Architecture {
  @Override
  public String modelType() {
    return "llama";
  }

  @Override
  public DecoderSpec spec(ModelConfig c) {
    return new DecoderSpec(
        1f,
        false,
        "input_layernorm",
        null,
        "post_attention_layernorm",
        null,
        false,
        c.attentionBias(),
        c.attentionBias(),
        c.mlpBias(),
        Architectures.activation(c, "silu"),
        Architectures.invSqrt(c.headDim()),
        0f,
        0f);
  }
}
