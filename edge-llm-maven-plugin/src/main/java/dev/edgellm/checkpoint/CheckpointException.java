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
}
