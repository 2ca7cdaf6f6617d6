package dev.edgellm.validate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgellm.export.Embeddings;
import dev.edgellm.export.ExportRequest;
import dev.edgellm.export.Exporter;
import dev.edgellm.export.Precision;
import dev.edgellm.quantize.ModelQuantizer;
import dev.edgellm.quantize.QuantizeRequest;
import dev.edgellm.stage.Layout;
import dev.edgellm.stage.StageRequest;
import dev.edgellm.stage.Stager;
import dev.edgellm.util.Reporter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ops.wasm} on real exports of tiny-gemma3 (tied embeddings): the graphs whose embedding is
 * a GatherBlockQuantized fail (they do not load on onnxruntime-web's WASM build; measured in {@code
 * bench/wasm-ops}), those with a float32 Gather pass.
 */
class WasmOpsCheckTest {
  private static final Path GEMMA = Path.of("src/test/resources/models/tiny-gemma3");

  @TempDir Path tmp;

  private Path export(String name, Precision precision, Embeddings embeddings) {
    return new Exporter(Reporter.silent())
        .export(new ExportRequest(GEMMA, tmp.resolve(name), precision, embeddings))
        .model();
  }

  private Path stage(String name, Path model) throws Exception {
    Path dir = tmp.resolve("public/models/" + name);
    new Stager(Reporter.silent()).stage(new StageRequest(GEMMA, model, dir, Layout.LOCAL));
    return dir;
  }

  private static ValidationReport validate(ValidationRequest request) throws Exception {
    return new Validator(Reporter.silent()).validate(request);
  }

  private static String errors(CheckResult r) {
    return r.findings().stream()
        .filter(f -> f.severity() == Severity.ERROR)
        .map(f -> f.file() + ": " + f.message() + " Fix: " + f.fix())
        .reduce("", (a, b) -> a + b + "\n");
  }

  @Test
  void theDefaultQ4ExportFailsNamingTheNodeTheFileAndTheFix() throws Exception {
    Path dir = stage("q4", export("q4", Precision.Q4, Embeddings.SHARED));
    ValidationReport report = validate(ValidationRequest.of(dir));
    CheckResult wasm = report.check("ops.wasm");
    assertThat(wasm.status()).isEqualTo(CheckStatus.FAILED);
    assertThat(errors(wasm))
        .contains("onnx/model.onnx: com.microsoft.GatherBlockQuantized has no kernel")
        .contains("onnxruntime-web 1.31.0-dev.20260914-8d85527a0")
        .contains("1 node (/model/embed_tokens/Gather_Q4)")
        .contains("browsers without WebGPU")
        .contains("-Dedgellm.export.embeddings=fp32")
        .contains("edgellm.validate.allowWebGpuOnly=true");
    assertThat(wasm.details().get("missing"))
        .isEqualTo(
            Map.of("com.microsoft.GatherBlockQuantized", List.of("/model/embed_tokens/Gather_Q4")));
    assertThat(report.passed()).isFalse();
    assertThat(report.summary()).contains("ops.wasm");
    // WebGPU has the kernel, and onnxruntime's native CPU runs it
    assertThat(report.check("ops.webgpu").status()).isEqualTo(CheckStatus.PASSED);
    assertThat(report.check("run.greedy").status()).isEqualTo(CheckStatus.PASSED);

    // an app meant for WebGPU browsers only accepts it: a warning, and the model validates
    ValidationReport webGpuOnly = validate(ValidationRequest.of(dir).withAllowWebGpuOnly(true));
    assertThat(webGpuOnly.check("ops.wasm").status()).isEqualTo(CheckStatus.WARNING);
    assertThat(webGpuOnly.passed()).as(webGpuOnly.summary()).isTrue();
  }

  @Test
  void theFloat16GraphWithTheSharedEmbeddingFailsToo() throws Exception {
    Path dir = stage("q4f16", export("q4f16", Precision.Q4F16, Embeddings.SHARED));
    CheckResult wasm = validate(ValidationRequest.of(dir)).check("ops.wasm");
    assertThat(wasm.status()).isEqualTo(CheckStatus.FAILED);
    assertThat(errors(wasm)).contains("GatherBlockQuantized").contains("Gather_Q4");
  }

  @Test
  void aFloat32EmbeddingPassesInEveryPrecision() throws Exception {
    for (Precision p : List.of(Precision.FP32, Precision.Q4, Precision.Q4F16)) {
      String name = "fp32emb-" + p;
      ValidationReport report =
          validate(ValidationRequest.of(stage(name, export(name, p, Embeddings.FP32))));
      CheckResult wasm = report.check("ops.wasm");
      assertThat(wasm.status()).as(p.name()).isEqualTo(CheckStatus.PASSED);
      assertThat(wasm.findings()).as(p.name()).isEmpty();
      assertThat(wasm.details().get("missing")).isEqualTo(Map.of());
    }
  }

  @Test
  void quantizeFailsOnlyWithEmbeddings() throws Exception {
    Path fp32 = export("fp32", Precision.FP32, Embeddings.FP32);
    Path plain = tmp.resolve("quantized/model.onnx");
    ModelQuantizer.run(QuantizeRequest.of(fp32, plain), Reporter.silent());
    assertThat(validate(ValidationRequest.of(stage("plain", plain))).check("ops.wasm").status())
        .isEqualTo(CheckStatus.PASSED);

    Path withEmbeddings = tmp.resolve("quantized-emb/model.onnx");
    ModelQuantizer.run(
        QuantizeRequest.of(fp32, withEmbeddings).withEmbeddings(true), Reporter.silent());
    CheckResult wasm =
        validate(ValidationRequest.of(stage("emb", withEmbeddings))).check("ops.wasm");
    assertThat(wasm.status()).isEqualTo(CheckStatus.FAILED);
    assertThat(errors(wasm))
        .contains("GatherBlockQuantized has no kernel")
        .contains("quantize without edgellm.quantize.embeddings");
  }

  @Test
  void strictTurnsTheWebGpuOnlyWarningIntoAFailure() throws Exception {
    Path dir = stage("strict", export("strict", Precision.Q4, Embeddings.SHARED));
    ValidationRequest strict =
        new ValidationRequest(dir, null, false, 0.9, 8, false, true, null)
            .withAllowWebGpuOnly(true);
    assertThat(validate(strict).check("ops.wasm").status()).isEqualTo(CheckStatus.FAILED);
  }

  @Test
  void theTableKnowsWhatTheWasmBuildLacks() {
    assertThat(WasmKernels.supports("com.microsoft", "GatherBlockQuantized")).isFalse();
    assertThat(WasmKernels.fix("com.microsoft", "GatherBlockQuantized"))
        .contains("edgellm.export.embeddings=fp32");
    for (String op :
        List.of(
            "MatMulNBits",
            "GroupQueryAttention",
            "SkipSimplifiedLayerNormalization",
            "RotaryEmbedding",
            "FastGelu")) {
      assertThat(WasmKernels.supports("com.microsoft", op)).as(op).isTrue();
    }
    assertThat(WasmKernels.supports("", "SimplifiedLayerNormalization")).isTrue();
    assertThat(WasmKernels.supports("ai.onnx", "Gather")).isTrue();
  }
}
