package dev.edgellm.maven;

import dev.edgellm.util.UserErrorException;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;

/**
 * Maps the core's exceptions to Maven's: a {@link UserErrorException} (the user's input or settings
 * are wrong; its message says what, where and the fix) becomes a {@link MojoFailureException}; an
 * {@link IOException} or any other exception (something broke) becomes a {@link
 * MojoExecutionException}.
 */
final class Failures {
  private Failures() {}

  /** A call into the core. */
  @FunctionalInterface
  interface CoreCall<T> {
    T call() throws UserErrorException, IOException;
  }

  /** Runs {@code call}, mapping its exceptions; {@code what} names the goal for other failures. */
  static <T> T map(String what, CoreCall<T> call)
      throws MojoFailureException, MojoExecutionException {
    try {
      return call.call();
    } catch (UserErrorException e) {
      throw new MojoFailureException(e.getMessage(), e);
    } catch (IOException | UncheckedIOException e) {
      throw new MojoExecutionException(what + " failed with an I/O error: " + e.getMessage(), e);
    } catch (RuntimeException e) {
      throw new MojoExecutionException(what + " failed: " + e, e);
    }
  }
}
