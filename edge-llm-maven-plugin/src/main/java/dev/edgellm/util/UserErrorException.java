package dev.edgellm.util;

/**
 * The user's input or settings are wrong: a file that is not what it should be, a setting out of
 * range, a path that points at the wrong place. The message says what is wrong, where (file,
 * tensor, setting) and the fix. Mojos map it to {@code MojoFailureException} ("BUILD FAILURE", no
 * stack trace); anything else that goes wrong (an {@link java.io.IOException} while writing, a bug)
 * maps to {@code MojoExecutionException}.
 *
 * <p>It is unchecked so that it can cross lambdas and streams; every stage's input error extends it
 * ({@code CheckpointException}, {@code ExportException}, {@code OnnxFormatException}, {@code
 * StageException}, ...), and the mojos map all of them the same way ({@code
 * dev.edgellm.maven.Failures}).
 *
 * <p>Each pipeline stage may subclass it (e.g. {@code dev.edgellm.onnx.OnnxFormatException}) so
 * callers can react to one kind of problem.
 */
public class UserErrorException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * @param message what is wrong, where, and the fix
   */
  public UserErrorException(String message) {
    super(message);
  }

  /**
   * @param message what is wrong, where, and the fix; @param cause the low-level cause
   */
  public UserErrorException(String message, Throwable cause) {
    super(message, cause);
  }
}
