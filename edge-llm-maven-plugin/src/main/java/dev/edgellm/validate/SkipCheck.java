package dev.edgellm.validate;

/** Thrown by a check whose input is unusable; the check is reported as skipped with this reason. */
public final class SkipCheck extends Exception {
  private static final long serialVersionUID = 1L;

  public SkipCheck(String reason) {
    super(reason, null, false, false);
  }
}
