package dev.edgellm.validate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.edgellm.onnx.proto.TensorProto;
import dev.edgellm.stage.Layout;
import dev.edgellm.testing.Fixtures;
import dev.edgellm.testing.TinyDecoder;
import dev.edgellm.util.Json;
import dev.edgellm.util.Reporter;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Breaks a staged model in each way the seed guide lists (and more) and asserts the specific check
 * fails.
 */
class ValidatorTest {
  @TempDir Path tmp;

  private ValidationReport validate(Path dir) throws Exception {
    return validate(ValidationRequest.of(dir).withReportDirectory(tmp.resolve("report")));
  }

  private ValidationReport validate(ValidationRequest request) throws Exception {
    return new Validator(Reporter.silent()).validate(request);
  }

  private Path staged() throws Exception {
    return Fixtures.stagedTinyLlama(tmp, new TinyDecoder(), Layout.LOCAL);
  }

  private Path staged(Consumer<TinyDecoder> change) throws Exception {
    TinyDecoder d = new TinyDecoder();
    change.accept(d);
    return Fixtures.stagedTinyLlama(tmp, d, Layout.LOCAL);
  }

  private static void editJson(Path file, Consumer<ObjectNode> edit) throws Exception {
    ObjectNode node = Json.readObject(file);
    edit.accept(node);
    Files.writeString(file, Json.pretty(node));
  }

  private static CheckStatus status(ValidationReport report, String id) {
    return report.check(id).status();
  }

  private static String errors(ValidationReport report, String id) {
    return report.check(id).findings().stream()
        .filter(f -> f.severity() == Severity.ERROR)
        .map(f -> f.file() + ": " + f.message() + " Fix: " + f.fix())
        .reduce("", (a, b) -> a + b + "\n");
  }

  @Test
  void aWellStagedModelPassesEveryCheckAndRunsForReal() throws Exception {
    Path dir = staged();
    ValidationReport report = validate(dir);
    assertThat(report.passed()).as(report.summary()).isTrue();
    assertThat(report.checks())
        .extracting(CheckResult::id)
        .containsExactly(
            "files.present",
            "files.json",
            "files.manifest",
            "model.layout",
            "model.size",
            "model.parses",
            "model.embedded",
            "model.external-data",
            "model.opset",
            "ops.webgpu",
            "ops.wasm",
            "contract.model-type",
            "contract.io",
            "tokenizer.loads",
            "tokenizer.special-tokens",
            "tokenizer.vocab-size",
            "tokenizer.chat-template",
            "generation.eos",
            "run.greedy",
            "quality.agreement",
            "quality.examples");
    CheckResult run = report.check("run.greedy");
    assertThat(run.status()).isEqualTo(CheckStatus.PASSED);
    assertThat((java.util.List<?>) run.details().get("generatedIds")).hasSize(9);
    assertThat((Double) run.details().get("cachedVsUncached")).isLessThan(1e-4);
    assertThat(status(report, "quality.agreement")).isEqualTo(CheckStatus.SKIPPED);
    assertThat(status(report, "quality.examples")).isEqualTo(CheckStatus.SKIPPED);
    // one embedded file, no chunk declared: nothing to fetch, the check holds
    assertThat(status(report, "model.external-data")).isEqualTo(CheckStatus.PASSED);
    assertThat(report.check("contract.io").details())
        .containsEntry("layers", 3)
        .containsEntry("kvHeads", 2)
        .containsEntry("headDim", 16);

    // report files and the summary in edge-llm.json
    JsonNode json = Json.read(tmp.resolve("report/validation.json"));
    assertThat(json.path("passed").asBoolean()).isTrue();
    assertThat(json.path("checks")).hasSize(21);
    String html = Files.readString(tmp.resolve("report/validation.html"));
    assertThat(html).contains("<table>").contains("run.greedy").contains("PASSED");
    JsonNode manifest = Json.read(dir.resolve("edge-llm.json"));
    assertThat(manifest.path("validation").path("status").asText()).isEqualTo("passed");
    assertThat(manifest.path("validation").path("greedyIds")).hasSize(9);
  }

  // ---- files -----------------------------------------------------------------------------------

