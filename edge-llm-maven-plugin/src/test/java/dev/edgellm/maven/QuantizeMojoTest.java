package dev.edgellm.maven;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.edgellm.onnx.OnnxModel;
import dev.edgellm.onnx.OnnxWriter;
import dev.edgellm.onnx.proto.ModelProto;
import dev.edgellm.onnx.proto.StringStringEntryProto;
import dev.edgellm.onnx.proto.TensorProto;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.maven.plugin.MojoFailureException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The quantize goal on good and bad input: each bad input fails the goal (MojoFailureException)
 * with a message naming the file/tensor/setting and the fix, writes no output and leaves the input
 * untouched.
 */
class QuantizeMojoTest {
  @TempDir Path dir;
  Path fixture;
  Path out;

  @BeforeEach
  void setUp() throws IOException {
    fixture = dir.resolve("in/matmuls.onnx");
    Files.createDirectories(fixture.getParent());
    try (InputStream in = getClass().getResourceAsStream("/quant/matmuls.onnx")) {
      Files.copy(in, fixture);
    }
    out = dir.resolve("out/model.onnx");
  }

  QuantizeMojo mojo(Path input) {
    QuantizeMojo m = new QuantizeMojo();
    m.input = input.toFile();
    m.output = out.toFile();
    return m;
  }

  /** Runs the goal, expecting a failure whose message contains every fragment. */
  void fails(QuantizeMojo m, String... fragments) throws Exception {
    Map<Path, byte[]> before = snapshot(m.input.toPath().getParent());
    assertThatThrownBy(m::execute)
        .isInstanceOf(MojoFailureException.class)
        .satisfies(
            e -> {
              for (String f : fragments) {
                assertThat(e.getMessage()).contains(f);
              }
            });
    assertThat(out).doesNotExist();
    if (Files.exists(out.getParent())) {
      try (Stream<Path> s = Files.list(out.getParent())) {
        assertThat(s.toList()).as("no temporary files left").isEmpty();
      }
    }
    Map<Path, byte[]> after = snapshot(m.input.toPath().getParent());
    assertThat(after.keySet()).isEqualTo(before.keySet());
    for (Path p : before.keySet()) {
      assertThat(after.get(p)).as("input " + p + " untouched").isEqualTo(before.get(p));
    }
  }

  static Map<Path, byte[]> snapshot(Path folder) throws IOException {
    Map<Path, byte[]> m = new HashMap<>();
    try (Stream<Path> s = Files.list(folder)) {
      for (Path p : s.toList()) {
        if (Files.isRegularFile(p)) {
          m.put(p, Files.readAllBytes(p));
        }
      }
    }
    return m;
  }

  @Test
  void quantizesAndSkips() throws Exception {
    QuantizeMojo m = mojo(fixture);
    m.method = "rtn"; // bit-exact with onnxruntime's file
    m.keep = "none";
    m.skip = true;
    m.execute();
    assertThat(out).doesNotExist();
    m.skip = false;
    m.execute();
    assertThat(out).exists();
    try (InputStream in = getClass().getResourceAsStream("/quant/matmuls.q4_b32_sym.onnx")) {
      ModelProto ref = ModelProto.parseFrom(in);
      ModelProto got = ModelProto.parseFrom(Files.readAllBytes(out));
      assertThat(got.getGraph().getInitializerList())
          .containsExactlyInAnyOrderElementsOf(ref.getGraph().getInitializerList());
    }
  }

  @Test
  void excludedNodesStayMatMul() throws Exception {
    QuantizeMojo m = mojo(fixture);
    m.excludeNodes = "mm1, mm3";
    m.execute();
    ModelProto got = ModelProto.parseFrom(Files.readAllBytes(out));
    assertThat(got.getGraph().getNodeList())
        .filteredOn(n -> n.getOpType().equals("MatMul"))
        .extracting(n -> n.getName())
        .containsExactly("mm1", "mm3", "mm_dynamic");
    assertThat(got.getGraph().getInitializerList())
        .extracting(TensorProto::getName)
        .contains("W1", "W3", "W0_Q4", "W2_Q4")
        .doesNotContain("W0", "W2");
  }

