package dev.edgellm.graph.arch;

import com.fasterxml.jackson.databind.JsonNode;
import dev.edgellm.checkpoint.CheckpointException;
import dev.edgellm.checkpoint.ModelConfig;
import dev.edgellm.graph.DecoderSpec;

/**
 * SmolLM3: llama-like; {@code no_rope_layers[i]} = 0 marks a layer without position encoding
 * (NoPE). Without the list, every {@code no_rope_layer_interval}-th layer (default 4) is NoPE.
 */
public final class SmolLm3 implements Architecture {
  @Override
  public String modelType() {
    return "smollm3";
  }

  @Override
  public DecoderSpec spec(ModelConfig c) {
    boolean[] rope = new boolean[c.numLayers()];
    JsonNode list = c.json("no_rope_layers");
    if (list != null) {
      if (!list.isArray() || list.size() != c.numLayers()) {
        throw new CheckpointException(
            c.file()
                + ": no_rope_layers must list 1 (rotary) or 0 (none) for each of the "
                + c.numLayers()
                + " layers");
      }
      for (int i = 0; i < rope.length; i++) {
        rope[i] = list.get(i).asInt() != 0;
      }
    } else {
      int interval = c.integer("no_rope_layer_interval", 4);
      for (int i = 0; i < rope.length; i++) {
        rope[i] = (i + 1) % interval != 0;
      }
    }
    return DecoderSpec.builder(c)
        .noRope(i -> !rope[i])
        .layerTypes(Architectures.layerTypes(c, i -> true))
        .build();
  }
}
