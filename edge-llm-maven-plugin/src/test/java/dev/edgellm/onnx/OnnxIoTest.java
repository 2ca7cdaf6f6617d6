package dev.edgellm.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.edgellm.onnx.proto.ModelProto;
import dev.edgellm.onnx.proto.StringStringEntryProto;
import dev.edgellm.onnx.proto.TensorProto;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnnxIoTest {
  @TempDir Path dir;
  Path fixture;

  @BeforeEach
  void copyFixture() throws IOException {
    fixture = dir.resolve("in/matmuls.onnx");
    Files.createDirectories(fixture.getParent());
    try (InputStream in = getClass().getResourceAsStream("/quant/matmuls.onnx")) {
      Files.copy(in, fixture);
    }
  }

  @Test
  void readsEmbeddedModelAsMappedViews() throws Exception {
    try (OnnxModel m = OnnxModel.read(fixture)) {
      ModelProto p = m.proto();
      assertThat(p.getIrVersion()).isEqualTo(8);
      assertThat(p.getGraph().getInitializerList())
          .extracting(TensorProto::getName)
          .containsExactly("W0", "W1", "W2", "W3", "embed");
      TensorProto w0 = p.getGraph().getInitializer(0);
      assertThat(Tensors.dims(w0)).containsExactly(64, 96);
      ByteBuffer data = Tensors.data(w0);
      // raw_data aliases the mapping: a direct buffer, no heap copy
      assertThat(data.isDirect()).isTrue();
      assertThat(data.remaining()).isEqualTo(64 * 96 * 4);
      assertThat(m.fileSize()).isEqualTo(Files.size(fixture));
      assertThat(m.externalDataSize()).isZero();
    }
  }

  @Test
  void embeddedRoundTripIsByteIdentical() throws Exception {
    Path out = dir.resolve("out/copy.onnx");
    try (OnnxModel m = OnnxModel.read(fixture)) {
      assertThat(OnnxWriter.serializedSize(m.proto())).isEqualTo(m.proto().getSerializedSize());
      long n = OnnxWriter.writeEmbedded(m.proto(), out);
      assertThat(n).isEqualTo(Files.size(out));
    }
    assertThat(Files.readAllBytes(out)).isEqualTo(Files.readAllBytes(fixture));
    assertThat(leftovers(out.getParent())).isEmpty();
  }

  @Test
  void externalDataRoundTrip() throws Exception {
    Path out = dir.resolve("ext/model.onnx");
    ModelProto original;
    try (OnnxModel m = OnnxModel.read(fixture)) {
      original = m.proto();
      OnnxWriter.ExternalDataResult r = OnnxWriter.writeWithExternalData(m.proto(), out);
      assertThat(r.data()).isEqualTo(out.resolveSibling("model.onnx_data"));
      assertThat(r.externalTensors()).isEqualTo(5);
      assertThat(Files.size(r.data())).isEqualTo(r.dataBytes());
      assertThat(Files.size(out)).isEqualTo(r.modelBytes()).isLessThan(2000);
    }
    // the written model refers to aligned, in-range external data
    ModelProto written = ModelProto.parseFrom(Files.readAllBytes(out));
    for (TensorProto t : written.getGraph().getInitializerList()) {
      assertThat(Tensors.isExternal(t)).isTrue();
      Map<String, String> kv = kv(t);
      assertThat(kv.get("location")).isEqualTo("model.onnx_data");
      assertThat(Long.parseLong(kv.get("offset")) % 4096).isZero();
      assertThat(Long.parseLong(kv.get("length"))).isEqualTo(Tensors.expectedByteSize(t));
    }
    try (OnnxModel back = OnnxModel.read(out)) {
      assertThat(back.proto()).isEqualTo(original);
      assertThat(back.externalDataSize())
          .isEqualTo((64 * 96 + 96 * 100 + 100 * 640 + 640 * 250 + 300 * 64) * 4L);
      assertThat(Tensors.data(back.proto().getGraph().getInitializer(3)).isDirect()).isTrue();
    }
    // deterministic
    byte[] model1 = Files.readAllBytes(out);
    byte[] data1 = Files.readAllBytes(out.resolveSibling("model.onnx_data"));
    try (OnnxModel m = OnnxModel.read(fixture)) {
      OnnxWriter.writeWithExternalData(m.proto(), out);
    }
    assertThat(Files.readAllBytes(out)).isEqualTo(model1);
    assertThat(Files.readAllBytes(out.resolveSibling("model.onnx_data"))).isEqualTo(data1);
    assertThat(leftovers(out.getParent())).isEmpty();
  }

  @Test
  void refusesTooLargeBeforeWriting() throws Exception {
    Path out = dir.resolve("big/model.onnx");
    try (OnnxModel m = OnnxModel.read(fixture)) {
      assertThatThrownBy(() -> OnnxWriter.writeEmbedded(m.proto(), out, 1_000_000))
          .isInstanceOf(ModelTooLargeException.class)
          .hasMessageContaining("1,036,255 bytes")
          .hasMessageContaining("external data");
    }
    assertThat(out).doesNotExist();
    assertThat(dir.resolve("big")).doesNotExist();
  }

  @Test
  void refusesNonOnnxFile() throws Exception {
    Path f = dir.resolve("in/readme.onnx");
    Files.writeString(f, "this is not a model, just some text\n");
    assertThatThrownBy(() -> OnnxModel.read(f))
        .isInstanceOf(OnnxFormatException.class)
        .hasMessageContaining(f.toString())
        .hasMessageContaining("not an ONNX model");
    Path empty = Files.write(dir.resolve("in/empty.onnx"), new byte[0]);
    assertThatThrownBy(() -> OnnxModel.read(empty))
        .isInstanceOf(OnnxFormatException.class)
        .hasMessageContaining("empty");
    assertThatThrownBy(() -> OnnxModel.read(dir.resolve("in/missing.onnx")))
        .isInstanceOf(OnnxFormatException.class)
        .hasMessageContaining("does not exist");
  }

  @Test
  void refusesTruncatedFile() throws Exception {
    byte[] all = Files.readAllBytes(fixture);
    for (int len : new int[] {all.length / 2, all.length - 100, 40}) {
      Path f = dir.resolve("in/trunc" + len + ".onnx");
      Files.write(f, Arrays.copyOf(all, len));
      assertThatThrownBy(() -> OnnxModel.read(f))
          .isInstanceOf(OnnxFormatException.class)
          .hasMessageContaining(f.toString())
          .hasMessageContaining("truncated");
    }
  }

  /** Writes the fixture with external data into ext/, then edits W2's entry with {@code edit}. */
  private Path externalWith(String key, String value) throws Exception {
    Path out = dir.resolve("ext/model.onnx");
    try (OnnxModel m = OnnxModel.read(fixture)) {
      OnnxWriter.writeWithExternalData(m.proto(), out);
    }
    ModelProto p = ModelProto.parseFrom(Files.readAllBytes(out));
    ModelProto.Builder b = p.toBuilder();
    TensorProto.Builder t = b.getGraphBuilder().getInitializerBuilder(2);
    for (int i = 0; i < t.getExternalDataCount(); i++) {
      if (t.getExternalData(i).getKey().equals(key)) {
        t.setExternalData(
            i, StringStringEntryProto.newBuilder().setKey(key).setValue(value).build());
      }
    }
    Files.write(out, b.build().toByteArray());
    return out;
  }

  @Test
  void refusesMissingExternalDataFile() throws Exception {
    Path model = externalWith("location", "model.onnx_data");
    Files.delete(model.resolveSibling("model.onnx_data"));
    assertThatThrownBy(() -> OnnxModel.read(model))
        .isInstanceOf(OnnxFormatException.class)
        .hasMessageContaining("'W0'")
        .hasMessageContaining("does not exist")
        .hasMessageContaining("copy 'model.onnx_data' next to model.onnx");
  }

  @Test
  void refusesExternalDataEscapingTheFolder() throws Exception {
    Path model = externalWith("location", "../model.onnx_data");
    assertThatThrownBy(() -> OnnxModel.read(model))
        .isInstanceOf(OnnxFormatException.class)
        .hasMessageContaining("'W2'")
        .hasMessageContaining("'..'");
    Path abs = model.resolveSibling("model.onnx_data").toAbsolutePath();
    externalWith("location", abs.toString());
    assertThatThrownBy(() -> OnnxModel.read(model))
        .isInstanceOf(OnnxFormatException.class)
        .hasMessageContaining("absolute");
    // a symlink inside the folder that points outside it
    Path outside = dir.resolve("elsewhere.bin");
    Files.copy(model.resolveSibling("model.onnx_data"), outside);
    Files.createSymbolicLink(model.resolveSibling("link.bin"), outside);
    externalWith("location", "link.bin");
    assertThatThrownBy(() -> OnnxModel.read(model))
        .isInstanceOf(OnnxFormatException.class)
        .hasMessageContaining("outside the model's folder");
  }

  @Test
  void refusesOffsetsBeyondTheDataFile() throws Exception {
    Path model = externalWith("offset", "999999999");
    assertThatThrownBy(() -> OnnxModel.read(model))
        .isInstanceOf(OnnxFormatException.class)
        .hasMessageContaining("'W2'")
        .hasMessageContaining("offset 999999999 beyond the end");
    long size = Files.size(model.resolveSibling("model.onnx_data"));
    externalWith("offset", Long.toString(size - 100));
    assertThatThrownBy(() -> OnnxModel.read(model))
        .isInstanceOf(OnnxFormatException.class)
        .hasMessageContaining("beyond the end");
    externalWith("length", "12");
    assertThatThrownBy(() -> OnnxModel.read(model))
        .isInstanceOf(OnnxFormatException.class)
        .hasMessageContaining("length 12");
    externalWith("offset", "-5");
    assertThatThrownBy(() -> OnnxModel.read(model))
        .isInstanceOf(OnnxFormatException.class)
        .hasMessageContaining("not a non-negative integer");
  }

  @Test
  void refusesInlineDataOfWrongSize() throws Exception {
    ModelProto p;
    try (OnnxModel m = OnnxModel.read(fixture)) {
      p = m.proto();
    }
    ModelProto.Builder b = p.toBuilder();
    TensorProto t = b.getGraph().getInitializer(0);
    b.getGraphBuilder()
        .setInitializer(0, t.toBuilder().setRawData(t.getRawData().substring(0, 100)));
    Path f = dir.resolve("in/bad.onnx");
    Files.write(f, b.build().toByteArray());
    assertThatThrownBy(() -> OnnxModel.read(f))
        .isInstanceOf(OnnxFormatException.class)
        .hasMessageContaining("'W0'")
        .hasMessageContaining("100 bytes");
  }

  private static Map<String, String> kv(TensorProto t) {
    Map<String, String> kv = new HashMap<>();
    for (StringStringEntryProto e : t.getExternalDataList()) {
      kv.put(e.getKey(), e.getValue());
    }
    return kv;
  }

  private static java.util.List<Path> leftovers(Path folder) throws IOException {
    try (Stream<Path> s = Files.list(folder)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList();
    }
  }

  @Test
  void readsExternalDataBeyond2GiB() throws Exception {
    // a sparse 3 GiB data file with one tensor at 2.5 GiB: mapped region by region
    Path folder = Files.createDirectories(dir.resolve("big"));
    long offset = 5L << 29;
    float[] values = new float[100];
    for (int i = 0; i < values.length; i++) {
      values[i] = i * 0.5f;
    }
    ByteBuffer bytes = ByteBuffer.allocate(400).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    bytes.asFloatBuffer().put(values);
    try (java.io.RandomAccessFile f =
        new java.io.RandomAccessFile(folder.resolve("w.bin").toFile(), "rw")) {
      f.setLength(3L << 30);
      f.seek(offset);
      f.write(bytes.array());
    }
    TensorProto t =
        TensorProto.newBuilder()
            .setName("w")
            .setDataType(TensorProto.DataType.FLOAT_VALUE)
            .addDims(10)
            .addDims(10)
            .setDataLocation(TensorProto.DataLocation.EXTERNAL)
            .addExternalData(
                StringStringEntryProto.newBuilder().setKey("location").setValue("w.bin"))
            .addExternalData(
                StringStringEntryProto.newBuilder()
                    .setKey("offset")
                    .setValue(Long.toString(offset)))
            .addExternalData(StringStringEntryProto.newBuilder().setKey("length").setValue("400"))
            .build();
    ModelProto m =
        ModelProto.newBuilder()
            .setIrVersion(8)
            .addOpsetImport(dev.edgellm.onnx.proto.OperatorSetIdProto.newBuilder().setVersion(17))
            .setGraph(dev.edgellm.onnx.proto.GraphProto.newBuilder().setName("g").addInitializer(t))
            .build();
    Path model = folder.resolve("model.onnx");
    Files.write(model, m.toByteArray());
    try (OnnxModel read = OnnxModel.read(model)) {
      float[] got = new float[100];
      Tensors.data(read.proto().getGraph().getInitializer(0)).asFloatBuffer().get(got);
      assertThat(got).containsExactly(values);
      assertThat(read.externalDataSize()).isEqualTo(400);
    }
  }
}
