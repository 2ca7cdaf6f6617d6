package dev.edgellm.onnx;

import dev.edgellm.util.UserErrorException;

/**
 * An ONNX file (or its external data) is not what it should be: not an ONNX model, truncated, a
 * tensor whose data does not match its shape, external data that is missing, escapes the model's
 * folder or points past the end of its file. The message names the file, the tensor and the fix. A
 * user error: mojos map it to {@code MojoFailureException}.
 */
public class OnnxFormatException extends UserErrorException {
  private static final long serialVersionUID = 1L;

  public OnnxFormatException(String message) {
    super(message);
  }

  public OnnxFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
