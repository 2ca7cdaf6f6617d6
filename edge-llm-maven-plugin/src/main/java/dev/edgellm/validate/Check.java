package dev.edgellm.validate;

/**
 * One validation of a staged folder. Each check has a stable id ({@code files.present}, {@code
 * ops.webgpu}, ...) that reports, tests and users refer to.
 */
public interface Check {
  /** Stable id, e.g. {@code model.embedded}. */
  String id();

  /** What it verifies, in a few words, for the report. */
  String title();

  /**
   * Runs the check, reporting through {@code out}. Throw {@link SkipCheck} when an input it needs
   * is missing or broken (another check already reported that).
   */
  void run(ValidationContext context, Findings out) throws Exception;
}
