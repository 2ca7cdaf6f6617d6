package dev.edgellm.validate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.edgellm.export.Embeddings;
import dev.edgellm.export.ExportRequest;
import dev.edgellm.export.Exporter;
import dev.edgellm.export.Precision;
import dev.edgellm.quantize.Keep;
import dev.edgellm.quantize.ModelQuantizer;
import dev.edgellm.quantize.QuantizeMethod;
import dev.edgellm.quantize.QuantizeRequest;
import dev.edgellm.stage.Layout;
import dev.edgellm.stage.StageRequest;
import dev.edgellm.stage.Stager;
import dev.edgellm.testing.Fixtures;
import dev.edgellm.testing.RecordingReporter;
import dev.edgellm.util.Json;
import dev.edgellm.util.Reporter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code quality.examples} on the trained tiny FunctionGemma: the fp32 export reproduces all 44
 * tool loops; quantize's default (fp32 embedding) keeps every call and passes; an export with the
 * shared 4-bit embedding loses calls and fails, naming them.
 */
class ExamplesCheckTest {
  static final Path CHECKPOINT = Fixtures.tiny("tiny-functiongemma");
  static final Path TOOLS = Path.of("src/test/resources/tools");

  @TempDir static Path tmp;
  static Path fp32;
  static Path q4;
  static Path q4Shared;
  static Path q4Default;
  static Path examples;
  static Path tools;

  @BeforeAll
  static void models() throws Exception {
    Exporter exporter = new Exporter(Reporter.silent());
    fp32 = exporter.export(ExportRequest.fp32(CHECKPOINT, tmp.resolve("fp32"))).model();
    q4 = tmp.resolve("q4/model.onnx");
    Files.createDirectories(q4.getParent());
    ModelQuantizer.run(QuantizeRequest.of(fp32, q4), Reporter.silent());
    // round to nearest, all 4-bit: the export before issue 13's default
    q4Shared =
        exporter
            .export(
                new ExportRequest(
                        CHECKPOINT, tmp.resolve("q4-shared"), Precision.Q4, Embeddings.SHARED)
                    .withMethod(QuantizeMethod.RTN)
                    .withKeep(Keep.NONE))
            .model();
    q4Default =
        exporter
            .export(
                new ExportRequest(
                    CHECKPOINT, tmp.resolve("q4-default"), Precision.Q4, Embeddings.SHARED))
            .model();
    // The model was trained with the first 44 examples and these three tools declared.
    examples = TOOLS.resolve("training-examples.json");
    tools = tmp.resolve("tools.json");
    Files.writeString(
        tools, Json.pretty(Json.read(CHECKPOINT.resolve("tool-calls.json")).get("tools")));
  }

  /** The 44 training examples with the three tools, at the default accuracies. */
  private static ExampleGate gate() {
    return new ExampleGate(
        examples,
        tools,
        ExampleGate.DEFAULT_MIN_TOOL_CALL_ACCURACY,
        ExampleGate.DEFAULT_MIN_ANSWER_ACCURACY,
        44,
        ExampleGate.DEFAULT_MAX_NEW_TOKENS);
  }

