package dev.edgellm.validate;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.edgellm.util.Json;
import java.util.List;
import java.util.Map;

/** validation.json (for tools) and validation.html (a table a person reads). */
public final class ReportWriter {
  private ReportWriter() {}

  /** The whole report as JSON. */
  public static ObjectNode toJson(ValidationReport report) {
    ObjectNode root = Json.MAPPER.createObjectNode();
    root.put("directory", report.directory().toString());
    root.put("model", report.modelFile());
    root.put("passed", report.passed());
    root.put("summary", report.summary());
    ArrayNode checks = root.putArray("checks");
    for (CheckResult r : report.checks()) {
      ObjectNode c = checks.addObject();
      c.put("id", r.id());
      c.put("title", r.title());
      c.put("status", r.status().name());
      if (r.skipReason() != null) {
        c.put("skipReason", r.skipReason());
      }
      ArrayNode findings = c.putArray("findings");
      for (Finding f : r.findings()) {
        ObjectNode o = findings.addObject();
        o.put("severity", f.severity().name());
        o.put("file", f.file());
        o.put("message", f.message());
        o.put("fix", f.fix());
      }
      c.set("details", Json.MAPPER.valueToTree(r.details()));
    }
    return root;
  }

  /**
   * The short summary stored in the staged folder's edge-llm.json: statuses and the key numbers, no
   * timings.
   */
  public static ObjectNode summaryJson(ValidationReport report) {
    ObjectNode s = Json.MAPPER.createObjectNode();
    s.put("status", report.passed() ? "passed" : "failed");
    s.put("passed", report.count(CheckStatus.PASSED));
    s.put("warnings", report.count(CheckStatus.WARNING));
    s.put("failed", report.count(CheckStatus.FAILED));
    s.put("skipped", report.count(CheckStatus.SKIPPED));
    ObjectNode checks = s.putObject("checks");
    for (CheckResult r : report.checks()) {
      checks.put(r.id(), r.status().name().toLowerCase(java.util.Locale.ROOT));
    }
    CheckResult run = report.check("run.greedy");
    if (run != null && run.details().containsKey("generatedIds")) {
      s.set("greedyIds", Json.MAPPER.valueToTree(run.details().get("generatedIds")));
    }
    CheckResult quality = report.check("quality.agreement");
    if (quality != null && quality.details().containsKey("topOneAgreement")) {
      s.put("topOneAgreement", ((Number) quality.details().get("topOneAgreement")).doubleValue());
      s.put(
          "meanKl",
          Math.round(((Number) quality.details().get("meanKl")).doubleValue() * 1e4) / 1e4);
    }
    CheckResult examples = report.check(ExamplesCheck.ID);
    if (examples != null && examples.details().containsKey("rates")) {
      s.set("examples", Json.MAPPER.valueToTree(examples.details().get("rates")));
    }
    return s;
  }

