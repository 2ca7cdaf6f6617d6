package dev.edgellm.onnx;

import dev.edgellm.util.UserErrorException;

/**
 * A model was refused before writing because its single-file (embedded) form would be larger than
 * the limit, by default protobuf's hard limit of 2 GiB. Thrown before anything is written. Callers
 * may catch it to fall back to {@link OnnxWriter#writeWithExternalData external data}.
 */
public class ModelTooLargeException extends UserErrorException {
  private static final long serialVersionUID = 1L;
  private final long size;
  private final long limit;

  public ModelTooLargeException(String message, long size, long limit) {
    super(message);
    this.size = size;
    this.limit = limit;
  }

  /** The serialized size the model would have had, in bytes. */
  public long size() {
    return size;
  }

  /** The limit it exceeded, in bytes. */
  public long limit() {
    return limit;
  }
}