  private static ValidationReport validate(Path model, String name, List<String> log)
      throws Exception {
    Path staged = tmp.resolve("public/models/" + name);
    new Stager(Reporter.silent()).stage(new StageRequest(CHECKPOINT, model, staged, Layout.LOCAL));
    ValidationRequest request =
        ValidationRequest.of(staged)
            .withReference(fp32, true)
            .withReportDirectory(tmp.resolve("report-" + name))
            .withExamples(gate());
    return new Validator(new RecordingReporter(log, "", "WARN ")).validate(request);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> rates(CheckResult r, String model) {
    return (Map<String, Object>) ((Map<String, Object>) r.details().get("rates")).get(model);
  }

  @Test
  void quantizeDefaultKeepsEveryCallAndPasses() throws Exception {
    List<String> log = new ArrayList<>();
    ValidationReport report = validate(q4, "q4", log);
    CheckResult r = report.check(ExamplesCheck.ID);
    System.out.println("quantize default: " + r.details().get("rates"));
    assertThat(r.status()).isIn(CheckStatus.PASSED, CheckStatus.WARNING);
    assertThat(rates(r, "reference"))
        .containsEntry("toolCallExamples", 44)
        .containsEntry("argumentsExact", 44)
        .containsEntry("answersExact", 44);
    assertThat(rates(r, "staged")).containsEntry("argumentsExact", 44);
    assertThat((int) rates(r, "staged").get("answersExact")).isGreaterThanOrEqualTo(40);
    assertThat(report.passed()).isTrue();
    // the generic top-1 gate only warns when examples are given
    assertThat(report.check("quality.agreement").status()).isNotEqualTo(CheckStatus.FAILED);
    assertThat(log).anyMatch(l -> l.contains("examples [staged] 44/44"));
    String json = Files.readString(tmp.resolve("report-q4/validation.json"));
    assertThat(json).contains("\"perExample\"").contains("What is 15 plus 27?");
    assertThat(Files.readString(tmp.resolve("report-q4/validation.html")))
        .contains("15 plus 27 equals 42.");
  }

  /** The default q4 export (search, the tied lm_head kept at 8 bits): every call and answer. */
  @Test
  void defaultSharedExportKeepsEveryCallAndAnswer() throws Exception {
    List<String> log = new ArrayList<>();
    ValidationReport report = validate(q4Default, "q4-default", log);
    CheckResult r = report.check(ExamplesCheck.ID);
    System.out.println("default q4 export: " + r.details().get("rates"));
    assertThat(rates(r, "staged"))
        .containsEntry("argumentsExact", 44)
        .containsEntry("answersExact", 44);
    assertThat(r.status()).isEqualTo(CheckStatus.PASSED);
  }

  /**
   * A base model (tinystories-656k: no chat template) in an app that ships the demo's tool
   * examples: the examples do not apply, so quality.examples is skipped saying why and the top-1
   * agreement is the gate again, at its default 0.9, which the default 4-bit passes (0.908).
   */
  @Test
  void baseModelWithoutChatTemplateIsGatedByTopOneAgreement() throws Exception {
    Path ckpt =
        Path.of(
            System.getProperty("edgellm.sharedFixtures", "../../shared/fixtures"),
            "models",
            "tinystories-656k");
    assumeTrue(Files.isDirectory(ckpt), "../shared/fixtures/models/tinystories-656k is absent");
    Path ref =
        new Exporter(Reporter.silent()).export(ExportRequest.fp32(ckpt, tmp.resolve("ts"))).model();
    Path q = tmp.resolve("ts-q4/model.onnx");
    Files.createDirectories(q.getParent());
    ModelQuantizer.run(QuantizeRequest.of(ref, q), Reporter.silent());
    Path staged = tmp.resolve("public/models/ts");
    new Stager(Reporter.silent()).stage(new StageRequest(ckpt, q, staged, Layout.LOCAL));
    ValidationReport report =
        new Validator(Reporter.silent())
            .validate(
                ValidationRequest.of(staged)
                    .withReference(ref, true)
                    .withReportDirectory(tmp.resolve("report-ts"))
                    .withExamples(gate()));
    CheckResult ex = report.check(ExamplesCheck.ID);
    assertThat(ex.status()).isEqualTo(CheckStatus.SKIPPED);
    assertThat(ex.skipReason()).contains("no chat template");
    CheckResult agreement = report.check(QualityCheck.ID);
    assertThat(agreement.status()).isEqualTo(CheckStatus.PASSED);
    assertThat((double) agreement.details().get("topOneAgreement")).isGreaterThanOrEqualTo(0.9);
    assertThat(report.passed()).isTrue();
  }

  @Test
  void sharedFourBitEmbeddingLosesCallsAndFailsNamingThem() throws Exception {
    List<String> log = new ArrayList<>();
    ValidationReport report = validate(q4Shared, "q4-shared", log);
    CheckResult r = report.check(ExamplesCheck.ID);
    System.out.println("shared 4-bit embedding: " + r.details().get("rates"));
    assertThat(r.status()).isEqualTo(CheckStatus.FAILED);
    assertThat((int) rates(r, "staged").get("argumentsExact")).isLessThan(44);
    assertThat(report.passed()).isFalse();
    String error = r.headline();
    System.out.println(error);
    assertThat(error).contains("minToolCallAccuracy").contains("training-examples.json #");
  }
}
