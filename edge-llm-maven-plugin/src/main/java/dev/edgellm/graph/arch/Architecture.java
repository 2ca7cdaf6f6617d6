package dev.edgellm.graph.arch;

import dev.edgellm.checkpoint.ModelConfig;
import dev.edgellm.graph.DecoderSpec;

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
}
