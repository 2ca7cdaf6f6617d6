package dev.edgellm.graph.arch;

import dev.edgellm.checkpoint.ModelConfig;
import dev.edgellm.graph.DecoderSpec;

/** Mistral: llama-like, no biases, every layer sliding when {@code sliding_window} is set. */
public final class Mistral implements Architecture {
  @Override
  public String modelType() {
    return "mistral";
  }

  @Override
  public DecoderSpec spec(ModelConfig c) {
    return DecoderSpec.builder(c)
        .biases(false, false, false)
        .layerTypes(Architectures.layerTypes(c, i -> true))
        .build();
  }
}
