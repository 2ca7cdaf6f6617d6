package dev.edgellm.quantize;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgellm.export.ExportRequest;
import dev.edgellm.export.Exporter;
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

/** {@link ModelQuantizer#runUnlessUpToDate}: skips when input and settings are unchanged. */
class QuantizeUpToDateTest {
  @TempDir Path tmp;
  final List<String> log = new ArrayList<>();
  final Reporter reporter = new RecordingReporter(log);

  @Test
  void skipsWhenUnchangedAndRerunsOnANewBlockSizeOrInput() throws Exception {
    Path fp32 =
        new Exporter(Reporter.silent())
            .export(ExportRequest.fp32(Fixtures.tiny("tiny-gemma3"), tmp.resolve("fp32")))
            .model();
    Path out = tmp.resolve("q4/model.onnx");
    QuantizeRequest req = QuantizeRequest.of(fp32, out);

    assertThat(ModelQuantizer.runUnlessUpToDate(req, reporter)).isPresent();
    assertThat(log.get(0)).isEqualTo("edge-llm:quantize: running (no earlier build recorded)");
    FileTime written = Files.getLastModifiedTime(out);
    byte[] bytes = Files.readAllBytes(out);
    assertThat(tmp.resolve("q4/.model.onnx.edge-llm-quantize")).isRegularFile();

    log.clear();
    assertThat(ModelQuantizer.runUnlessUpToDate(req, reporter)).isEmpty();
    assertThat(log)
        .containsExactly(
            "edge-llm:quantize is up to date (input model and settings unchanged): skipping; delete "
                + out
                + " or change a setting to rebuild");
    assertThat(Files.getLastModifiedTime(out)).isEqualTo(written);

    log.clear();
    QuantizeRequest b16 = req.withBlockSize(16);
    assertThat(ModelQuantizer.runUnlessUpToDate(b16, reporter)).isPresent();
    assertThat(log.get(0))
        .isEqualTo(
            "edge-llm:quantize: running (setting edgellm.quantize.blockSize changed from 32 to 16)");
    assertThat(Files.readAllBytes(out)).isNotEqualTo(bytes);

    log.clear();
    Files.setLastModifiedTime(
        fp32, FileTime.fromMillis(Files.getLastModifiedTime(fp32).toMillis() + 5000));
    assertThat(ModelQuantizer.runUnlessUpToDate(b16, reporter)).isPresent();
    assertThat(log.get(0)).isEqualTo("edge-llm:quantize: running (input " + fp32 + " changed)");
  }

  @Test
  void externalDataBesideTheInputIsAnInput() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("in"));
    Path model = Files.writeString(dir.resolve("model.onnx"), "x");
    Path data = Files.writeString(dir.resolve("model.onnx_data"), "y");
    Files.writeString(dir.resolve("other.onnx"), "z");
    Files.writeString(dir.resolve(".model.onnx.scratch"), "z");
    List<String> lines =
        ModelQuantizer.upToDateCheck(QuantizeRequest.of(model, tmp.resolve("out.onnx"))).lines();
    assertThat(
            lines.stream().filter(l -> l.startsWith("input ")).map(l -> l.split(" ")[1]).toList())
        .containsExactly(model.toString(), data.toString());
  }
}
