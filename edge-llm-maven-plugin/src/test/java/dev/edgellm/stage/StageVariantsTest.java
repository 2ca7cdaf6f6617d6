package dev.edgellm.stage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.edgellm.export.Embeddings;
import dev.edgellm.export.ExportRequest;
import dev.edgellm.export.Exporter;
import dev.edgellm.export.Precision;
import dev.edgellm.util.Json;
import dev.edgellm.util.Reporter;
import dev.edgellm.validate.CheckStatus;
import dev.edgellm.validate.ValidationReport;
import dev.edgellm.validate.ValidationRequest;
import dev.edgellm.validate.Validator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code edgellm.stage.variants=q4f16,q4}: both files, the config Transformers.js reads. */
class StageVariantsTest {
  @TempDir Path tmp;

  private static final Path GEMMA = Path.of("src/test/resources/models/tiny-gemma3");

  private Path export(Precision p) {
    return new Exporter(Reporter.silent())
        .export(new ExportRequest(GEMMA, tmp.resolve(p.name()), p, Embeddings.SHARED))
        .model();
  }

  private StageResult stage(Path model, Path target, String variants) throws Exception {
    return new Stager(Reporter.silent())
        .stage(
            new StageRequest(GEMMA, model, target, Layout.LOCAL)
                .withVariants(Variants.parse(variants)));
  }

  @Test
  void stagesQ4AndItsFloat16FormWithDeviceConfig() throws Exception {
    Path target = tmp.resolve("public/models/tiny-gemma3");
    StageResult r = stage(export(Precision.Q4), target, "q4f16, q4");

    assertThat(r.modelFile()).isEqualTo("onnx/model_q4.onnx");
    assertThat(r.dtype()).isEqualTo("q4");
    // the q4f16 variant is what export q4f16 writes, byte for byte
    assertThat(Files.mismatch(target.resolve("onnx/model_q4f16.onnx"), export(Precision.Q4F16)))
        .isEqualTo(-1L);
    JsonNode tjs = Json.read(target.resolve("config.json")).path("transformers.js_config");
    assertThat(tjs.path("dtype").asText()).isEqualTo("q4");
    assertThat(tjs.path("device_config").path("webgpu").path("dtype").asText()).isEqualTo("q4f16");
    assertThat(tjs.path("kv_cache_dtype").path("q4f16").asText()).isEqualTo("float16");
    JsonNode manifest = Json.read(target.resolve(Stager.MANIFEST));
    assertThat(manifest.path("variants").findValuesAsText("model"))
        .containsExactly("onnx/model_q4f16.onnx", "onnx/model_q4.onnx");
    assertThat(manifest.path("files").findValuesAsText("path"))
        .contains("onnx/model_q4.onnx", "onnx/model_q4f16.onnx");

    // validate finds no stray model: device_config loads the q4f16 file on WebGPU
    ValidationReport report =
        new Validator(Reporter.silent()).validate(ValidationRequest.of(target));
    assertThat(report.check("model.layout").status()).isEqualTo(CheckStatus.PASSED);
  }

  @Test
  void refusesWhatItCannotStage() throws Exception {
    Path target = tmp.resolve("t");
    assertThatThrownBy(() -> Variants.parse("q4f16"))
        .isInstanceOf(StageException.class)
        .hasMessageContaining("q4f16,q4");
    assertThat(Variants.parse(" ")).isEmpty();
    assertThat(Variants.parse("Q4,q4f16")).isEqualTo(List.of("q4f16", "q4"));
    assertThatThrownBy(() -> stage(export(Precision.FP32), target, "q4f16,q4"))
        .isInstanceOf(StageException.class)
        .hasMessageContaining("not 4-bit quantized");
    assertThatThrownBy(() -> stage(export(Precision.Q4F16), target, "q4f16,q4"))
        .isInstanceOf(StageException.class)
        .hasMessageContaining("already has float16 inputs");
  }
}
