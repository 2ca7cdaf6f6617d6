package dev.edgellm.export;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgellm.util.Reporter;
import dev.edgellm.validate.OrtDecoder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The fp32 export agrees with transformers: logits at every position, greedy tokens through the KV
 * cache, and logits when the prompt arrives in two chunks.
 */
class GoldenExportTest {
  static final double TOLERANCE = 1e-4;

  @TempDir Path tmp;

  static Stream<String> models() {
    return Stream.of(
        "tiny-gemma3",
        "tiny-llama",
        "tiny-qwen3",
        "tinystories-656k",
        "tiny-phi3",
        "tiny-gemma2",
        "tiny-granite",
        "tiny-smollm3",
        "tiny-qwen2-hd8");
  }

  static Path modelDir(String name) {
    if (name.startsWith("tiny-")) {
      Path p = Path.of("src/test/resources/models", name);
      if (Files.isDirectory(p)) {
        return p;
      }
    }
    String shared = System.getProperty("edgellm.sharedFixtures", "../../shared/fixtures");
    Path p = Path.of(shared, "models", name);
    Assumptions.assumeTrue(
        Files.isDirectory(p),
        name
            + " skipped: "
            + p
            + " is absent (set -Dedgellm.sharedFixtures to the shared fixtures folder)");
    return p;
  }

  private Path export(String name) {
    Path out = tmp.resolve(name);
    return new Exporter(Reporter.silent()).export(ExportRequest.fp32(modelDir(name), out)).model();
  }

  @ParameterizedTest
  @MethodSource("models")
  void logitsMatchAtEveryPosition(String name) throws Exception {
    Golden golden = Golden.read(modelDir(name));
    try (OrtDecoder d = new OrtDecoder(export(name))) {
      double worst = 0;
      for (Golden.Prompt p : golden.prompts()) {
        d.reset();
        float[][] logits = d.step(p.ids());
        assertThat(logits.length).isEqualTo(p.ids().length);
        double rel = p.relDiff(logits, 0);
        worst = Math.max(worst, rel);
        assertThat(rel)
            .as("%s prompt of %d tokens: max |diff| / std", name, p.ids().length)
            .isLessThanOrEqualTo(TOLERANCE);
      }
      System.out.printf(
          Locale.ROOT, "[golden] %s fp32 logits: max |diff| / std = %.3g%n", name, worst);
    }
  }

  /**
   * {@code num_logits_to_keep} (fed 1 by Transformers.js' generate()): the prefill returns the last
   * N positions' logits only, equal to the golden's and to the full run's last rows; 0 keeps every
   * position and N beyond the sequence is clamped to it.
   */
  @ParameterizedTest
  @MethodSource("models")
  void numLogitsToKeepReturnsTheLastPositionsOnly(String name) throws Exception {
    Golden golden = Golden.read(modelDir(name));
    try (OrtDecoder d = new OrtDecoder(export(name))) {
      double worst = 0;
      double worstVsFull = 0;
      for (Golden.Prompt p : golden.prompts()) {
        int n = p.ids().length;
        double std = p.std();
        d.reset();
        float[][] full = d.step(p.ids(), 0);
        assertThat(full.length).isEqualTo(n);
        for (int keep : new int[] {1, Math.min(3, n), n + 5}) {
          d.reset();
          float[][] last = d.step(p.ids(), keep);
          int rows = Math.min(keep, n);
          assertThat(last.length).as("%s keep %d of %d", name, keep, n).isEqualTo(rows);
          double rel = p.relDiff(last, n - rows);
          worst = Math.max(worst, rel);
          assertThat(rel).as("%s keep %d vs golden", name, keep).isLessThanOrEqualTo(TOLERANCE);
          for (int r = 0; r < rows; r++) {
            float[] a = last[r];
            float[] b = full[n - rows + r];
            for (int v = 0; v < a.length; v++) {
              worstVsFull = Math.max(worstVsFull, Math.abs(a[v] - b[v]) / std);
            }
          }
        }
      }
      assertThat(worstVsFull).as("%s kept rows vs the full run's", name).isLessThanOrEqualTo(1e-5);
      System.out.printf(
          Locale.ROOT,
          "[golden] %s num_logits_to_keep: max |diff| / std = %.3g vs golden, %.3g vs every-position run%n",
          name,
          worst,
          worstVsFull);
    }
  }

  @ParameterizedTest
  @MethodSource("models")
  void greedyThroughTheCacheMatches(String name) throws Exception {
    Golden golden = Golden.read(modelDir(name));
    try (OrtDecoder d = new OrtDecoder(export(name))) {
      for (Golden.Prompt p : golden.prompts()) {
        long[] got = d.greedy(p.ids(), p.greedy().length);
        assertThat(got)
            .as("%s greedy after %s", name, Arrays.toString(p.ids()))
            .containsExactly(p.greedy());
      }
    }
  }

  @ParameterizedTest
  @MethodSource("models")
  void twoChunksThroughTheCacheMatch(String name) throws Exception {
    Golden golden = Golden.read(modelDir(name));
    try (OrtDecoder d = new OrtDecoder(export(name))) {
      double worst = 0;
      for (Golden.Prompt p : golden.prompts()) {
        int split = Math.max(1, p.ids().length / 3);
        d.reset();
        float[][] a = d.step(Arrays.copyOfRange(p.ids(), 0, split));
        float[][] b = d.step(Arrays.copyOfRange(p.ids(), split, p.ids().length));
        double rel = Math.max(p.relDiff(a, 0), p.relDiff(b, split));
        worst = Math.max(worst, rel);
        assertThat(rel)
            .as("%s prompt of %d tokens split at %d", name, p.ids().length, split)
            .isLessThanOrEqualTo(TOLERANCE);
      }
      System.out.printf(
          Locale.ROOT, "[golden] %s fp32 two chunks: max |diff| / std = %.3g%n", name, worst);
    }
  }

  @ParameterizedTest
  @MethodSource("models")
  void sameInputGivesByteIdenticalOutput(String name) throws Exception {
    Path a =
        new Exporter(Reporter.silent())
            .export(ExportRequest.fp32(modelDir(name), tmp.resolve("a")))
            .model();
    Path b =
        new Exporter(Reporter.silent())
            .export(ExportRequest.fp32(modelDir(name), tmp.resolve("b")))
            .model();
    assertThat(Files.mismatch(a, b)).isEqualTo(-1L);
    try (Stream<Path> files = Files.list(tmp.resolve("a"))) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly("model.onnx");
    }
  }

  @org.junit.jupiter.api.Test
  void largeModelsGoToExternalData() throws Exception {
    String name = "tiny-gemma3";
    ExportResult r =
        new Exporter(Reporter.silent(), 100_000)
            .export(ExportRequest.fp32(modelDir(name), tmp.resolve("ext")));
    assertThat(r.files())
        .extracting(p -> p.getFileName().toString())
        .containsExactly("model.onnx", "model.onnx_data");
    assertThat(Files.size(r.files().get(0))).isLessThan(100_000);
    try (Stream<Path> files = Files.list(tmp.resolve("ext"))) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("model.onnx", "model.onnx_data");
    }
    Golden golden = Golden.read(modelDir(name));
    try (OrtDecoder d = new OrtDecoder(r.model())) {
      for (Golden.Prompt p : golden.prompts()) {
        d.reset();
        assertThat(p.relDiff(d.step(p.ids()), 0)).isLessThanOrEqualTo(TOLERANCE);
      }
    }
  }
}
