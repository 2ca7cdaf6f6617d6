package dev.edgellm.graph.arch;

import dev.edgellm.checkpoint.ModelConfig;
import dev.edgellm.graph.DecoderSpec;

/** Mistral: llama-like, no biases, sliding-window attention when {@code sliding_window} is set. */
public final class Mistral implements Architecture {
  @Override
  public String modelType() {
    return "mistral";
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
        false,
        false,
        false,
        Architectures.activation(c, "silu"),
        Architectures.invSqrt(c.headDim()),
        0f,
        0f);
  }
}
