package dev.edgellm.validate;

import java.util.List;
import java.util.Map;

/** A check's outcome with its findings and measured details (numbers, ids) for the report. */
public record CheckResult(
    String id,
    String title,
    CheckStatus status,
    String skipReason,
    List<Finding> findings,
    Map<String, Object> details) {

  /** The first error's or warning's message, for one-line summaries. */
  public String headline() {
    if (status == CheckStatus.SKIPPED) {
      return skipReason;
    }
    return findings.stream()
        .filter(f -> f.severity() != Severity.INFO)
        .map(Finding::message)
        .findFirst()
        .orElse("");
  }
}
