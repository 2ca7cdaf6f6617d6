package dev.edgellm.graph.arch;

import dev.edgellm.checkpoint.ModelConfig;
import dev.edgellm.graph.DecoderSpec;

/** Qwen 3: llama-like with per-head RMSNorm of queries and keys, head_dim independent of hidden. */
public final class Qwen3 implements Architecture {
  @Override
  public String modelType() {
    return "qwen3";
  }

  @Override
  public DecoderSpec spec(ModelConfig c) {
    return DecoderSpec.builder(c)
        .qkNorm()
        .biases(c.attentionBias(), c.attentionBias(), false)
        .layerTypes(Qwen2.windowLayers(c))
        .build();
  }
}
