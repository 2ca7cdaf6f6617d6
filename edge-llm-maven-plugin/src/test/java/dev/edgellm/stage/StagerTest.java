package dev.edgellm.stage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.edgellm.testing.Fixtures;
import dev.edgellm.testing.RecordingReporter;
import dev.edgellm.testing.TinyDecoder;
import dev.edgellm.util.Json;
import dev.edgellm.util.Reporter;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StagerTest {
  @TempDir Path tmp;

  private final List<String> logged = new ArrayList<>();
  private final Reporter log = new RecordingReporter(logged, "INFO ", "WARN ");

  private Path checkpoint() {
    return Fixtures.tinyLlamaCheckpoint(tmp.resolve("ckpt/tiny-llama"));
  }

  private Path model(TinyDecoder d) throws Exception {
    return d.write(tmp.resolve("target/edge-llm/model-q4/model.onnx"));
  }

  private StageResult stage(Path checkpoint, Path model, Path target, Layout layout)
      throws Exception {
    return new Stager(log).stage(new StageRequest(checkpoint, model, target, layout));
  }

  private static List<String> files(Path dir) throws Exception {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile)
          .map(p -> dir.relativize(p).toString())
          .sorted()
          .toList();
    }
  }

  private static String sha256(Path file) throws Exception {
    MessageDigest d = MessageDigest.getInstance("SHA-256");
    try (InputStream in = Files.newInputStream(file)) {
      d.update(in.readAllBytes());
    }
    return HexFormat.of().formatHex(d.digest());
  }

  @Test
  void localLayoutWritesEveryFileTransformersJsNeeds() throws Exception {
    Path ckpt = checkpoint();
    Path target = tmp.resolve("public/models/tiny-llama");
    StageResult result = stage(ckpt, model(new TinyDecoder()), target, Layout.LOCAL);

    assertThat(files(target))
        .containsExactly(
            "config.json",
            "edge-llm.json",
            "generation_config.json",
            "onnx/model.onnx",
            "tokenizer.json",
            "tokenizer_config.json");
    assertThat(result.modelFile()).isEqualTo("onnx/model.onnx");
    assertThat(result.dtype()).isEqualTo("fp32");

    // config.json: every original key kept with its value, plus the dtype
    JsonNode original = Json.read(ckpt.resolve("config.json"));
    JsonNode staged = Json.read(target.resolve("config.json"));
    for (Iterator<Map.Entry<String, JsonNode>> it = original.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      assertThat(staged.get(e.getKey())).as(e.getKey()).isEqualTo(e.getValue());
    }
    assertThat(staged.path("transformers.js_config").path("dtype").asText()).isEqualTo("fp32");
    assertThat(Files.readString(target.resolve("config.json")))
        .contains("\"rms_norm_eps\" : 0.000001", "\"attention_dropout\" : 0.0")
        .doesNotContain("\r");

    // tokenizer files and generation config copied byte for byte
    for (String f : List.of("tokenizer.json", "tokenizer_config.json", "generation_config.json")) {
      assertThat(Files.mismatch(ckpt.resolve(f), target.resolve(f))).as(f).isEqualTo(-1);
    }
    assertThat(
            Files.mismatch(
                tmp.resolve("target/edge-llm/model-q4/model.onnx"),
                target.resolve("onnx/model.onnx")))
        .isEqualTo(-1);

    // edge-llm.json: sizes and SHA-256 of every file, source, no quantization, not a demo
    JsonNode manifest = Json.read(target.resolve("edge-llm.json"));
    assertThat(manifest.path("name").asText()).isEqualTo("tiny-llama");
    assertThat(manifest.path("demo").asBoolean(true)).isFalse();
    assertThat(manifest.path("dtype").asText()).isEqualTo("fp32");
    assertThat(manifest.path("model").asText()).isEqualTo("onnx/model.onnx");
    assertThat(manifest.path("modelType").asText()).isEqualTo("llama");
    assertThat(manifest.path("chatTemplate").asText()).isEqualTo("tokenizer_config.json");
    assertThat(manifest.path("quantization").isNull()).isTrue();
    assertThat(manifest.path("source").path("checkpoint").asText()).isEqualTo("tiny-llama");
    assertThat(manifest.path("source").path("configSha256").asText())
        .isEqualTo(sha256(ckpt.resolve("config.json")));
    assertThat(manifest.path("validation").path("status").asText()).isEqualTo("not-run");
    assertThat(manifest.path("files")).hasSize(5);
    long total = 0;
    for (JsonNode f : manifest.path("files")) {
      Path file = target.resolve(f.path("path").asText());
      assertThat(f.path("size").asLong()).isEqualTo(Files.size(file));
      assertThat(f.path("sha256").asText()).isEqualTo(sha256(file));
      total += f.path("size").asLong();
    }
    assertThat(manifest.path("totalSize").asLong()).isEqualTo(total);
  }

  @Test
  void hubLayoutNamesAFourBitModelModelQ4WithDtypeQ4AndRecordsTheSettings() throws Exception {
    Path target = tmp.resolve("public/models/tiny-llama");
    StageResult result =
        stage(
            checkpoint(), model(TinyDecoder.with(d -> d.quantizedHead = true)), target, Layout.HUB);
    assertThat(result.modelFile()).isEqualTo("onnx/model_q4.onnx");
    assertThat(Files.exists(target.resolve("onnx/model_q4.onnx"))).isTrue();
    assertThat(Files.exists(target.resolve("onnx/model.onnx"))).isFalse();
    assertThat(
            Json.read(target.resolve("config.json"))
                .path("transformers.js_config")
                .path("dtype")
                .asText())
        .isEqualTo("q4");
    JsonNode q = Json.read(target.resolve("edge-llm.json")).path("quantization");
    assertThat(q.path("method").asText()).isEqualTo("MatMulNBits");
    assertThat(q.path("bits").asInt()).isEqualTo(4);
    assertThat(q.path("blockSize").asInt()).isEqualTo(32);
    assertThat(q.path("symmetric").asBoolean()).isTrue();
    assertThat(q.path("accuracyLevel").asInt()).isZero();
    assertThat(q.path("quantizedMatMuls").asInt()).isEqualTo(1);
    assertThat(q.path("floatMatMuls").asInt()).isEqualTo(3 * 6);
  }

  @Test
  void localLayoutKeepsAFourBitModelAsModelOnnxWithDtypeFp32() throws Exception {
    Path target = tmp.resolve("public/models/tiny-llama");
    StageResult result =
        stage(
            checkpoint(),
            model(TinyDecoder.with(d -> d.quantizedHead = true)),
            target,
            Layout.LOCAL);
    assertThat(result.modelFile()).isEqualTo("onnx/model.onnx");
    assertThat(result.dtype()).isEqualTo("fp32");
    assertThat(result.quantization().quantized()).isTrue();
  }

  @Test
  void hubLayoutOfAFloatModelStaysModelOnnx() throws Exception {
    StageResult result =
        stage(checkpoint(), model(new TinyDecoder()), tmp.resolve("public/models/m"), Layout.HUB);
    assertThat(result.modelFile()).isEqualTo("onnx/model.onnx");
    assertThat(result.dtype()).isEqualTo("fp32");
    assertThat(logged).anyMatch(l -> l.startsWith("WARN") && l.contains("not 4-bit quantized"));
  }

  @Test
  void takesTheTokenizerFilesFromAnotherFolderWhenTheCheckpointHasOnlyWeights() throws Exception {
    Path ckpt = checkpoint();
    Path base = Files.createDirectories(tmp.resolve("base-model"));
    for (String f : List.of("tokenizer.json", "tokenizer_config.json")) {
      Files.move(ckpt.resolve(f), base.resolve(f));
    }
    Path target = tmp.resolve("public/models/fine-tuned");
    // Without the setting: the error names the file, the folder and both fixes.
    assertThatThrownBy(() -> stage(ckpt, model(new TinyDecoder()), target, Layout.LOCAL))
        .isInstanceOf(StageException.class)
        .hasMessageContaining("tokenizer.json missing in " + ckpt.toAbsolutePath().normalize())
        .hasMessageContaining("copy it from the base model")
        .hasMessageContaining("edgellm.stage.tokenizer");
    assertThat(Files.exists(target)).isFalse();
    // With it: the tokenizer files come from the base model, byte for byte.
    new Stager(log)
        .stage(new StageRequest(ckpt, model(new TinyDecoder()), target, Layout.LOCAL, base));
    assertThat(Files.mismatch(base.resolve("tokenizer.json"), target.resolve("tokenizer.json")))
        .isEqualTo(-1L);
    assertThat(Json.read(target.resolve("tokenizer_config.json")).path("chat_template").asText())
        .isNotEmpty();
  }

  @Test
  void inlinesAChatTemplateKeptInChatTemplateJinja() throws Exception {
    Path ckpt = checkpoint();
    ObjectNode tc = Json.readObject(ckpt.resolve("tokenizer_config.json"));
    String template = tc.remove("chat_template").asText();
    Files.writeString(ckpt.resolve("tokenizer_config.json"), Json.pretty(tc));
    Files.writeString(ckpt.resolve("chat_template.jinja"), template);
    Path target = tmp.resolve("public/models/x");
    stage(ckpt, model(new TinyDecoder()), target, Layout.LOCAL);
    assertThat(Json.read(target.resolve("tokenizer_config.json")).path("chat_template").asText())
        .isEqualTo(template);
    assertThat(Json.read(target.resolve("edge-llm.json")).path("chatTemplate").asText())
        .isEqualTo("chat_template.jinja");
    assertThat(Files.exists(target.resolve("chat_template.jinja"))).isFalse();
  }

  @Test
  void inlinesAChatTemplateKeptInChatTemplateJson() throws Exception {
    Path ckpt = checkpoint();
    ObjectNode tc = Json.readObject(ckpt.resolve("tokenizer_config.json"));
    String template = tc.remove("chat_template").asText();
    Files.writeString(ckpt.resolve("tokenizer_config.json"), Json.pretty(tc));
    ObjectNode json = Json.MAPPER.createObjectNode().put("chat_template", template);
    Files.writeString(ckpt.resolve("chat_template.json"), Json.pretty(json));
    Path target = tmp.resolve("public/models/x");
    stage(ckpt, model(new TinyDecoder()), target, Layout.LOCAL);
    assertThat(Json.read(target.resolve("tokenizer_config.json")).path("chat_template").asText())
        .isEqualTo(template);
  }

  /** Issue 14, defect 6: a chat_template that is not a template is refused, naming the file. */
  @Test
  void refusesAChatTemplateThatIsNotAStringOrANamedList() throws Exception {
    Path ckpt = checkpoint();
    Path target = tmp.resolve("public/models/x");
    Path model = model(new TinyDecoder());
    ObjectNode tc = Json.readObject(ckpt.resolve("tokenizer_config.json"));
    String[][] cases = {
      {"42", "is a number"},
      {"[1, 2]", "has entry 0 that is not a"},
      {"[]", "is an empty list"},
      {"{\"default\": \"x\"}", "is an object"},
      {
        "[{\"name\": \"a\", \"template\": \"x\"}, {\"name\": \"a\", \"template\": \"y\"}]",
        "names the template 'a' twice"
      },
    };
    for (String[] c : cases) {
      tc.set("chat_template", Json.MAPPER.readTree(c[0]));
      Files.writeString(ckpt.resolve("tokenizer_config.json"), Json.pretty(tc));
      assertThatThrownBy(() -> stage(ckpt, model, target, Layout.LOCAL))
          .as(c[0])
          .isInstanceOf(StageException.class)
          .hasMessageContaining("chat_template in " + ckpt.resolve("tokenizer_config.json"))
          .hasMessageContaining(c[1]);
    }
    assertThat(target).doesNotExist();

    tc.remove("chat_template");
    Files.writeString(ckpt.resolve("tokenizer_config.json"), Json.pretty(tc));
    Files.writeString(ckpt.resolve("chat_template.json"), "{\"chat_template\": 7}");
    assertThatThrownBy(() -> stage(ckpt, model, target, Layout.LOCAL))
        .isInstanceOf(StageException.class)
        .hasMessageContaining("chat_template in " + ckpt.resolve("chat_template.json"))
        .hasMessageContaining("is a number");
  }

  @Test
  void stagesAListOfNamedChatTemplates() throws Exception {
    Path ckpt = checkpoint();
    ObjectNode tc = Json.readObject(ckpt.resolve("tokenizer_config.json"));
    var list = tc.putArray("chat_template");
    list.addObject().put("name", "default").put("template", "{{ messages }}");
    list.addObject().put("name", "tool_use").put("template", "{{ tools }}");
    Files.writeString(ckpt.resolve("tokenizer_config.json"), Json.pretty(tc));
    Path target = tmp.resolve("public/models/x");
    stage(ckpt, model(new TinyDecoder()), target, Layout.LOCAL);
    assertThat(Json.read(target.resolve("tokenizer_config.json")).path("chat_template"))
        .isEqualTo(list);
  }

  @Test
  void warnsWhenTheCheckpointHasNoChatTemplate() throws Exception {
    Path ckpt = checkpoint();
    ObjectNode tc = Json.readObject(ckpt.resolve("tokenizer_config.json"));
    tc.remove("chat_template");
    Files.writeString(ckpt.resolve("tokenizer_config.json"), Json.pretty(tc));
    stage(ckpt, model(new TinyDecoder()), tmp.resolve("public/models/x"), Layout.LOCAL);
    assertThat(logged).anyMatch(l -> l.startsWith("WARN") && l.contains("no chat template"));
    assertThat(
            Json.read(tmp.resolve("public/models/x/edge-llm.json")).path("chatTemplate").isNull())
        .isTrue();
  }

  @Test
  void derivesGenerationConfigFromConfigWhenAbsent() throws Exception {
    Path ckpt = checkpoint();
    Files.delete(ckpt.resolve("generation_config.json"));
    Path target = tmp.resolve("public/models/x");
    stage(ckpt, model(new TinyDecoder()), target, Layout.LOCAL);
    JsonNode g = Json.read(target.resolve("generation_config.json"));
    assertThat(g.path("_from_model_config").asBoolean()).isTrue();
    assertThat(g.path("bos_token_id").asInt()).isEqualTo(2);
    assertThat(g.path("eos_token_id").asInt()).isEqualTo(1);
    assertThat(g.path("pad_token_id").asInt()).isEqualTo(0);
  }

  @Test
  void demoFlagFollowsEdgeLlmDemoInConfig() throws Exception {
    Path ckpt = checkpoint();
    ObjectNode c = Json.readObject(ckpt.resolve("config.json"));
    c.put("edge_llm_demo", true);
    Files.writeString(ckpt.resolve("config.json"), Json.pretty(c));
    Path target = tmp.resolve("public/models/demo");
    stage(ckpt, model(new TinyDecoder()), target, Layout.LOCAL);
    assertThat(Json.read(target.resolve("edge-llm.json")).path("demo").asBoolean()).isTrue();
    assertThat(Json.read(target.resolve("config.json")).path("edge_llm_demo").asBoolean()).isTrue();
  }

  @Test
  void replacesAPreviousStagingAndLeavesOtherFoldersAlone() throws Exception {
    Path ckpt = checkpoint();
    Path models = tmp.resolve("public/models");
    Path other = Files.createDirectories(models.resolve("other"));
    Files.writeString(other.resolve("keep.txt"), "mine");
    Path target = models.resolve("tiny-llama");
    stage(ckpt, model(new TinyDecoder()), target, Layout.LOCAL);
    String before = sha256(target.resolve("onnx/model.onnx"));

    stage(ckpt, model(TinyDecoder.with(d -> d.seed = 3)), target, Layout.LOCAL);

    assertThat(sha256(target.resolve("onnx/model.onnx"))).isNotEqualTo(before);
    assertThat(Files.readString(other.resolve("keep.txt"))).isEqualTo("mine");
    try (Stream<Path> s = Files.list(models)) {
      assertThat(s.map(p -> p.getFileName().toString()).sorted().toList())
          .containsExactly("other", "tiny-llama");
    }
  }

  @Test
  void aFailedStagingKeepsThePreviousOneAndLeavesNoTemporaryFolder() throws Exception {
    Path ckpt = checkpoint();
    Path models = tmp.resolve("public/models");
    Path target = models.resolve("tiny-llama");
    stage(ckpt, model(new TinyDecoder()), target, Layout.LOCAL);
    List<String> before = files(target);

    Files.writeString(ckpt.resolve("generation_config.json"), "{ not json");
    assertThatThrownBy(() -> stage(ckpt, model(new TinyDecoder()), target, Layout.LOCAL))
        .isInstanceOf(StageException.class)
        .hasMessageContaining("generation_config.json")
        .hasMessageContaining("not a valid JSON object");

    assertThat(files(target)).isEqualTo(before);
    try (Stream<Path> s = Files.list(models)) {
      assertThat(s.map(p -> p.getFileName().toString()).toList()).containsExactly("tiny-llama");
    }
  }

  @Test
  void refusesToReplaceAFolderStageDidNotWrite() throws Exception {
    Path target = Files.createDirectories(tmp.resolve("public/models/mine"));
    Files.writeString(target.resolve("notes.txt"), "precious");
    assertThatThrownBy(() -> stage(checkpoint(), model(new TinyDecoder()), target, Layout.LOCAL))
        .isInstanceOf(StageException.class)
        .hasMessageContaining("was not written by stage");
    assertThat(Files.readString(target.resolve("notes.txt"))).isEqualTo("precious");
  }

  /** Issue 14, defect 2: a restage never deletes a file the user put in the staged folder. */
  @Test
  void refusesToRestageOverFilesItDidNotWriteAndListsThem() throws Exception {
    Path ckpt = checkpoint();
    Path target = tmp.resolve("public/models/tiny-llama");
    stage(ckpt, model(new TinyDecoder()), target, Layout.LOCAL);
    Files.writeString(target.resolve("NOTES.md"), "my notes");
    Files.createDirectories(target.resolve("extra/deep"));
    Files.writeString(target.resolve("extra/deep/x.bin"), "x");
    Files.writeString(target.resolve("onnx/model.onnx.bak"), "old");
    List<String> before = files(target);

    assertThatThrownBy(
            () -> stage(ckpt, model(TinyDecoder.with(d -> d.seed = 3)), target, Layout.LOCAL))
        .isInstanceOf(StageException.class)
        .hasMessageContaining(target + " holds 3 files that stage did not write")
        .hasMessageContaining("NOTES.md, extra, onnx/model.onnx.bak")
        .hasMessageContaining("move them out");

    assertThat(files(target)).isEqualTo(before);
    assertThat(Files.readString(target.resolve("NOTES.md"))).isEqualTo("my notes");
    try (Stream<Path> s = Files.list(target.getParent())) {
      assertThat(s.map(p -> p.getFileName().toString()).toList()).containsExactly("tiny-llama");
    }

    // Once the user's files are moved out, the folder is restaged.
    Files.delete(target.resolve("NOTES.md"));
    Files.delete(target.resolve("onnx/model.onnx.bak"));
    StagingFolder.deleteTree(target.resolve("extra"));
    stage(ckpt, model(TinyDecoder.with(d -> d.seed = 3)), target, Layout.LOCAL);
  }

  @Test
  void aTemporaryFileAKilledValidateLeftIsNotTakenForAUserFile() throws Exception {
    Path ckpt = checkpoint();
    Path target = tmp.resolve("public/models/tiny-llama");
    stage(ckpt, model(new TinyDecoder()), target, Layout.LOCAL);
    Files.writeString(target.resolve(".edge-llm.json.k3x9a1.tmp"), "{");

    stage(ckpt, model(TinyDecoder.with(d -> d.seed = 3)), target, Layout.LOCAL);

    assertThat(target.resolve(".edge-llm.json.k3x9a1.tmp")).doesNotExist();
  }

  @Test
  void rewritesOnnxsExternalDataLayoutIntoTheChunksTransformersJsFetches() throws Exception {
    Path model = model(TinyDecoder.with(d -> d.externalEmbedding = true));
    Path target = tmp.resolve("public/models/x");
    StageResult r = stage(checkpoint(), model, target, Layout.LOCAL);
    assertThat(r.files())
        .extracting(StagedFile::path)
        .contains("onnx/model.onnx", "onnx/model.onnx_data")
        .doesNotContain("onnx/model.onnx.data");
    assertThat(
            Json.read(target.resolve("config.json"))
                .path("transformers.js_config")
                .path("use_external_data_format")
                .toString())
        .isEqualTo("{\"model.onnx\":1}");
    try (dev.edgellm.onnx.OnnxModel staged =
        dev.edgellm.onnx.OnnxModel.read(target.resolve("onnx/model.onnx"))) {
      assertThat(staged.externalData())
          .extracting(dev.edgellm.onnx.OnnxModel.ExternalFile::location)
          .containsExactly("model.onnx_data");
    }
  }

  @Test
  void aCheckpointsOwnExternalDataSettingIsRemovedForAnEmbeddedModel() throws Exception {
    Path ckpt = checkpoint();
    Path config = ckpt.resolve("config.json");
    com.fasterxml.jackson.databind.node.ObjectNode c = Json.readObject(config);
    c.putObject("transformers.js_config").put("use_external_data_format", true);
    Files.writeString(config, Json.pretty(c));
    Path target = tmp.resolve("public/models/y");
    stage(ckpt, model(new TinyDecoder()), target, Layout.LOCAL);
    assertThat(
            Json.read(target.resolve("config.json"))
                .path("transformers.js_config")
                .has("use_external_data_format"))
        .isFalse();
  }

  @Test
  void missingInputsAreReportedWithTheFix() throws Exception {
    Path ckpt = checkpoint();
    Files.delete(ckpt.resolve("tokenizer.json"));
    assertThatThrownBy(
            () ->
                stage(ckpt, model(new TinyDecoder()), tmp.resolve("public/models/x"), Layout.LOCAL))
        .isInstanceOf(StageException.class)
        .hasMessageContaining("tokenizer.json missing in")
        .hasMessageContaining("copy it from the base model");
    assertThatThrownBy(
            () ->
                stage(
                    checkpoint(),
                    tmp.resolve("nope.onnx"),
                    tmp.resolve("public/models/y"),
                    Layout.LOCAL))
        .isInstanceOf(StageException.class)
        .hasMessageContaining("run the export and quantize goals first");
    assertThatThrownBy(() -> Layout.parse("cdn"))
        .isInstanceOf(StageException.class)
        .hasMessageContaining("'local'");
  }

  @Test
  void theSameInputGivesByteIdenticalFiles() throws Exception {
    Path ckpt = checkpoint();
    Path model = model(new TinyDecoder());
    Path a = tmp.resolve("a/public/models/tiny");
    Path b = tmp.resolve("b/public/models/tiny");
    stage(ckpt, model, a, Layout.LOCAL);
    stage(ckpt, model, b, Layout.LOCAL);
    assertThat(files(a)).isEqualTo(files(b));
    for (String f : files(a)) {
      assertThat(Files.mismatch(a.resolve(f), b.resolve(f))).as(f).isEqualTo(-1);
    }
  }
}
