package dev.edgellm.validate;

/** The outcome of one check. */
public enum CheckStatus {
  /** Nothing wrong. */
  PASSED,
  /** Works, but something is probably not what the user wants. */
  WARNING,
  /** The model will fail in the browser; the build fails. */
  FAILED,
  /** Not run: its input is missing or broken (another check says why), or it does not apply. */
  SKIPPED
}
