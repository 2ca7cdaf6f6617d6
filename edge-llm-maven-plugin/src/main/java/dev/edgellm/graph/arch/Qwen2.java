package dev.edgellm.graph.arch;

import dev.edgellm.checkpoint.ModelConfig;
import dev.edgellm.graph.DecoderSpec;

/** Qwen 2 / 2.5: llama-like with biases on the q/k/v projections (not on o). */
public final class Qwen2 implements Architecture {
  @Override
  public String modelType() {
    return "qwen2";
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
        true,
        false,
        false,
        Architectures.activation(c, "silu"),
        Architectures.invSqrt(c.headDim()),
        0f,
        0f);
  }
}
