package dev.edgellm.checkpoint;

/**
 * The checkpoint on disk is not usable as it is: a file, tensor or setting is missing or wrong. The
 * message names what is wrong, where, and how to fix it. This is the user's input being wrong, not
 * a failure of the tool.
 */
public class CheckpointException extends dev.edgellm.util.UserErrorException {
  private static final long serialVersionUID = 1L;

  public CheckpointException(String message) {
    super(message);
  }

  public CheckpointException(String message, Throwable cause) {
    super(message, cause);
  }

  /** A tensor config.json implies is not in the checkpoint. */
  static CheckpointException missingTensor(
      String name, long[] shape, java.nio.file.Path dir, ModelConfig config) {
    return new CheckpointException(
        "tensor '"
            + name
            + "' "
            + java.util.Arrays.toString(shape)
            + " is missing in "
            + dir
            + " (config.json says model_type "
            + config.modelType()
            + " with "
            + config.numHiddenLayersText()
            + "); the checkpoint does not match its config.json: use the config saved with these weights");
  }

  /** A tensor whose shape is not the one config.json implies. */
  static CheckpointException wrongShape(String name, TensorInfo t, long[] shape) {
    return new CheckpointException(
        "tensor '"
            + name
            + "' in "
            + t.file()
            + " has shape "
            + t.shapeText()
            + " but config.json implies "
            + java.util.Arrays.toString(shape)
            + "; the checkpoint does not match its config.json: use the config saved with these weights");
  }

  /** A weight in a dtype export cannot read. */
  static CheckpointException wrongDtype(String name, TensorInfo t) {
    return new CheckpointException(
        "tensor '"
            + name
            + "' in "
            + t.file()
            + " has dtype "
            + t.dtype()
            + "; supported weight dtypes are F32, F16 and BF16: save the checkpoint in one of them (quantized checkpoints must be dequantized first)");
  }

  /** A NaN or Inf found in {@code t} at flat index {@code index}. */
  static CheckpointException nonFinite(TensorInfo t, long index, float value) {
    return new CheckpointException(
        "tensor '"
            + t.name()
            + "' in "
            + t.file()
            + " holds "
            + value
            + " at flat index "
            + index
            + "; the weights are corrupt or the training diverged: export a checkpoint with finite weights");
  }
}
