package dev.edgellm.graph.arch;

import dev.edgellm.checkpoint.CheckpointException;
import dev.edgellm.checkpoint.ModelConfig;
import dev.edgellm.graph.Activation;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The supported architectures, looked up by {@code model_type}. */
public final class Architectures {
  private static final Map<String, Architecture> ALL = new LinkedHashMap<>();

  static {
    for (Architecture a :
        List.of(new Gemma3Text(), new Llama(), new Qwen2(), new Qwen3(), new Mistral())) {
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

  /** Maps a config's activation name to an {@link Activation}. */
  static Activation activation(ModelConfig c, String dflt) {
    String act = c.hiddenActivation() == null ? dflt : c.hiddenActivation();
    return switch (act) {
      case "silu", "swish" -> Activation.SILU;
      case "gelu_pytorch_tanh", "gelu_new", "gelu_fast" -> Activation.GELU_TANH;
      case "gelu" -> Activation.GELU;
      default ->
          throw new CheckpointException(
              c.file()
                  + ": activation '"
                  + act
                  + "' is not supported; supported are silu, gelu_pytorch_tanh and gelu");
    };
  }

  /** 1 / sqrt(x), as transformers computes {@code x ** -0.5} in double then uses it as float. */
  static float invSqrt(double x) {
    return (float) Math.pow(x, -0.5);
  }
}
