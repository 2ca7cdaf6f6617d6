package dev.edgellm.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.edgellm.onnx.ExternalDataWriter;
import dev.edgellm.onnx.OnnxFormatException;
import dev.edgellm.onnx.OnnxModel;
import dev.edgellm.onnx.OnnxWriter;
import dev.edgellm.onnx.proto.ModelProto;
import dev.edgellm.onnx.proto.StringStringEntryProto;
import dev.edgellm.onnx.proto.TensorProto;
import dev.edgellm.quantize.ModelQuantizer;
import dev.edgellm.quantize.QuantizeRequest;
import dev.edgellm.quantize.QuantizeResult;
import dev.edgellm.stage.Layout;
import dev.edgellm.stage.StageRequest;
import dev.edgellm.stage.Stager;
import dev.edgellm.util.Json;
import dev.edgellm.util.Reporter;
import dev.edgellm.validate.CheckStatus;
import dev.edgellm.validate.OrtDecoder;
import dev.edgellm.validate.ValidationReport;
import dev.edgellm.validate.ValidationRequest;
import dev.edgellm.validate.Validator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * External data end to end on tiny-llama: an export with {@code externalData} and 16 KiB chunks
 * writes several chunks in Transformers.js' naming, whose model gives the same logits as the
 * embedded export; stage copies them and declares them; validate passes and runs the model from
 * them; quantize reads and writes the layout too.
 */
class ExternalDataExportTest {
  static final Path CHECKPOINT = Paths.get("src/test/resources/models/tiny-llama");
  static final long CHUNK = 16 * 1024;

  @TempDir Path tmp;

  private final Reporter log = Reporter.silent();

  private Path export(Path out, Precision p, boolean external) throws Exception {
    Exporter e = new Exporter(log);
    if (external) {
      e = e.withExternalData(true, CHUNK);
    }
    return e.export(new ExportRequest(CHECKPOINT, out, p, Embeddings.SHARED)).model();
  }