  @Test
  void missingTokenizerFailsFilesPresent() throws Exception {
    Path dir = staged();
    Files.delete(dir.resolve("tokenizer.json"));
    ValidationReport report = validate(dir);
    assertThat(status(report, "files.present")).isEqualTo(CheckStatus.FAILED);
    assertThat(errors(report, "files.present")).contains("tokenizer.json is missing");
    assertThat(status(report, "tokenizer.loads")).isEqualTo(CheckStatus.SKIPPED);
  }

  @Test
  void invalidJsonFailsFilesJson() throws Exception {
    Path dir = staged();
    Files.writeString(dir.resolve("generation_config.json"), "{\"eos_token_id\": 1,");
    ValidationReport report = validate(dir);
    assertThat(status(report, "files.json")).isEqualTo(CheckStatus.FAILED);
    assertThat(errors(report, "files.json"))
        .startsWith("generation_config.json: generation_config.json is not valid JSON");
  }

  @Test
  void aFileEditedAfterStagingFailsFilesManifest() throws Exception {
    Path dir = staged();
    Path file = dir.resolve("tokenizer_config.json");
    Files.writeString(
        file, Files.readString(file).replace("PreTrainedTokenizerFast", "PreTrainedTokenizerFasT"));
    ValidationReport report = validate(dir);
    assertThat(status(report, "files.manifest")).isEqualTo(CheckStatus.FAILED);
    assertThat(errors(report, "files.manifest"))
        .contains("tokenizer_config.json changed since staging");
  }

  // ---- model file
  // --------------------------------------------------------------------------------

  @Test
  void modelQ4NameWithFp32DtypeFailsModelLayout() throws Exception {
    Path dir = staged();
    Files.move(dir.resolve("onnx/model.onnx"), dir.resolve("onnx/model_q4.onnx"));
    ValidationReport report = validate(dir);
    assertThat(status(report, "model.layout")).isEqualTo(CheckStatus.FAILED);
    assertThat(errors(report, "model.layout"))
        .contains(
            "declares dtype fp32, so Transformers.js requests onnx/model.onnx, which does not exist")
        .contains("session creation fails")
        .contains(
            "Rename onnx/model_q4.onnx to onnx/model.onnx, or set transformers.js_config.dtype to q4");
  }

  @Test
  void q4DtypeWithModelOnnxFailsModelLayout() throws Exception {
    Path dir = staged();
    editJson(
        dir.resolve("config.json"),
        c -> ((ObjectNode) c.get("transformers.js_config")).put("dtype", "q4"));
    ValidationReport report = validate(dir);
    assertThat(status(report, "model.layout")).isEqualTo(CheckStatus.FAILED);
    assertThat(errors(report, "model.layout")).contains("requests onnx/model_q4.onnx");
  }

  @Test
  void missingDtypeFailsModelLayout() throws Exception {
    Path dir = staged();
    editJson(dir.resolve("config.json"), c -> c.remove("transformers.js_config"));
    ValidationReport report = validate(dir);
    assertThat(status(report, "model.layout")).isEqualTo(CheckStatus.FAILED);
    assertThat(errors(report, "model.layout")).contains("model_quantized.onnx");
  }

  @Test
  void externalDataFailsModelEmbedded() throws Exception {
    Path dir = staged();
    TinyDecoder.with(d -> d.externalEmbedding = true).write(dir.resolve("onnx/model.onnx"));
    ValidationReport report = validate(dir);
    assertThat(status(report, "model.embedded")).isEqualTo(CheckStatus.FAILED);
    assertThat(errors(report, "model.embedded"))
        .contains("onnx/model.onnx.data looks like an external data file")
        .contains("keeps 131072 bytes of weights in external data (model.onnx.data)");
    assertThat(status(report, "run.greedy")).isEqualTo(CheckStatus.SKIPPED);
  }

  @Test
  void externalDataDeclaredForAnEmbeddedModelFailsModelExternalData() throws Exception {
    Path dir = staged();
    editJson(
        dir.resolve("config.json"),
        c ->
            ((ObjectNode) c.get("transformers.js_config"))
                .putObject("use_external_data_format")
                .put("model", 1));
    ValidationReport report = validate(dir);
    assertThat(status(report, "model.external-data")).isEqualTo(CheckStatus.FAILED);
    assertThat(errors(report, "model.external-data"))
        .contains(
            "declares 1 chunk(s) for model.onnx: Transformers.js requests onnx/model.onnx_data");
  }

