package dev.edgellm.graph.arch;

import dev.edgellm.checkpoint.CheckpointException;
import dev.edgellm.checkpoint.ModelConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntPredicate;

/** The supported architectures, looked up by {@code model_type}. */
public final class Architectures {
  private static final Map<String, Architecture> ALL = new LinkedHashMap<>();

  static {
    for (Architecture a :
        List.of(
            new Gemma3Text(),
            new Llama(),
            new Qwen2(),
            new Qwen3(),
            new Mistral(),
            new Phi3(),
            new Gemma2(),
            new Granite(),
            new SmolLm3())) {
      ALL.put(a.modelType(), a);
    }
  }

  private Architectures() {}

  /** The supported model types, in a stable order. */
  public static List<String> supported() {
    return List.copyOf(ALL.keySet());
  }

  /** The architecture of a config. */
  public static Architecture of(ModelConfig config) {
    Architecture a = ALL.get(config.modelType());
    if (a == null) {
      throw new CheckpointException(
          config.file()
              + ": model_type '"
              + config.modelType()
              + "' is not supported; supported are "
              + String.join(", ", supported())
              + " (a fine-tune keeps its base model's model_type: check that config.json is the right one)");
    }
    return a;
  }

  /**
   * Layer types: {@code layer_types} when the config lists them; else, when {@code sliding_window}
   * is set and {@code use_sliding_window} is not false, sliding where {@code slidingLayer} says so;
   * else all full.
   */
  static List<String> layerTypes(ModelConfig c, IntPredicate slidingLayer) {
    if (!c.layerTypes().isEmpty()) {
      return c.layerTypes();
    }
    boolean windowed = c.slidingWindow() > 0 && c.flag("use_sliding_window", true);
    List<String> out = new ArrayList<>();
    for (int i = 0; i < c.numLayers(); i++) {
      out.add(windowed && slidingLayer.test(i) ? ModelConfig.SLIDING : ModelConfig.FULL);
    }
    return out;
  }

  /** Every {@code pattern}-th layer full, the others sliding (Gemma's rule); 0: all sliding. */
  static List<String> slidingPattern(ModelConfig c, int pattern) {
    return layerTypes(c, i -> pattern <= 0 || (i + 1) % pattern != 0);
  }
}
