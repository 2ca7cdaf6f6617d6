package dev.edgellm.export;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgellm.testing.Fixtures;
import dev.edgellm.testing.RecordingReporter;
import dev.edgellm.util.Reporter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Exporter#exportUnlessUpToDate}: skips when nothing changed, reruns on a changed checkpoint
 * or setting.
 */
class UpToDateExportTest {
  @TempDir Path tmp;
  final List<String> log = new ArrayList<>();
  final Reporter reporter = new RecordingReporter(log);

  @Test
  void skipsWhenUnchangedAndRerunsOnAChange() throws Exception {
    Path ckpt = Fixtures.copy(Fixtures.tiny("tiny-gemma3"), tmp.resolve("ckpt"));
    Path out = tmp.resolve("out");
    ExportRequest req = ExportRequest.fp32(ckpt, out);
    Exporter exporter = new Exporter(reporter);

    assertThat(exporter.exportUnlessUpToDate(req)).isPresent();
    assertThat(log.get(0)).isEqualTo("edge-llm:export: running (no earlier build recorded)");
    Path model = out.resolve("model.onnx");
    byte[] bytes = Files.readAllBytes(model);
    FileTime time = Files.getLastModifiedTime(model);
    assertThat(out.resolve(Exporter.FINGERPRINT)).isRegularFile();

    log.clear();
    assertThat(exporter.exportUnlessUpToDate(req)).isEmpty();
    assertThat(log)
        .containsExactly(
            "edge-llm:export is up to date (checkpoint and settings unchanged): skipping; delete "
                + out
                + " or change a setting to rebuild");
    assertThat(Files.getLastModifiedTime(model)).isEqualTo(time);
    assertThat(Files.readAllBytes(model)).isEqualTo(bytes);

    // another precision into the same folder reruns
    log.clear();
    ExportRequest q4 = new ExportRequest(ckpt, out, Precision.Q4, Embeddings.FP32);
    assertThat(exporter.exportUnlessUpToDate(q4)).isPresent();
    assertThat(log.get(0))
        .isEqualTo(
            "edge-llm:export: running (setting edgellm.export.precision changed from fp32 to q4)");
    assertThat(Files.size(model)).isLessThan(bytes.length);

    // a touched checkpoint file reruns
    log.clear();
    Path config = ckpt.resolve("config.json");
    Files.setLastModifiedTime(
        config, FileTime.fromMillis(Files.getLastModifiedTime(config).toMillis() - 60_000));
    assertThat(exporter.exportUnlessUpToDate(q4)).isPresent();
    assertThat(log.get(0))
        .isEqualTo("edge-llm:export: running (input " + config.toAbsolutePath() + " changed)");

    // a lowered size limit is a setting too
    log.clear();
    assertThat(new Exporter(reporter, 100_000).exportUnlessUpToDate(q4)).isPresent();
    assertThat(log.get(0))
        .isEqualTo(
            "edge-llm:export: running (setting edgellm.export.maxEmbeddedBytes changed from 2147483647 to 100000)");
  }
}
