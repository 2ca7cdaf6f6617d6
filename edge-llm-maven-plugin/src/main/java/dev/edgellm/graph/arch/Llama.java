package dev.edgellm.graph.arch;

import dev.edgellm.checkpoint.ModelConfig;
import dev.edgellm.graph.DecoderSpec;

/** Llama (and SmolLM2, TinyStories): the builder's defaults, as the config states them. */
public final class Llama implements Architecture {
  @Override
  public String modelType() {
    return "llama";
  }

  @Override
  public DecoderSpec spec(ModelConfig c) {
    return DecoderSpec.builder(c).layerTypes(Architectures.layerTypes(c, i -> true)).build();
  }
}
