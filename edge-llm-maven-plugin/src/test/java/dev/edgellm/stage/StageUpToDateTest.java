package dev.edgellm.stage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.edgellm.testing.Fixtures;
import dev.edgellm.testing.RecordingReporter;
import dev.edgellm.testing.TinyDecoder;
import dev.edgellm.util.Json;
import dev.edgellm.util.Reporter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Stage never rewrites staged files whose bytes are unchanged, and skips when nothing changed. */
class StageUpToDateTest {
  @TempDir Path tmp;
  final List<String> logged = new ArrayList<>();
  final Reporter log = new RecordingReporter(logged);
  Path checkpoint;
  Path model;
  Path target;
  Path state;

  @BeforeEach
  void inputs() throws Exception {
    checkpoint = Fixtures.tinyLlamaCheckpoint(tmp.resolve("ckpt/tiny-llama"));
    model = new TinyDecoder().write(tmp.resolve("target/edge-llm/model-q4/model.onnx"));
    target = tmp.resolve("public/models/tiny");
    state = tmp.resolve("target/edge-llm/.stage-tiny.fingerprint");
  }

  private StageRequest request() {
    return new StageRequest(checkpoint, model, target, Layout.LOCAL);
  }

  /**
   * relative path -> modification time, with every time set back an hour first (so a rewrite
   * shows).
   */
  private Map<String, FileTime> agedTimes() throws Exception {
    Map<String, FileTime> times = new TreeMap<>();
    try (Stream<Path> s = Files.walk(target)) {
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        FileTime old = FileTime.fromMillis(Files.getLastModifiedTime(p).toMillis() - 3_600_000);
        Files.setLastModifiedTime(p, old);
        times.put(target.relativize(p).toString(), old);
      }
    }
    return times;
  }

  private Map<String, FileTime> times() throws Exception {
    Map<String, FileTime> times = new TreeMap<>();
    try (Stream<Path> s = Files.walk(target)) {
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        times.put(target.relativize(p).toString(), Files.getLastModifiedTime(p));
      }
    }
    return times;
  }

  @Test
  void restagingTheSameBytesKeepsTheFolderAsItIs() throws Exception {
    new Stager(log).stage(request());
    // validate records its summary in edge-llm.json; a restage of the same files keeps it
    Path manifest = target.resolve(Stager.MANIFEST);
    ObjectNode m = Json.readObject(manifest);
    m.putObject("validation").put("status", "passed");
    Files.writeString(manifest, Json.pretty(m));
    String manifestText = Files.readString(manifest);
    Map<String, FileTime> before = agedTimes();

    logged.clear();
    new Stager(log).stage(request());
    assertThat(logged)
        .anyMatch(
            l ->
                l.equals(
                    "Staged files in " + target + " are unchanged (same bytes): kept as they are"));
    assertThat(times()).isEqualTo(before);
    assertThat(Files.readString(manifest)).isEqualTo(manifestText);
    try (Stream<Path> s = Files.list(target.getParent())) {
      assertThat(s.map(p -> p.getFileName().toString()).toList()).containsExactly("tiny");
    }
  }

  @Test
  void aNewModelRewritesOnlyWhatChanged() throws Exception {
    new Stager(log).stage(request());
    Map<String, FileTime> before = agedTimes();
    TinyDecoder.with(d -> d.seed = 8).write(model);

    new Stager(log).stage(request());
    Map<String, FileTime> after = times();
    for (String same :
        List.of(
            "config.json", "generation_config.json", "tokenizer.json", "tokenizer_config.json")) {
      assertThat(after.get(same)).as(same).isEqualTo(before.get(same));
    }
    assertThat(after.get("onnx/model.onnx")).isNotEqualTo(before.get("onnx/model.onnx"));
    assertThat(after.get(Stager.MANIFEST)).isNotEqualTo(before.get(Stager.MANIFEST));
    assertThat(Files.mismatch(model, target.resolve("onnx/model.onnx"))).isEqualTo(-1L);
  }

  @Test
  void skipsWhenCheckpointModelAndSettingsAreUnchanged() throws Exception {
    Stager stager = new Stager(log);
    assertThat(stager.stageUnlessUpToDate(request(), state)).isPresent();
    assertThat(logged.get(0)).isEqualTo("edge-llm:stage: running (no earlier build recorded)");
    logged.clear();
    assertThat(stager.stageUnlessUpToDate(request(), state)).isEmpty();
    assertThat(logged)
        .containsExactly(
            "edge-llm:stage is up to date (checkpoint, model and settings unchanged): skipping; delete "
                + target
                + " or change a setting to restage");

    // a touched model reruns (and, same bytes, keeps the staged files)
    Files.setLastModifiedTime(
        model, FileTime.fromMillis(Files.getLastModifiedTime(model).toMillis() + 5000));
    logged.clear();
    assertThat(stager.stageUnlessUpToDate(request(), state)).isPresent();
    assertThat(logged.get(0)).isEqualTo("edge-llm:stage: running (input " + model + " changed)");
    assertThat(logged)
        .contains("Staged files in " + target + " are unchanged (same bytes): kept as they are");

    // a staged file edited by hand reruns
    Files.writeString(target.resolve("tokenizer_config.json"), "{}");
    logged.clear();
    assertThat(stager.stageUnlessUpToDate(request(), state)).isPresent();
    assertThat(logged.get(0))
        .isEqualTo(
            "edge-llm:stage: running (output "
                + target.resolve("tokenizer_config.json")
                + " changed since it was written)");
    assertThat(Files.readString(target.resolve("tokenizer_config.json"))).isNotEqualTo("{}");

    // no state file (no pom): always stages
    logged.clear();
    assertThat(stager.stageUnlessUpToDate(request(), null)).isPresent();
  }

  @Test
  void aModelOverTheLimitIsRefusedAndNothingIsStaged() throws Exception {
    long size = Files.size(model);
    assertThatThrownBy(() -> new Stager(log, size - 1).stage(request()))
        .isInstanceOf(StageException.class)
        .hasMessageContaining(
            "is " + size + " bytes, over the limit edgellm.maxModelBytes=" + (size - 1));
    assertThat(target.getParent())
        .satisfiesAnyOf(p -> assertThat(p).doesNotExist(), p -> assertThat(p).isEmptyDirectory());
    assertThat(new Stager(log, size).stage(request()).files()).hasSize(5);
  }
}
