package dev.edgellm.util;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgellm.testing.RecordingReporter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UpToDateCheckTest {
  @TempDir Path dir;
  Path checkpoint;
  Path out;
  Path state;
  final List<String> logged = new ArrayList<>();
  final Reporter log = new RecordingReporter(logged, "", "WARN ");

  @BeforeEach
  void files() throws IOException {
    checkpoint = Files.createDirectories(dir.resolve("my checkpoint"));
    Files.writeString(checkpoint.resolve("config.json"), "{\"model_type\":\"llama\"}");
    Files.write(checkpoint.resolve("model.safetensors"), new byte[1000]);
    out = Files.createDirectories(dir.resolve("out")).resolve("model.onnx");
    state = dir.resolve("out/.edge-llm-export.fingerprint");
  }

  private UpToDateCheck check(String blockSize) {
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("edgellm.quantize.blockSize", blockSize);
    settings.put("edgellm.quantize.symmetric", "true");
    return UpToDateCheck.of(state, "edge-llm:quantize", settings, List.of(checkpoint));
  }

  /** Runs a "goal" the way a mojo does: skip when up to date, else write the output and record. */
  private boolean build(UpToDateCheck check, String content) throws IOException {
    if (check.skipIfUpToDate(log, "checkpoint and settings", "delete out to rebuild")) {
      return false;
    }
    Files.writeString(out, content);
    check.record(List.of(out));
    return true;
  }

  @Test
  void firstBuildRunsSecondSkipsWithTheMessage() throws IOException {
    assertThat(check("32").status())
        .isEqualTo(new UpToDateCheck.Status(false, "no earlier build recorded"));
    assertThat(build(check("32"), "m")).isTrue();
    assertThat(logged).containsExactly("edge-llm:quantize: running (no earlier build recorded)");
    assertThat(state).isRegularFile();

    logged.clear();
    assertThat(check("32").status().upToDate()).isTrue();
    assertThat(build(check("32"), "m")).isFalse();
    assertThat(logged)
        .containsExactly(
            "edge-llm:quantize is up to date (checkpoint and settings unchanged): skipping; delete out to rebuild");
  }

  @Test
  void theStateFileListsToolSettingsInputsAndOutputs() throws IOException {
    build(check("32"), "m");
    List<String> text = Files.readAllLines(state);
    assertThat(text.get(0)).startsWith("# edge-llm fingerprint");
    assertThat(text).contains("# goal edge-llm:quantize", "setting edgellm.quantize.blockSize=32");
    assertThat(text)
        .contains(
            "input "
                + checkpoint.resolve("config.json")
                + " 22 "
                + Files.getLastModifiedTime(checkpoint.resolve("config.json")).toMillis(),
            "input "
                + checkpoint.resolve("model.safetensors")
                + " 1000 "
                + Files.getLastModifiedTime(checkpoint.resolve("model.safetensors")).toMillis(),
            "output " + out + " 1 " + Files.getLastModifiedTime(out).toMillis());
    assertThat(text.stream().filter(l -> l.startsWith("tool "))).hasSize(1);
  }

  @Test
  void settingsOrderDoesNotMatter() {
    Map<String, String> a = new LinkedHashMap<>();
    a.put("x", "1");
    a.put("y", "2");
    Map<String, String> b = new LinkedHashMap<>();
    b.put("y", "2");
    b.put("x", "1");
    assertThat(UpToDateCheck.of(state, "g", a, List.of(checkpoint)).lines())
        .isEqualTo(UpToDateCheck.of(state, "g", b, List.of(checkpoint)).lines());
  }

  @Test
  void aChangedSettingRerunsAndSaysWhich() throws IOException {
    build(check("32"), "m");
    logged.clear();
    assertThat(build(check("16"), "m16")).isTrue();
    assertThat(logged)
        .containsExactly(
            "edge-llm:quantize: running (setting edgellm.quantize.blockSize changed from 32 to 16)");
    // and the new fingerprint holds from now on
    assertThat(check("16").status().upToDate()).isTrue();
    assertThat(check("32").status().upToDate()).isFalse();
  }

  @Test
  void anAddedOrRemovedSettingReruns() throws IOException {
    build(check("32"), "m");
    Map<String, String> more =
        Map.of(
            "edgellm.quantize.blockSize",
            "32",
            "edgellm.quantize.symmetric",
            "true",
            "edgellm.maxModelBytes",
            "1000");
    assertThat(UpToDateCheck.of(state, "q", more, List.of(checkpoint)).status().reason())
        .isEqualTo("setting edgellm.maxModelBytes is new (1000)");
    Map<String, String> fewer = Map.of("edgellm.quantize.blockSize", "32");
    assertThat(UpToDateCheck.of(state, "q", fewer, List.of(checkpoint)).status().reason())
        .isEqualTo("setting edgellm.quantize.symmetric is gone (was true)");
  }

  @Test
  void aTouchedInputReruns() throws IOException {
    build(check("32"), "m");
    Path weights = checkpoint.resolve("model.safetensors");
    Files.setLastModifiedTime(
        weights, FileTime.fromMillis(Files.getLastModifiedTime(weights).toMillis() + 5000));
    assertThat(check("32").status())
        .isEqualTo(new UpToDateCheck.Status(false, "input " + weights + " changed"));
  }

  @Test
  void anInputOfAnotherSizeReruns() throws IOException {
    build(check("32"), "m");
    Path config = checkpoint.resolve("config.json");
    FileTime t = Files.getLastModifiedTime(config);
    Files.writeString(config, "{\"model_type\":\"gemma3_text\"}");
    Files.setLastModifiedTime(config, t); // same time, other size
    assertThat(check("32").status().reason()).isEqualTo("input " + config + " changed");
  }

  @Test
  void anAddedOrDeletedInputFileReruns() throws IOException {
    build(check("32"), "m");
    Path tokenizer = Files.writeString(checkpoint.resolve("tokenizer.json"), "{}");
    assertThat(check("32").status().reason()).isEqualTo("input " + tokenizer + " is new");
    build(check("32"), "m");
    Files.delete(tokenizer);
    assertThat(check("32").status().reason()).isEqualTo("input " + tokenizer + " is gone");
  }

  @Test
  void aMissingInputFileIsFingerprintedAsMissing() throws IOException {
    Path model = dir.resolve("model-fp32/model.onnx");
    UpToDateCheck missing = UpToDateCheck.of(state, "q", Map.of(), List.of(model));
    assertThat(missing.lines()).contains("input " + model + " missing");
    missing.record(List.of());
    Files.createDirectories(model.getParent());
    Files.writeString(model, "x");
    assertThat(UpToDateCheck.of(state, "q", Map.of(), List.of(model)).status().reason())
        .isEqualTo("input " + model + " changed");
  }

  @Test
  void aDeletedOrRewrittenOutputReruns() throws IOException {
    build(check("32"), "m");
    Files.delete(out);
    assertThat(check("32").status().reason()).isEqualTo("output " + out + " is missing");
    Files.writeString(out, "other content");
    assertThat(check("32").status().reason())
        .isEqualTo("output " + out + " changed since it was written");
  }

  @Test
  void nothingRecordedAfterAFailedRun() throws IOException {
    build(check("32"), "m");
    UpToDateCheck changed = check("64");
    assertThat(changed.skipIfUpToDate(log, "x", "y")).isFalse();
    // the goal fails here, before record(): the old fingerprint is gone, so nothing looks up to
    // date
    assertThat(state).doesNotExist();
    assertThat(check("32").status().upToDate()).isFalse();
  }

  @Test
  void noRecordedOutputsIsNotUpToDate() {
    check("32").record(List.of());
    assertThat(check("32").status())
        .isEqualTo(new UpToDateCheck.Status(false, "no outputs recorded"));
  }

  @Test
  void anotherPluginBuildReruns() throws IOException {
    build(check("32"), "m");
    List<String> text = new ArrayList<>(Files.readAllLines(state));
    text.replaceAll(l -> l.startsWith("tool ") ? "tool 0.0.1 jar 1 2" : l);
    Files.write(state, text);
    assertThat(check("32").status().reason()).isEqualTo("the plugin changed");
  }

  @Test
  void invalidateForgets() throws IOException {
    build(check("32"), "m");
    check("32").invalidate();
    assertThat(check("32").status().upToDate()).isFalse();
  }
}