  @Test
  void aModelOver2GiBFailsModelSize() throws Exception {
    Path dir = staged();
    try (RandomAccessFile f = new RandomAccessFile(dir.resolve("onnx/model.onnx").toFile(), "rw")) {
      f.setLength((2L << 30) + 1024); // sparse: takes no disk space
    }
    ValidationReport report = validate(dir);
    assertThat(status(report, "model.size")).isEqualTo(CheckStatus.FAILED);
    assertThat(errors(report, "model.size")).contains("over protobuf's 2 GiB limit");
    assertThat(status(report, "model.parses")).isEqualTo(CheckStatus.FAILED);
    assertThat(status(report, "run.greedy")).isEqualTo(CheckStatus.SKIPPED);
  }

  @Test
  void aTruncatedModelFailsModelParses() throws Exception {
    Path dir = staged();
    Path model = dir.resolve("onnx/model.onnx");
    byte[] bytes = Files.readAllBytes(model);
    Files.write(model, java.util.Arrays.copyOf(bytes, bytes.length / 2));
    ValidationReport report = validate(dir);
    assertThat(status(report, "model.parses")).isEqualTo(CheckStatus.FAILED);
    assertThat(errors(report, "model.parses")).contains("the model does not parse");
  }

  // ---- ops -------------------------------------------------------------------------------------

  @Test
  void anOpsetNewerThanOnnxruntimeWebFailsModelOpset() throws Exception {
    Path dir = staged(d -> d.opset = 30);
    ValidationReport report = validate(dir);
    assertThat(status(report, "model.opset")).isEqualTo(CheckStatus.FAILED);
    assertThat(errors(report, "model.opset"))
        .contains("imports ONNX opset 30; onnxruntime-web 1.30 runs opsets 7 to 25");
  }

  @Test
  void anOpWithoutWebGpuKernelFailsOpsWebgpuAndNamesTheNode() throws Exception {
    Path dir = staged(d -> d.extraOp = "Mod");
    ValidationReport report = validate(dir);
    assertThat(status(report, "ops.webgpu")).isEqualTo(CheckStatus.FAILED);
    assertThat(errors(report, "ops.webgpu"))
        .contains("Mod has no WebGPU kernel")
        .contains("(Mod_")
        .contains("would run on the CPU");
    // The CPU (onnxruntime for Java) still runs it.
    assertThat(status(report, "run.greedy")).isEqualTo(CheckStatus.PASSED);

    ValidationRequest lenient = new ValidationRequest(dir, null, false, 0.9, 8, true, false, null);
    assertThat(validate(lenient).check("ops.webgpu").status()).isEqualTo(CheckStatus.WARNING);
  }

  @Test
  void theWebGpuKernelListCoversDecoderOpsAndKnowsOpsets() {
    assertThat(WebGpuKernels.supports("com.microsoft", "GroupQueryAttention", 1)).isTrue();
    assertThat(WebGpuKernels.supports("com.microsoft", "MatMulNBits", 1)).isTrue();
    assertThat(WebGpuKernels.supports("com.microsoft", "GatherBlockQuantized", 1)).isTrue();
    assertThat(WebGpuKernels.supports("", "SimplifiedLayerNormalization", 17)).isTrue();
    assertThat(WebGpuKernels.supports("ai.onnx", "RMSNormalization", 23)).isTrue();
    assertThat(WebGpuKernels.supports("", "RMSNormalization", 21)).isFalse();
    assertThat(WebGpuKernels.supports("", "Gelu", 17)).isFalse();
    assertThat(WebGpuKernels.supports("", "NonZero", 17)).isFalse();
    assertThat(WebGpuKernels.supports("", "GridSample", 20)).isFalse();
  }

  @Test
  void groupQueryAttentionWithSoftcapIsAWrongResultOnWebGpu() {
    dev.edgellm.onnx.proto.NodeProto capped =
        dev.edgellm.onnx.NodeBuilder.op("GroupQueryAttention", "/l0/gqa")
            .ms()
            .attr("num_heads", 4L)
            .attr("softcap", 50f)
            .build("y");
    assertThat(WebGpuKernels.wrongResult("com.microsoft", capped))
        .contains("softcap 50.0")
        .contains("ignores softcap");
    dev.edgellm.onnx.proto.NodeProto plain =
        dev.edgellm.onnx.NodeBuilder.op("GroupQueryAttention", "/l0/gqa")
            .ms()
            .attr("num_heads", 4L)
            .attr("softcap", 0f)
            .build("y");
    assertThat(WebGpuKernels.wrongResult("com.microsoft", plain)).isNull();
  }

