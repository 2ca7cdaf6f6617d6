package dev.edgellm.graph;

import dev.edgellm.checkpoint.CheckpointException;
import dev.edgellm.checkpoint.ModelConfig;

/** The MLP's activation. */
public enum Activation {
  /** tanh-approximated GELU ({@code gelu_pytorch_tanh}): com.microsoft FastGelu. */
  GELU_TANH,
  /** exact GELU: ONNX Gelu. */
  GELU,
  /** x * sigmoid(x). */
  SILU;

  /** The activation a config names ({@code hidden_activation} or {@code hidden_act}), or dflt. */
  public static Activation of(ModelConfig c, String dflt) {
    String act = c.hiddenActivation() == null ? dflt : c.hiddenActivation();
    return switch (act) {
      case "silu", "swish" -> SILU;
      case "gelu_pytorch_tanh", "gelu_new", "gelu_fast" -> GELU_TANH;
      case "gelu" -> GELU;
      default ->
          throw new CheckpointException(
              c.file()
                  + ": activation '"
                  + act
                  + "' is not supported; supported are silu, gelu_pytorch_tanh and gelu");
    };
  }
}