  @Test
  void notAnOnnxFile() throws Exception {
    Path f = Files.writeString(dir.resolve("in/notes.onnx"), "hello, this is text, not a model\n");
    fails(mojo(f), f.toString(), "not an ONNX model", "export or download it again");
  }

  @Test
  void truncatedFile() throws Exception {
    byte[] all = Files.readAllBytes(fixture);
    Path f = Files.write(dir.resolve("in/cut.onnx"), Arrays.copyOf(all, all.length / 2));
    fails(mojo(f), f.toString(), "truncated");
  }

  /** The fixture with external data, W2's entry {@code key} set to {@code value}. */
  Path external(String key, String value) throws Exception {
    Path model = dir.resolve("ext/model.onnx");
    try (OnnxModel m = OnnxModel.read(fixture)) {
      OnnxWriter.writeWithExternalData(m.proto(), model);
    }
    if (key != null) {
      ModelProto.Builder b = ModelProto.parseFrom(Files.readAllBytes(model)).toBuilder();
      TensorProto.Builder t = b.getGraphBuilder().getInitializerBuilder(2);
      for (int i = 0; i < t.getExternalDataCount(); i++) {
        if (t.getExternalData(i).getKey().equals(key)) {
          t.setExternalData(
              i, StringStringEntryProto.newBuilder().setKey(key).setValue(value).build());
        }
      }
      Files.write(model, b.build().toByteArray());
    }
    return model;
  }

  @Test
  void externalDataWorks() throws Exception {
    QuantizeMojo m = mojo(external(null, null));
    m.execute();
    assertThat(out).exists();
  }

  @Test
  void missingExternalDataFile() throws Exception {
    Path model = external(null, null);
    Files.delete(model.resolveSibling("model.onnx_data"));
    fails(mojo(model), model.toString(), "'W0'", "model.onnx_data", "does not exist", "copy");
  }

  @Test
  void externalDataEscapingTheFolder() throws Exception {
    Path model = external("location", "../in/matmuls.onnx");
    fails(mojo(model), "'W2'", "'..'", "move the data file");
  }

  @Test
  void offsetBeyondTheDataFile() throws Exception {
    Path model = external("offset", "123456789");
    fails(mojo(model), "'W2'", "offset 123456789 beyond the end", "model.onnx_data");
  }

  @Test
  void blockSize48() throws Exception {
    QuantizeMojo m = mojo(fixture);
    m.blockSize = 48;
    fails(m, "block size 48", "edgellm.quantize.blockSize", "16, 32, 64, 128 or 256");
  }

  @Test
  void outputOver2GiB() throws Exception {
    QuantizeMojo m = mojo(fixture);
    m.maxOutputBytes = 100_000; // stands in for 2 GiB: the output is ~240 KB
    fails(m, out.toString(), "bytes", "limit", "external data");
  }

  @Test
  void outputEqualToInput() throws Exception {
    QuantizeMojo m = mojo(fixture);
    m.output = dir.resolve("in/../in/matmuls.onnx").toFile();
    out = fixture; // "no output written" is checked as the input being unchanged
    Map<Path, byte[]> before = snapshot(fixture.getParent());
    assertThatThrownBy(m::execute)
        .isInstanceOf(MojoFailureException.class)
        .hasMessageContaining("is the input model")
        .hasMessageContaining("edgellm.quantize.output");
    assertThat(snapshot(fixture.getParent()).keySet()).isEqualTo(before.keySet());
    assertThat(Files.readAllBytes(fixture)).isEqualTo(before.get(fixture));
  }

  @Test
  void missingInput() throws Exception {
    QuantizeMojo m = mojo(dir.resolve("in/nothing.onnx"));
    fails(m, "nothing.onnx", "does not exist", "edgellm.quantize.input");
  }
}
