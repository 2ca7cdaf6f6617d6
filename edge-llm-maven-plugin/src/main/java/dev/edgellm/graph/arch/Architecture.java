package dev.edgellm.graph.arch;

import dev.edgellm.checkpoint.ModelConfig;
import dev.edgellm.graph.DecoderSpec;
import dev.edgellm.graph.Fp16Policy;

/** One decoder architecture ({@code model_type}): how its config maps to the graph's features. */
public interface Architecture {
  /** The {@code model_type} of config.json this class handles. */
  String modelType();

  /**
   * The graph features for this config.
   *
   * @throws dev.edgellm.checkpoint.CheckpointException when a setting is not supported
   */
  DecoderSpec spec(ModelConfig config);

  /**
   * Which activations a q4f16 export keeps float32 ({@code edgellm.export.precision=q4f16}): by
   * default none, as onnx-community's q4f16 exports; an architecture whose hidden states outgrow
   * float16 keeps its norms and residual stream float32.
   */
  default Fp16Policy fp16Policy() {
    return Fp16Policy.ALL_FP16;
  }
}
