package dev.edgellm.graph.arch;

import dev.edgellm.checkpoint.ModelConfig;
import dev.edgellm.graph.DecoderSpec;

/**
 * Phi-3 / Phi-3.5 / Phi-4-mini: llama-like with q, k, v stacked in {@code qkv_proj} and gate, up in
 * {@code gate_up_proj} (read as row slices); partial rotary and longrope come from the config's
 * rope settings; every layer slides when {@code sliding_window} is set.
 */
public final class Phi3 implements Architecture {
  @Override
  public String modelType() {
    return "phi3";
  }

  @Override
  public DecoderSpec spec(ModelConfig c) {
    return DecoderSpec.builder(c)
        .biases(false, false, false)
        .fused("self_attn.qkv_proj", "self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj")
        .fused("mlp.gate_up_proj", "mlp.gate_proj", "mlp.up_proj")
        .layerTypes(Architectures.layerTypes(c, i -> true))
        .build();
  }
}
