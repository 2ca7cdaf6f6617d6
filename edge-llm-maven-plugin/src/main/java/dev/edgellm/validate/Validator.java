package dev.edgellm.validate;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.edgellm.maven.Properties;
import dev.edgellm.stage.Stager;
import dev.edgellm.util.AtomicFiles;
import dev.edgellm.util.DiskFullException;
import dev.edgellm.util.Json;
import dev.edgellm.util.Reporter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs every check on a staged folder, in an order where later checks can rely on earlier ones, and
 * writes {@code validation.json} and {@code validation.html}. The staged folder's edge-llm.json
 * gets the summary.
 */
public final class Validator {
  /** The checks, in the order they run. */
  public static List<Check> checks() {
    return List.of(
        new FilesPresentCheck(),
        new FilesJsonCheck(),
        new ManifestCheck(),
        new ModelLayoutCheck(),
        new ModelSizeCheck(),
        new ModelParsesCheck(),
        new ModelEmbeddedCheck(),
        new ExternalDataCheck(),
        new OpsetCheck(),
        new WebGpuOpsCheck(),
        new WasmOpsCheck(),
        new ModelTypeCheck(),
        new ContractIoCheck(),
        new TokenizerLoadsCheck(),
        new SpecialTokensCheck(),
        new VocabSizeCheck(),
        new ChatTemplateCheck(),
        new GenerationEosCheck(),
        new GreedyRunCheck(),
        new QualityCheck(),
        new ExamplesCheck());
  }

  private final Reporter log;

  public Validator(Reporter log) {
    this.log = log;
  }

  /** Runs all checks; never throws for a broken model (the report says what is wrong). */
  public ValidationReport validate(ValidationRequest request) throws IOException {
    ValidationContext ctx = new ValidationContext(request, log);
    List<CheckResult> results = new ArrayList<>();
    try {
      for (Check check : checks()) {
        CheckResult result = run(check, ctx);
        ctx.record(result);
        results.add(result);
        logResult(result);
      }
    } finally {
      ctx.close();
    }
    String model;
    try {
      model = ctx.modelFile();
    } catch (SkipCheck e) {
      model = null;
    }
    ValidationReport report =
        new ValidationReport(
            request.directory().toAbsolutePath().normalize(), model, List.copyOf(results));
    if (request.reportDirectory() != null) {
      Path dir = request.reportDirectory();
      try {
        AtomicFiles.writeString(
            dir.resolve("validation.json"), Json.pretty(ReportWriter.toJson(report)));
        AtomicFiles.writeString(dir.resolve("validation.html"), ReportWriter.toHtml(report));
      } catch (IOException e) {
        throw DiskFullException.typed(
            e, "The validation report", dir, Properties.VALIDATE_REPORT_DIRECTORY);
      }
      log.info("Validation report: " + dir.resolve("validation.html"));
    }
    recordInManifest(request.directory(), report);
    return report;
  }

  private CheckResult run(Check check, ValidationContext ctx) {
    Findings out = new Findings();
    String skip = null;
    try {
      check.run(ctx, out);
    } catch (SkipCheck e) {
      skip = e.getMessage();
    } catch (Exception | LinkageError e) {
      out.error(
          "",
          check.id() + " could not complete: " + e,
          "This is a bug in the check or a broken file; see the build log");
      log.debug("Check " + check.id() + " crashed: " + e);
    }
    boolean strict = ctx.request().strict();
    CheckStatus status;
    if (out.has(Severity.ERROR) || (strict && out.has(Severity.WARNING))) {
      status = CheckStatus.FAILED;
    } else if (skip != null) {
      status = CheckStatus.SKIPPED;
    } else if (out.has(Severity.WARNING)) {
      status = CheckStatus.WARNING;
    } else {
      status = CheckStatus.PASSED;
    }
    java.util.Map<String, Object> details = new java.util.LinkedHashMap<>(out.details());
    details.values().removeIf(java.util.Objects::isNull);
    return new CheckResult(
        check.id(),
        check.title(),
        status,
        skip,
        out.list(),
        java.util.Collections.unmodifiableMap(details));
  }

  private void logResult(CheckResult r) {
    switch (r.status()) {
      case PASSED -> log.info("  ok    " + r.id());
      case SKIPPED -> log.info("  skip  " + r.id() + ": " + r.skipReason());
      case WARNING, FAILED -> {
        for (Finding f : r.findings()) {
          if (f.severity() == Severity.INFO) {
            continue;
          }
          String line =
              (f.severity() == Severity.ERROR ? "  FAIL  " : "  warn  ")
                  + r.id()
                  + ": "
                  + f.message()
                  + (f.fix().isEmpty() ? "" : ". Fix: " + f.fix());
          log.warn(line);
        }
      }
    }
  }

  /** Writes the summary into the staged folder's edge-llm.json (when stage wrote one). */
  private void recordInManifest(Path directory, ValidationReport report) throws IOException {
    Path manifestFile = directory.resolve(Stager.MANIFEST);
    if (!Files.isRegularFile(manifestFile, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return; // none, or a link (not stage's: neither read through it nor replace it)
    }
    ObjectNode manifest;
    try {
      manifest = Json.readObject(manifestFile);
    } catch (IOException e) {
      return; // files.manifest reported it
    }
    manifest.set("validation", ReportWriter.summaryJson(report));
    String text = Json.pretty(manifest);
    if (text.equals(Files.readString(manifestFile, java.nio.charset.StandardCharsets.UTF_8))) {
      return; // same summary as before: leave the staged file (and its time) as it is
    }
    AtomicFiles.writeString(manifestFile, text);
  }
}