  // ---- contract --------------------------------------------------------------------------------

  @Test
  void anUnsupportedModelTypeFailsContractModelType() throws Exception {
    Path dir = staged();
    editJson(dir.resolve("config.json"), c -> c.put("model_type", "t5"));
    ValidationReport report = validate(dir);
    assertThat(status(report, "contract.model-type")).isEqualTo(CheckStatus.FAILED);
    assertThat(errors(report, "contract.model-type"))
        .contains("model_type 't5' is not one Transformers.js 4.x loads");
  }

  @Test
  void aLayerCountDifferentFromConfigFailsContractIo() throws Exception {
    Path dir = staged(d -> d.layers = 2);
    ValidationReport report = validate(dir);
    assertThat(status(report, "contract.io")).isEqualTo(CheckStatus.FAILED);
    assertThat(errors(report, "contract.io")).contains("Input past_key_values.2.key is missing");
    assertThat(status(report, "run.greedy")).isEqualTo(CheckStatus.SKIPPED);
  }

  @Test
  void kvHeadsDifferentFromConfigFailContractIo() throws Exception {
    Path dir = staged();
    editJson(dir.resolve("config.json"), c -> c.put("num_key_value_heads", 4));
    ValidationReport report = validate(dir);
    assertThat(status(report, "contract.io")).isEqualTo(CheckStatus.FAILED);
    assertThat(errors(report, "contract.io"))
        .contains("second (KV heads) dim is 2 but config.json gives num_key_value_heads = 4");
  }

  @Test
  void symbolicHeadDimsFailContractIo() throws Exception {
    Path dir = staged(d -> d.numericHeadDims = false);
    ValidationReport report = validate(dir);
    assertThat(status(report, "contract.io")).isEqualTo(CheckStatus.FAILED);
    assertThat(errors(report, "contract.io"))
        .contains("dim is symbolic ('num_heads'): Transformers.js 4.x turns it into 0");
  }

  @Test
  void aBatchDimNotNamedBatchSizeFailsContractIo() throws Exception {
    Path dir = staged(d -> d.batchDim = "batch");
    ValidationReport report = validate(dir);
    assertThat(status(report, "contract.io")).isEqualTo(CheckStatus.FAILED);
    assertThat(errors(report, "contract.io"))
        .contains("first dim is 'batch'")
        .contains("Name the cache's first dim 'batch_size'");
  }

  @Test
  void aNumLogitsToKeepThatIsNotAnInt64ScalarFailsContractIo() throws Exception {
    Path dir = staged(d -> d.ignoredLogitsToKeepType = TensorProto.DataType.FLOAT_VALUE);
    ValidationReport report = validate(dir);
    assertThat(status(report, "contract.io")).isEqualTo(CheckStatus.FAILED);
    assertThat(errors(report, "contract.io"))
        .contains("Input num_logits_to_keep is of ONNX type 1 with 0 dims")
        .contains("int64 scalar");
  }

  @Test
  void aNumLogitsToKeepTheGraphIgnoresFailsRunGreedy() throws Exception {
    Path dir = staged(d -> d.ignoredLogitsToKeepType = TensorProto.DataType.INT64_VALUE);
    ValidationReport report = validate(dir);
    assertThat(status(report, "contract.io")).isEqualTo(CheckStatus.PASSED);
    assertThat(report.check("contract.io").details()).containsEntry("numLogitsToKeep", true);
    assertThat(status(report, "run.greedy")).isEqualTo(CheckStatus.FAILED);
    assertThat(errors(report, "run.greedy"))
        .contains("With num_logits_to_keep = 1 the prefill of 24 tokens returned logits for 24");
  }

