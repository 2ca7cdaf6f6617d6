package dev.edgellm.graph.arch;

import dev.edgellm.checkpoint.ModelConfig;
import dev.edgellm.graph.DecoderSpec;

/**
 * Qwen 2 / 2.5: llama-like with biases on the q/k/v projections (not on o); with {@code
 * use_sliding_window}, layers from {@code max_window_layers} on slide.
 */
public final class Qwen2 implements Architecture {
  @Override
  public String modelType() {
    return "qwen2";
  }

  @Override
  public DecoderSpec spec(ModelConfig c) {
    return DecoderSpec.builder(c).biases(true, false, false).layerTypes(windowLayers(c)).build();
  }

  /** Sliding from layer {@code max_window_layers} on (all when it is unset). */
  static java.util.List<String> windowLayers(ModelConfig c) {
    int from = c.integer("max_window_layers", 0);
    return Architectures.layerTypes(c, i -> i >= from);
  }
}
