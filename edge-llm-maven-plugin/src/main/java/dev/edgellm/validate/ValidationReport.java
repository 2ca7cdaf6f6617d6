package dev.edgellm.validate;

import java.nio.file.Path;
import java.util.List;

/** All checks' results for one staged folder. */
public record ValidationReport(Path directory, String modelFile, List<CheckResult> checks) {

  public long count(CheckStatus status) {
    return checks.stream().filter(c -> c.status() == status).count();
  }

  /** True when no check failed. */
  public boolean passed() {
    return count(CheckStatus.FAILED) == 0;
  }

  /** The result of the check with this id, or {@code null}. */
  public CheckResult check(String id) {
    return checks.stream().filter(c -> c.id().equals(id)).findFirst().orElse(null);
  }

  /** "FAILED: 2 of 18 checks (model.embedded, ops.webgpu)" or "passed: ...". */
  public String summary() {
    List<String> failed =
        checks.stream().filter(c -> c.status() == CheckStatus.FAILED).map(CheckResult::id).toList();
    String counts =
        count(CheckStatus.PASSED)
            + " passed, "
            + count(CheckStatus.WARNING)
            + " with warnings, "
            + failed.size()
            + " failed, "
            + count(CheckStatus.SKIPPED)
            + " skipped";
    return (failed.isEmpty()
            ? "Validation passed: "
            : "Validation FAILED (" + String.join(", ", failed) + "): ")
        + counts;
  }
}