  @Test
  void aHeadDimDifferentFromConfigFailsContractIo() throws Exception {
    Path dir = staged();
    editJson(dir.resolve("config.json"), c -> c.put("head_dim", 32));
    ValidationReport report = validate(dir);
    assertThat(errors(report, "contract.io"))
        .contains("fourth (head size) dim is 16 but config.json gives head_dim = 32");
  }

  // ---- tokenizer
  // ---------------------------------------------------------------------------------

  @Test
  void anUnknownTokenizerModelFailsTokenizerLoads() throws Exception {
    Path dir = staged();
    editJson(
        dir.resolve("tokenizer.json"), t -> ((ObjectNode) t.get("model")).put("type", "Magic"));
    ValidationReport report = validate(dir);
    assertThat(status(report, "tokenizer.loads")).isEqualTo(CheckStatus.FAILED);
    assertThat(errors(report, "tokenizer.loads")).contains("unknown model type 'Magic'");
  }

  @Test
  void aSpecialTokenMissingFromTheVocabularyFailsSpecialTokens() throws Exception {
    Path dir = staged();
    editJson(dir.resolve("tokenizer_config.json"), t -> t.put("eos_token", "<|im_end|>"));
    ValidationReport report = validate(dir);
    assertThat(status(report, "tokenizer.special-tokens")).isEqualTo(CheckStatus.FAILED);
    assertThat(errors(report, "tokenizer.special-tokens"))
        .contains("eos_token '<|im_end|>' is not in tokenizer.json's vocabulary");
  }

  @Test
  void aTokenizerLargerThanTheVocabularyFailsVocabSize() throws Exception {
    Path dir = staged();
    editJson(
        dir.resolve("tokenizer.json"),
        t -> {
          ObjectNode extra =
              ((com.fasterxml.jackson.databind.node.ArrayNode) t.get("added_tokens")).addObject();
          extra.put("id", 600).put("content", "<extra>").put("special", true);
        });
    ValidationReport report = validate(dir);
    assertThat(status(report, "tokenizer.vocab-size")).isEqualTo(CheckStatus.FAILED);
    assertThat(errors(report, "tokenizer.vocab-size"))
        .contains("ids up to 600 but config.json's vocab_size is 512");
  }

  @Test
  void aChatTemplateLeftInAJinjaFileFailsChatTemplate() throws Exception {
    Path dir = staged();
    editJson(dir.resolve("tokenizer_config.json"), t -> t.remove("chat_template"));
    Files.writeString(dir.resolve("chat_template.jinja"), "{{ messages }}");
    ValidationReport report = validate(dir);
    assertThat(status(report, "tokenizer.chat-template")).isEqualTo(CheckStatus.FAILED);
    assertThat(errors(report, "tokenizer.chat-template"))
        .contains("reads it only from tokenizer_config.json");
  }

  /** Issue 14, defect 6: a chat_template that is not a template fails, naming the file. */
  @Test
  void aChatTemplateThatIsNotAStringOrANamedListFails() throws Exception {
    Path dir = staged();
    editJson(dir.resolve("tokenizer_config.json"), t -> t.put("chat_template", 42));
    ValidationReport report = validate(dir);
    assertThat(status(report, "tokenizer.chat-template")).isEqualTo(CheckStatus.FAILED);
    assertThat(errors(report, "tokenizer.chat-template")).contains("chat_template is a number");

    editJson(dir.resolve("tokenizer_config.json"), t -> t.putArray("chat_template").add(1).add(2));
    assertThat(errors(validate(dir), "tokenizer.chat-template"))
        .contains("chat_template has entry 0 that is not a");
  }

  @Test
  void namedChatTemplatesPassWithADefaultAndWarnWithout() throws Exception {
    Path dir = staged();
    editJson(
        dir.resolve("tokenizer_config.json"),
        t -> {
          var list = t.putArray("chat_template");
          list.addObject().put("name", "default").put("template", "{{ messages }}");
          list.addObject().put("name", "tool_use").put("template", "{{ tools }}");
        });
    assertThat(status(validate(dir), "tokenizer.chat-template")).isEqualTo(CheckStatus.PASSED);
    editJson(
        dir.resolve("tokenizer_config.json"),
        t ->
            ((com.fasterxml.jackson.databind.node.ObjectNode) t.get("chat_template").get(0))
                .put("name", "chat"));
    assertThat(status(validate(dir), "tokenizer.chat-template")).isEqualTo(CheckStatus.WARNING);
  }