  /**
   * A self-contained HTML page: one row per check, its findings with file and fix, and its details.
   */
  public static String toHtml(ValidationReport report) {
    StringBuilder h = new StringBuilder();
    h.append(
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Edge-LLM validation</title>\n<style>\n")
        .append(
            "body{font-family:system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;width:100%}")
        .append(
            "th,td{border:1px solid #ccc;padding:.4em .6em;text-align:left;vertical-align:top}th{background:#f3f3f3}")
        .append(
            ".PASSED{color:#17692c}.WARNING{color:#8a5a00}.FAILED{color:#b00020;font-weight:bold}.SKIPPED{color:#777}")
        .append(
            "code{font-size:.9em}ul{margin:0;padding-left:1.2em}.fix{color:#555}\n</style>\n</head>\n<body>\n");
    h.append("<h1>Edge-LLM validation</h1>\n<p>Folder: <code>")
        .append(esc(report.directory().toString()))
        .append("</code>");
    if (report.modelFile() != null) {
      h.append(" &middot; model: <code>").append(esc(report.modelFile())).append("</code>");
    }
    h.append("</p>\n<p class=\"")
        .append(report.passed() ? "PASSED" : "FAILED")
        .append("\">")
        .append(esc(report.summary()))
        .append("</p>\n");
    h.append(
        "<table>\n<tr><th>Check</th><th>Status</th><th>Findings (file: problem, fix)</th><th>Details</th></tr>\n");
    for (CheckResult r : report.checks()) {
      h.append("<tr><td><code>")
          .append(esc(r.id()))
          .append("</code><br>")
          .append(esc(r.title()))
          .append("</td>");
      h.append("<td class=\"")
          .append(r.status().name())
          .append("\">")
          .append(r.status().name())
          .append("</td><td>");
      if (r.status() == CheckStatus.SKIPPED) {
        h.append(esc(r.skipReason()));
      }
      List<Finding> findings = r.findings();
      if (!findings.isEmpty()) {
        h.append("<ul>");
        for (Finding f : findings) {
          h.append("<li><span class=\"")
              .append(
                  f.severity() == Severity.ERROR
                      ? "FAILED"
                      : f.severity() == Severity.WARNING ? "WARNING" : "SKIPPED")
              .append("\">")
              .append(f.severity().name())
              .append("</span> ");
          if (!f.file().isEmpty()) {
            h.append("<code>").append(esc(f.file())).append("</code>: ");
          }
          h.append(esc(f.message()));
          if (!f.fix().isEmpty()) {
            h.append("<br><span class=\"fix\">Fix: ").append(esc(f.fix())).append("</span>");
          }
          h.append("</li>");
        }
        h.append("</ul>");
      }
      h.append("</td><td>");
      for (Map.Entry<String, Object> d : r.details().entrySet()) {
        if (d.getKey().equals("perExample")) {
          continue; // a table of its own below
        }
        h.append(esc(d.getKey()))
            .append(": <code>")
            .append(esc(String.valueOf(d.getValue())))
            .append("</code><br>");
      }
      h.append("</td></tr>\n");
    }
    h.append("</table>\n");
    CheckResult examples = report.check(ExamplesCheck.ID);
    if (examples != null && examples.details().get("perExample") instanceof List<?> rows) {
      examplesTable(h, examples, rows);
    }
    h.append("</body>\n</html>\n");
    return h.toString();
  }

  /**
   * One row per example: the query (and rendered prompt), what was expected, what each model did.
   */
  private static void examplesTable(StringBuilder h, CheckResult check, List<?> rows) {
    h.append("<h2>Examples</h2>\n");
    if (check.details().get("rates") instanceof Map<?, ?> rates) {
      h.append("<table>\n<tr><th>Model</th><th>Tool calls exact (name)</th>")
          .append(
              "<th>Tool calls exact (name and arguments)</th><th>Final answers exact</th></tr>\n");
      for (Map.Entry<?, ?> e : rates.entrySet()) {
        Map<?, ?> m = (Map<?, ?>) e.getValue();
        h.append("<tr><td>")
            .append(e.getKey().equals("reference") ? "fp32 reference" : "staged model")
            .append("</td><td>")
            .append(m.get("callsExact"))
            .append(" / ")
            .append(m.get("toolCallExamples"))
            .append("</td><td>")
            .append(m.get("argumentsExact"))
            .append(" / ")
            .append(m.get("toolCallExamples"))
            .append("</td><td>")
            .append(m.get("answersExact"))
            .append(" / ")
            .append(m.get("answerExamples"))
            .append("</td></tr>\n");
      }
      h.append("</table>\n");
    }
    boolean withReference = rows.stream().anyMatch(r -> ((Map<?, ?>) r).containsKey("reference"));
    h.append("<table>\n<tr><th>Example</th><th>Expected</th><th>Staged model</th>");
    if (withReference) {
      h.append("<th>fp32 reference</th>");
    }
    h.append("</tr>\n");
    for (Object o : rows) {
      Map<?, ?> row = (Map<?, ?>) o;
      h.append("<tr><td><code>")
          .append(esc(String.valueOf(row.get("id"))))
          .append("</code><br>")
          .append(esc(String.valueOf(row.get("query"))))
          .append("<details><summary>prompt</summary><pre>")
          .append(esc(String.valueOf(row.get("prompt"))))
          .append("</pre></details></td><td>");
      if (row.get("expectedCalls") instanceof List<?> calls) {
        for (Object c : calls) {
          h.append("<code>").append(esc(String.valueOf(c))).append("</code><br>");
        }
      }
      if (row.get("expectedAnswer") != null) {
        h.append(esc(String.valueOf(row.get("expectedAnswer"))));
      }
      h.append("</td>");
      outcomeCell(h, (Map<?, ?>) row.get("staged"));
      if (withReference) {
        outcomeCell(h, (Map<?, ?>) row.get("reference"));
      }
      h.append("</tr>\n");
    }
    h.append("</table>\n");
  }

  private static void outcomeCell(StringBuilder h, Map<?, ?> outcome) {
    h.append("<td>");
    if (outcome == null) {
      h.append("</td>");
      return;
    }
    if (outcome.containsKey("argumentsExact")) {
      boolean ok = Boolean.TRUE.equals(outcome.get("argumentsExact"));
      h.append("<span class=\"")
          .append(ok ? "PASSED" : "FAILED")
          .append("\">")
          .append(ok ? "call exact" : "call wrong")
          .append("</span> ");
      if (outcome.get("calls") instanceof List<?> calls && !calls.isEmpty()) {
        for (Object c : calls) {
          h.append("<code>").append(esc(String.valueOf(c))).append("</code> ");
        }
      } else {
        h.append("<code>").append(esc(String.valueOf(outcome.get("reply")))).append("</code>");
      }
      h.append("<br>");
    }
    if (outcome.containsKey("answerExact")) {
      boolean ok = Boolean.TRUE.equals(outcome.get("answerExact"));
      h.append("<span class=\"")
          .append(ok ? "PASSED" : "WARNING")
          .append("\">")
          .append(ok ? "answer exact" : "answer differs")
          .append("</span> ")
          .append(esc(String.valueOf(outcome.get("answer"))));
    }
    h.append("</td>");
  }

  static String esc(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder out = new StringBuilder(s.length());
    for (char c : s.toCharArray()) {
      switch (c) {
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '&' -> out.append("&amp;");
        case '"' -> out.append("&quot;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }
}
