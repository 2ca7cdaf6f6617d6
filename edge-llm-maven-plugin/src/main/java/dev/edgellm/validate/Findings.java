package dev.edgellm.validate;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Collects one check's findings and details. */
public final class Findings {
  private final List<Finding> findings = new ArrayList<>();
  private final Map<String, Object> details = new LinkedHashMap<>();

  /** Something that makes the model fail in the browser. */
  public void error(String file, String message, String fix) {
    findings.add(new Finding(Severity.ERROR, file, message, fix));
  }

  /** Something that works but is probably not wanted. */
  public void warn(String file, String message, String fix) {
    findings.add(new Finding(Severity.WARNING, file, message, fix));
  }

  /** A remark for the report. */
  public void info(String file, String message) {
    findings.add(new Finding(Severity.INFO, file, message, ""));
  }

  /** A measured value shown in the report and written to validation.json. */
  public void detail(String key, Object value) {
    details.put(key, value);
  }

  List<Finding> list() {
    return List.copyOf(findings);
  }

  Map<String, Object> details() {
    return details;
  }

  boolean has(Severity severity) {
    return findings.stream().anyMatch(f -> f.severity() == severity);
  }
}