  @Test
  void noChatTemplateIsAWarningForABaseModel() throws Exception {
    Path dir =
        Fixtures.stagedTinyLlama(
            tmp,
            new TinyDecoder(),
            Layout.LOCAL,
            c -> editJson(c.resolve("tokenizer_config.json"), t -> t.remove("chat_template")));
    ValidationReport report = validate(dir);
    assertThat(status(report, "tokenizer.chat-template")).isEqualTo(CheckStatus.WARNING);
    assertThat(report.passed()).isTrue();
    ValidationRequest strict = new ValidationRequest(dir, null, false, 0.9, 8, false, true, null);
    assertThat(validate(strict).check("tokenizer.chat-template").status())
        .isEqualTo(CheckStatus.FAILED);
  }

  @Test
  void anEosIdOutsideTheVocabularyFailsGenerationEos() throws Exception {
    Path dir = staged();
    editJson(
        dir.resolve("generation_config.json"), g -> g.putArray("eos_token_id").add(1).add(9999));
    ValidationReport report = validate(dir);
    assertThat(status(report, "generation.eos")).isEqualTo(CheckStatus.FAILED);
    assertThat(errors(report, "generation.eos"))
        .contains("eos_token_id 9999 is not a token of tokenizer.json");
  }

  // ---- real run, quality
  // -------------------------------------------------------------------------

  @Test
  void aCacheThatDoesNotGrowFailsRunGreedy() throws Exception {
    Path dir = staged(d -> d.concatCache = false);
    ValidationReport report = validate(dir);
    assertThat(status(report, "contract.io")).isEqualTo(CheckStatus.PASSED);
    assertThat(status(report, "run.greedy")).isEqualTo(CheckStatus.FAILED);
    assertThat(errors(report, "run.greedy"))
        .contains("the cache does not grow by one position per step");
  }

  @Test
  void aFourBitHeadAgreesWithItsFp32ReferenceAndPassesTheQualityGate() throws Exception {
    Path dir = staged(d -> d.quantizedHead = true);
    Path reference = new TinyDecoder().write(tmp.resolve("fp32/model.onnx"));
    ValidationReport report = validate(ValidationRequest.of(dir).withReference(reference, true));
    CheckResult quality = report.check("quality.agreement");
    System.out.println("q4 head vs fp32: " + quality.details());
    assertThat(quality.status()).as(quality.headline()).isEqualTo(CheckStatus.PASSED);
    assertThat((Double) quality.details().get("topOneAgreement")).isGreaterThanOrEqualTo(0.9);
    assertThat((Double) quality.details().get("meanKl")).isLessThan(0.05);
    assertThat((Double) quality.details().get("perplexityRatio")).isBetween(0.8, 1.25);
    assertThat(quality.details().get("positions")).isEqualTo(SampleText.MAX_IDS);
  }

  @Test
  void aModelFarFromItsReferenceFailsTheQualityGate() throws Exception {
    Path dir = staged();
    Path reference = TinyDecoder.with(d -> d.headShift = 1).write(tmp.resolve("fp32/model.onnx"));
    ValidationReport report = validate(ValidationRequest.of(dir).withReference(reference, true));
    assertThat(status(report, "quality.agreement")).isEqualTo(CheckStatus.FAILED);
    assertThat(errors(report, "quality.agreement"))
        .contains("below edgellm.validate.minTopOneAgreement 90.0%");
    // the threshold is a setting
    ValidationReport lenient =
        validate(
            ValidationRequest.of(dir).withReference(reference, true).withMinTopOneAgreement(0));
    assertThat(status(lenient, "quality.agreement")).isEqualTo(CheckStatus.PASSED);
  }

  @Test
  void aMissingExplicitReferenceFailsButADefaultOneIsSkipped() throws Exception {
    Path dir = staged();
    Path absent = tmp.resolve("nope/model.onnx");
    assertThat(
            status(
                validate(ValidationRequest.of(dir).withReference(absent, true)),
                "quality.agreement"))
        .isEqualTo(CheckStatus.FAILED);
    assertThat(
            status(
                validate(ValidationRequest.of(dir).withReference(absent, false)),
                "quality.agreement"))
        .isEqualTo(CheckStatus.SKIPPED);
  }
}
