package dev.edgellm.export;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgellm.quantize.ModelQuantizer;
import dev.edgellm.quantize.QuantizeRequest;
import dev.edgellm.testing.RecordingReporter;
import dev.edgellm.util.Reporter;
import dev.edgellm.validate.OrtDecoder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code export} with {@code edgellm.adapter}: each adapter fixture (PEFT LoRA over tiny-llama,
 * mlx_lm lora over tiny-gemma3, mlx_lm full over tiny-qwen3), merged while the weights stream,
 * matches the logits and greedy tokens of the reference tools' merged model; its q4 export equals
 * its fp32 export quantized.
 */
class AdapterExportTest {
  @TempDir Path tmp;

  /** An adapter fixture: its folder under src/test/resources/models/adapters and its base. */
  record Fixture(String name, String base) {
    Path dir() {
      return Path.of("src/test/resources/models/adapters", name);
    }

    Path adapter() {
      return dir().resolve("adapter");
    }

    Path checkpoint() {
      return Path.of("src/test/resources/models", base);
    }

    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Fixture> fixtures() {
    return Stream.of(
        new Fixture("tiny-llama-peft", "tiny-llama"),
        new Fixture("tiny-gemma3-mlx-lora", "tiny-gemma3"),
        new Fixture("tiny-qwen3-mlx-full", "tiny-qwen3"));
  }

  private Path export(Fixture f, Precision p, Embeddings e, String dir) {
    return new Exporter(Reporter.silent())
        .export(new ExportRequest(f.checkpoint(), tmp.resolve(dir), p, e, f.adapter()))
        .model();
  }

  @ParameterizedTest
  @MethodSource("fixtures")
  void logitsMatchTheMergedModelsGoldens(Fixture f) throws Exception {
    Golden golden = Golden.read(f.dir());
    Golden baseGolden = Golden.read(f.checkpoint());
    try (OrtDecoder d = new OrtDecoder(export(f, Precision.FP32, Embeddings.FP32, "fp32"))) {
      double worst = 0;
      for (int i = 0; i < golden.prompts().size(); i++) {
        Golden.Prompt p = golden.prompts().get(i);
        d.reset();
        float[][] logits = d.step(p.ids());
        double rel = p.relDiff(logits, 0);
        worst = Math.max(worst, rel);
        assertThat(rel)
            .as("%s prompt of %d tokens: max |diff| / std", f, p.ids().length)
            .isLessThanOrEqualTo(GoldenExportTest.TOLERANCE);
        // the adapter changes the model: the base's logits are far from the merged goldens
        assertThat(p.relDiff(baseGolden.prompts().get(i).logits(), 0)).isGreaterThan(1e-2);
      }
      System.out.printf(
          Locale.ROOT,
          "[golden] %s (base + adapter) fp32 logits: max |diff| / std = %.3g%n",
          f,
          worst);
    }
  }

  @ParameterizedTest
  @MethodSource("fixtures")
  void greedyThroughTheCacheMatches(Fixture f) throws Exception {
    Golden golden = Golden.read(f.dir());
    try (OrtDecoder d = new OrtDecoder(export(f, Precision.FP32, Embeddings.FP32, "fp32"))) {
      for (Golden.Prompt p : golden.prompts()) {
        long[] got = d.greedy(p.ids(), p.greedy().length);
        assertThat(got)
            .as("%s greedy after %s", f, Arrays.toString(p.ids()))
            .containsExactly(p.greedy());
      }
    }
  }

  @ParameterizedTest
  @MethodSource("fixtures")
  void q4ExportIsTheMergedFp32ExportQuantized(Fixture f) throws Exception {
    Path fp32 = export(f, Precision.FP32, Embeddings.FP32, "fp32");
    Path quantized = tmp.resolve("quantized.onnx");
    ModelQuantizer.run(QuantizeRequest.of(fp32, quantized), Reporter.silent());
    Path q4 = export(f, Precision.Q4, Embeddings.FP32, "q4");
    assertThat(Files.mismatch(q4, quantized)).as("first differing byte").isEqualTo(-1L);
    Path again = export(f, Precision.Q4, Embeddings.FP32, "q4-again");
    assertThat(Files.mismatch(q4, again)).isEqualTo(-1L);
  }

  @Test
  void theLogSaysWhatWasMerged() {
    Fixture f = fixtures().findFirst().orElseThrow();
    java.util.List<String> lines = new java.util.ArrayList<>();
    new Exporter(new RecordingReporter(lines))
        .export(ExportRequest.fp32(f.checkpoint(), tmp.resolve("out")).withAdapter(f.adapter()));
    assertThat(String.join("\n", lines))
        .contains("adapter: " + f.adapter())
        .contains("peft-lora, r=4, lora_alpha=8, scale 2, 21 weights");
  }

  @Test
  void changingTheAdapterMakesTheExportRunAgain() throws Exception {
    Fixture f = fixtures().findFirst().orElseThrow();
    Path adapter = tmp.resolve("adapter");
    Files.createDirectories(adapter);
    for (String n : new String[] {"adapter_config.json", "adapter_model.safetensors"}) {
      Files.copy(f.adapter().resolve(n), adapter.resolve(n));
    }
    ExportRequest req = ExportRequest.fp32(f.checkpoint(), tmp.resolve("out")).withAdapter(adapter);
    Exporter exporter = new Exporter(Reporter.silent());
    assertThat(exporter.exportUnlessUpToDate(req)).isPresent();
    assertThat(exporter.exportUnlessUpToDate(req)).isEmpty();
    Path config = adapter.resolve("adapter_config.json");
    Files.writeString(
        config, Files.readString(config).replace("\"lora_alpha\": 8", "\"lora_alpha\": 16"));
    assertThat(exporter.exportUnlessUpToDate(req)).as("adapter edited").isPresent();
    assertThat(exporter.exportUnlessUpToDate(req.withAdapter(null)))
        .as("adapter unset")
        .isPresent();
  }
}
