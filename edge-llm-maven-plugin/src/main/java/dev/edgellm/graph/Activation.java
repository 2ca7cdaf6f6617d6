package dev.edgellm.graph;

/** The MLP's activation. */
public enum Activation {
  /** tanh-approximated GELU ({@code gelu_pytorch_tanh}): com.microsoft FastGelu. */
  GELU_TANH,
  /** exact GELU: ONNX Gelu. */
  GELU,
  /** x * sigmoid(x). */
  SILU
}