  private static List<String> chunksIn(Path dir) throws Exception {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString())
          .filter(n -> n.startsWith("model.onnx_data"))
          .sorted()
          .toList();
    }
  }

  private static Map<String, String> kv(TensorProto t) {
    Map<String, String> m = new HashMap<>();
    for (StringStringEntryProto e : t.getExternalDataList()) {
      m.put(e.getKey(), e.getValue());
    }
    return m;
  }

  @Test
  void chunkedExportMatchesTheEmbeddedOneAndIsByteIdentical() throws Exception {
    for (Precision p : List.of(Precision.FP32, Precision.Q4)) {
      Path embedded = export(tmp.resolve("emb-" + p), p, false);
      Path external = export(tmp.resolve("ext-" + p), p, true);
      List<String> chunks = chunksIn(external.getParent());
      assertThat(chunks.size()).as(p + ": " + chunks).isGreaterThan(2);
      for (int i = 0; i < chunks.size(); i++) {
        assertThat(chunks).contains(ExternalDataWriter.chunkName("model.onnx_data", i));
      }
      // each chunk under the chunk size unless it holds one tensor larger than it
      try (OnnxModel m = OnnxModel.read(external)) {
        assertThat(m.externalData()).hasSize(chunks.size());
        for (OnnxModel.ExternalFile f : m.externalData()) {
          assertThat(f.size() <= CHUNK || f.tensors() == 1).as(f.toString()).isTrue();
        }
        for (TensorProto t : m.stored().getGraph().getInitializerList()) {
          if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
            Map<String, String> kv = kv(t);
            assertThat(kv.get("location")).doesNotContain("/").startsWith("model.onnx_data");
            assertThat(Long.parseLong(kv.get("offset")) % OnnxWriter.DEFAULT_ALIGNMENT).isZero();
          }
        }
        // the same tensors as the embedded export
        try (OnnxModel e = OnnxModel.read(embedded)) {
          assertThat(m.proto()).isEqualTo(e.proto());
        }
      }
      // same logits, read from the chunks by onnxruntime
      try (OrtDecoder a = new OrtDecoder(embedded);
          OrtDecoder b = new OrtDecoder(external)) {
        long[] ids = {2, 17, 42, 99, 300};
        float[][] la = a.step(ids);
        float[][] lb = b.step(ids);
        assertThat(lb).isDeepEqualTo(la);
      }
      // same input, same bytes
      Map<String, byte[]> first = new HashMap<>();
      for (String c : chunks) {
        first.put(c, Files.readAllBytes(external.resolveSibling(c)));
      }
      byte[] model = Files.readAllBytes(external);
      Files.delete(external);
      export(tmp.resolve("ext-" + p), p, true);
      assertThat(Files.readAllBytes(external)).isEqualTo(model);
      for (String c : chunks) {
        assertThat(Files.readAllBytes(external.resolveSibling(c))).isEqualTo(first.get(c));
      }
      // exported embedded again into the same folder: the chunks are gone
      export(tmp.resolve("ext-" + p), p, false);
      assertThat(chunksIn(external.getParent())).isEmpty();
    }
  }

  @Test
  void stagesDeclaresAndValidatesTheChunksInBothLayouts() throws Exception {
    Path model = export(tmp.resolve("ext"), Precision.Q4, true);
    int n = chunksIn(model.getParent()).size();
    for (Layout layout : List.of(Layout.LOCAL, Layout.HUB)) {
      Path dir = tmp.resolve("public/models/" + layout.id());
      new Stager(log).stage(new StageRequest(CHECKPOINT, model, dir, layout));
      String file = layout.modelFileName(true);
      JsonNode tjs = Json.read(dir.resolve("config.json")).path("transformers.js_config");
      assertThat(tjs.path("use_external_data_format").path(file).asInt()).isEqualTo(n);
      assertThat(tjs.path("use_external_data_format").size()).isEqualTo(1);
      JsonNode manifest = Json.read(dir.resolve(Stager.MANIFEST));
      List<String> listed = new ArrayList<>();
      manifest.path("externalData").forEach(x -> listed.add(x.asText()));
      assertThat(listed).hasSize(n);
      for (int i = 0; i < n; i++) {
        String chunk = "onnx/" + ExternalDataWriter.chunkName(file + "_data", i);
        assertThat(listed.get(i)).isEqualTo(chunk);
        assertThat(dir.resolve(chunk)).isRegularFile();
        boolean found = false;
        for (JsonNode f : manifest.path("files")) {
          if (f.path("path").asText().equals(chunk)) {
            found = true;
            assertThat(f.path("size").asLong()).isEqualTo(Files.size(dir.resolve(chunk)));
            assertThat(f.path("sha256").asText()).hasSize(64);
          }
        }
        assertThat(found).as(chunk).isTrue();
      }
      // the shared 4-bit embedding has no kernel in onnxruntime-web's WASM build: WebGPU only
      ValidationReport report =
          new Validator(log)
              .validate(
                  ValidationRequest.of(dir)
                      .withReportDirectory(tmp.resolve("r"))
                      .withAllowWebGpuOnly(true));
      assertThat(report.passed()).as(report.summary()).isTrue();
      assertThat(report.check("ops.wasm").status()).isEqualTo(CheckStatus.WARNING);
      assertThat(report.check("model.external-data").status()).isEqualTo(CheckStatus.PASSED);
      assertThat(report.check("model.embedded").status()).isEqualTo(CheckStatus.PASSED);
      assertThat(report.check("run.greedy").status()).isEqualTo(CheckStatus.PASSED);
    }
  }

  @Test
  void validateFindsAMissingChunkAndAWrongCount() throws Exception {
    Path model = export(tmp.resolve("ext"), Precision.Q4, true);
    Path dir = tmp.resolve("public/models/x");
    new Stager(log).stage(new StageRequest(CHECKPOINT, model, dir, Layout.LOCAL));
    Path config = dir.resolve("config.json");
    String text = Files.readString(config);
    int n = chunksIn(dir.resolve("onnx")).size();
    Files.writeString(config, text.replace("\"model.onnx\" : " + n, "\"model.onnx\" : " + (n - 1)));
    ValidationReport report = new Validator(log).validate(ValidationRequest.of(dir));
    assertThat(report.check("model.external-data").status()).isEqualTo(CheckStatus.FAILED);
    assertThat(report.check("model.external-data").findings().toString())
        .contains("declares only " + (n - 1) + " chunk(s), so Transformers.js never fetches it");

    Files.writeString(config, text);
    Files.delete(dir.resolve("onnx/" + ExternalDataWriter.chunkName("model.onnx_data", n - 1)));
    report = new Validator(log).validate(ValidationRequest.of(dir));
    assertThat(report.passed()).isFalse();
    assertThat(report.check("model.parses").status()).isEqualTo(CheckStatus.FAILED);
    assertThat(report.check("run.greedy").status()).isEqualTo(CheckStatus.SKIPPED);
  }

  @Test
  void quantizeReadsOnnxsLayoutAndWritesChunks() throws Exception {
    Path fp32 = export(tmp.resolve("fp32"), Precision.FP32, false);
    // onnx's own layout: one data file named model.onnx.data
    Path onnxLayout = tmp.resolve("onnx-layout/model.onnx");
    try (OnnxModel m = OnnxModel.read(fp32)) {
      OnnxWriter.writeWithExternalData(m.proto(), onnxLayout, "model.onnx.data", 1024, 64);
    }
    Path out = tmp.resolve("q4/model.onnx");
    QuantizeResult r =
        ModelQuantizer.run(
            QuantizeRequest.of(onnxLayout, out), new ExternalDataWriter.Policy(true, CHUNK), log);
    assertThat(r.files().size()).isGreaterThan(2);
    Path embedded = tmp.resolve("q4e/model.onnx");
    ModelQuantizer.run(QuantizeRequest.of(fp32, embedded), log);
    try (OnnxModel a = OnnxModel.read(out);
        OnnxModel b = OnnxModel.read(embedded)) {
      assertThat(a.proto()).isEqualTo(b.proto());
    }
    // stage rewrites onnx's layout into chunks Transformers.js fetches
    Path dir = tmp.resolve("public/models/onnx-layout");
    new Stager(log).stage(new StageRequest(CHECKPOINT, onnxLayout, dir, Layout.LOCAL));
    assertThat(chunksIn(dir.resolve("onnx"))).isNotEmpty();
    ValidationReport report = new Validator(log).validate(ValidationRequest.of(dir));
    assertThat(report.check("model.external-data").status()).isEqualTo(CheckStatus.PASSED);
    assertThat(report.check("run.greedy").status()).isEqualTo(CheckStatus.PASSED);
  }

  @Test
  void theReaderRefusesLocationsWithAFolder() throws Exception {
    Path model = export(tmp.resolve("ext"), Precision.Q4, true);
    ModelProto stored;
    try (OnnxModel m = OnnxModel.read(model)) {
      stored = m.stored();
    }
    Files.createDirectories(model.resolveSibling("sub"));
    Files.copy(
        model.resolveSibling("model.onnx_data"), model.resolveSibling("sub/model.onnx_data"));
    ModelProto moved =
        dev.edgellm.onnx.ModelTensors.rewrite(
            stored,
            (t, where) -> {
              TensorProto.Builder b = t.toBuilder();
              for (int i = 0; i < b.getExternalDataCount(); i++) {
                if (b.getExternalData(i).getValue().equals("model.onnx_data")) {
                  b.setExternalData(
                      i, b.getExternalData(i).toBuilder().setValue("sub/model.onnx_data"));
                }
              }
              return b.build();
            });
    Path bad = model.resolveSibling("bad.onnx");
    OnnxWriter.writeStored(moved, bad);
    assertThatThrownBy(() -> OnnxModel.read(bad))
        .isInstanceOf(OnnxFormatException.class)
        .hasMessageContaining("'sub/model.onnx_data' naming a folder");
  }
}
