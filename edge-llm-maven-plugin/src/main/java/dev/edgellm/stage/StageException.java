package dev.edgellm.stage;

/**
 * The user's input cannot be staged (a missing file, a bad setting); the message says what and how
 * to fix it.
 */
public class StageException extends dev.edgellm.util.UserErrorException {
  private static final long serialVersionUID = 1L;

  public StageException(String message) {
    super(message);
  }

  public StageException(String message, Throwable cause) {
    super(message, cause);
  }
}
