package dev.edgellm.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.edgellm.checkpoint.CheckpointException;
import dev.edgellm.testing.Fixtures;
import dev.edgellm.testing.SafetensorsWriter;
import dev.edgellm.util.Reporter;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.stream.Stream;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad checkpoints fail with a message naming the file/tensor/setting and the fix; nothing is
 * written.
 */
class BadInputTest {
  @TempDir Path tmp;
  Path ckpt;
  Path out;

  @BeforeEach
  void copyFixture() throws IOException {
    ckpt = Fixtures.copy(Fixtures.tiny("tiny-llama"), tmp.resolve("ckpt"));
    out = tmp.resolve("out");
  }

  private AbstractThrowableAssert<?, ? extends Throwable> assertExportFails() throws IOException {
    var a =
        assertThatThrownBy(
                () -> new Exporter(Reporter.silent()).export(ExportRequest.fp32(ckpt, out)))
            .isInstanceOf(CheckpointException.class);
    assertNothingWritten();
    return a;
  }

  private void assertNothingWritten() throws IOException {
    if (Files.exists(out)) {
      try (Stream<Path> s = Files.walk(out)) {
        assertThat(s.filter(Files::isRegularFile)).as("files left in the output folder").isEmpty();
      }
    }
  }

  private Path weights() {
    return ckpt.resolve("model.safetensors");
  }

  private SafetensorsWriter tensors() throws IOException {
    return SafetensorsWriter.copyOf(weights());
  }

  @Test
  void missingConfig() throws IOException {
    Files.delete(ckpt.resolve("config.json"));
    assertExportFails()
        .hasMessageContaining("config.json missing in " + ckpt)
        .hasMessageContaining("save_pretrained");
  }

  @Test
  void unknownModelType() throws IOException {
    Fixtures.editConfig(ckpt, c -> c.put("model_type", "gpt_neox"));
    assertExportFails()
        .hasMessageContaining("config.json")
        .hasMessageContaining("model_type 'gpt_neox' is not supported")
        .hasMessageContaining("gemma3_text, llama, qwen2, qwen3, mistral");
  }

  @Test
  void tensorMissing() throws IOException {
    SafetensorsWriter w = tensors();
    w.tensors().remove("model.layers.1.mlp.up_proj.weight");
    w.write(weights());
    assertExportFails()
        .hasMessageContaining("tensor 'model.layers.1.mlp.up_proj.weight' [160, 64] is missing");
  }

  @Test
  void tensorUnexpected() throws IOException {
    SafetensorsWriter w = tensors();
    w.put("model.layers.1.mlp.extra_proj.weight", "F16", new long[] {4, 4}, new byte[32]);
    w.write(weights());
    assertExportFails()
        .hasMessageContaining("unexpected tensor 'model.layers.1.mlp.extra_proj.weight' [4, 4]")
        .hasMessageContaining("config.json");
  }

  @Test
  void tensorOfWrongShape() throws IOException {
    SafetensorsWriter w = tensors();
    w.put(
        "model.layers.2.self_attn.k_proj.weight",
        "F16",
        new long[] {64, 64},
        new byte[64 * 64 * 2]);
    w.write(weights());
    assertExportFails()
        .hasMessageContaining("tensor 'model.layers.2.self_attn.k_proj.weight'")
        .hasMessageContaining("has shape [64, 64] but config.json implies [32, 64]");
  }

  @Test
  void truncatedFile() throws IOException {
    try (FileChannel ch = FileChannel.open(weights(), StandardOpenOption.WRITE)) {
      ch.truncate(ch.size() - 100);
    }
    assertExportFails()
        .hasMessageContaining(weights().toString())
        .hasMessageContaining("outside the file")
        .hasMessageContaining("download or save the checkpoint again");
  }

  @Test
  void headerLengthBeyondFile() throws IOException {
    writeHeaderLength(Files.size(weights()));
    assertExportFails().hasMessageContaining(weights() + " is truncated: the header claims");
  }

  @Test
  void headerLengthOver100MB() throws IOException {
    writeHeaderLength(200L * 1024 * 1024);
    assertExportFails().hasMessageContaining("over the 100 MB limit");
  }

  private void writeHeaderLength(long n) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(weights().toFile(), "rw")) {
      f.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(n).array());
    }
  }

  @Test
  void overlappingOffsets() throws IOException {
    SafetensorsWriter w = tensors();
    ObjectNode h = w.header();
    // make the second tensor start 2 bytes inside the first (keeping its length)
    ObjectNode second = (ObjectNode) h.get("model.embed_tokens.weight");
    long b = second.get("data_offsets").get(0).asLong();
    long e = second.get("data_offsets").get(1).asLong();
    second.putArray("data_offsets").add(b - 2).add(e - 2);
    w.write(weights(), h);
    assertExportFails()
        .hasMessageContaining("overlap")
        .hasMessageContaining("model.embed_tokens.weight");
  }

  @Test
  void outOfRangeOffsets() throws IOException {
    SafetensorsWriter w = tensors();
    ObjectNode h = w.header();
    ObjectNode t = (ObjectNode) h.get("model.norm.weight");
    long b = t.get("data_offsets").get(0).asLong();
    t.putArray("data_offsets").add(b + 1_000_000).add(b + 1_000_128);
    w.write(weights(), h);
    assertExportFails()
        .hasMessageContaining("tensor 'model.norm.weight' has data_offsets")
        .hasMessageContaining("outside the file");
  }

  // ---- issue 14, defect 4: each was an untyped exception (or the heap) before ----

  @Test
  void shapeWhoseElementCountOverflowsALong() throws IOException {
    SafetensorsWriter w = tensors();
    ObjectNode h = w.header();
    ((ObjectNode) h.get("model.norm.weight")).putArray("shape").add(4611686018427387904L).add(4L);
    w.write(weights(), h);
    assertExportFails()
        .hasMessageContaining("tensor 'model.norm.weight' has shape [4611686018427387904,4]")
        .hasMessageContaining("element count is over 2^63")
        .hasMessageContaining("download or save the checkpoint again");
  }

  @Test
  void shapeWhoseByteCountOverflowsALong() throws IOException {
    SafetensorsWriter w = tensors();
    ObjectNode h = w.header();
    ((ObjectNode) h.get("model.norm.weight")).putArray("shape").add(4611686018427387904L);
    w.write(weights(), h);
    assertExportFails()
        .hasMessageContaining("tensor 'model.norm.weight' covers")
        .hasMessageContaining("needs over 2^63");
  }

  @Test
  void negativeHeadDim() throws IOException {
    Fixtures.editConfig(ckpt, c -> c.put("head_dim", -16));
    assertExportFails()
        .hasMessageContaining("config.json: head_dim is -16")
        .hasMessageContaining("positive even number")
        .hasMessageContaining("fix head_dim in config.json");
  }

  @Test
  void slidingWindowPatternZero() throws IOException {
    Fixtures.editConfig(
        ckpt,
        c -> c.put("sliding_window", 8).put("sliding_window_pattern", 0).remove("layer_types"));
    assertExportFails()
        .hasMessageContaining("config.json: sliding_window_pattern is 0")
        .hasMessageContaining("at least 1");
  }

  @Test
  void aBillionLayersIsRefusedBeforeAnythingIsSizedByIt() throws IOException {
    Fixtures.editConfig(ckpt, c -> c.put("num_hidden_layers", 1_000_000_000));
    assertExportFails()
        .hasMessageContaining("config.json: num_hidden_layers is 1000000000")
        .hasMessageContaining("the safetensors hold layers 0 to 2 (3 layers)")
        .hasMessageContaining("use the config saved with these weights");
  }

  // ---- issue 14, defect 5: each exported NaN/Inf rotary frequencies without a word before ----

  @Test
  void negativeRopeTheta() throws IOException {
    Fixtures.editConfig(ckpt, c -> ((ObjectNode) c.get("rope_parameters")).put("rope_theta", -1e4));
    assertExportFails()
        .hasMessageContaining("config.json: rope_parameters.rope_theta is -10000.0")
        .hasMessageContaining("finite number above 0");
  }

  @Test
  void negativeRopeThetaInTheV4Format() throws IOException {
    Fixtures.editConfig(
        ckpt,
        c -> {
          c.remove("rope_parameters");
          c.put("rope_theta", -5);
        });
    assertExportFails().hasMessageContaining("config.json: rope_theta is -5.0");
  }

  @Test
  void linearRopeScalingFactorZero() throws IOException {
    Fixtures.editConfig(
        ckpt,
        c -> ((ObjectNode) c.get("rope_parameters")).put("rope_type", "linear").put("factor", 0.0));
    assertExportFails()
        .hasMessageContaining("config.json: rope_parameters.factor is 0.0")
        .hasMessageContaining("finite number above 0");
  }

  @Test
  void llama3RopeScalingFactorZero() throws IOException {
    Fixtures.editConfig(
        ckpt,
        c ->
            ((ObjectNode) c.get("rope_parameters"))
                .put("rope_type", "llama3")
                .put("factor", 0.0)
                .put("low_freq_factor", 1.0)
                .put("high_freq_factor", 4.0)
                .put("original_max_position_embeddings", 256));
    assertExportFails().hasMessageContaining("config.json: rope_parameters.factor is 0.0");
  }

  @Test
  void llama3RopeWithEqualFrequencyFactors() throws IOException {
    Fixtures.editConfig(
        ckpt,
        c ->
            ((ObjectNode) c.get("rope_parameters"))
                .put("rope_type", "llama3")
                .put("factor", 8.0)
                .put("low_freq_factor", 2.0)
                .put("high_freq_factor", 2.0)
                .put("original_max_position_embeddings", 256));
    assertExportFails()
        .hasMessageContaining("rope_parameters.high_freq_factor 2.0 must be greater than");
  }

  @Test
  void unsupportedDtype() throws IOException {
    SafetensorsWriter w = tensors();
    w.put("model.norm.weight", "F64", new long[] {64}, new byte[64 * 8]);
    w.write(weights());
    assertExportFails()
        .hasMessageContaining("tensor 'model.norm.weight'")
        .hasMessageContaining("has dtype F64")
        .hasMessageContaining("F32, F16 and BF16");
  }

  @Test
  void unknownDtype() throws IOException {
    SafetensorsWriter w = tensors();
    w.put("model.norm.weight", "Q4_K", new long[] {64}, new byte[64]);
    w.write(weights());
    assertExportFails()
        .hasMessageContaining("tensor 'model.norm.weight' has dtype Q4_K")
        .hasMessageContaining("F32, F16 and BF16");
  }

  @Test
  void indexNamesMissingShard() throws IOException {
    Files.move(weights(), ckpt.resolve("model-00001-of-00002.safetensors"));
    Files.writeString(
        ckpt.resolve("model.safetensors.index.json"),
        "{\"metadata\":{},\"weight_map\":{"
            + "\"model.norm.weight\":\"model-00002-of-00002.safetensors\","
            + "\"lm_head.weight\":\"model-00001-of-00002.safetensors\"}}");
    assertExportFails()
        .hasMessageContaining("names shard 'model-00002-of-00002.safetensors', which is missing")
        .hasMessageContaining("download every shard");
  }

  @Test
  void nanInAWeight() throws IOException {
    poison("model.layers.1.self_attn.q_proj.weight", (short) 0x7e00, 37);
    assertExportFails()
        .hasMessageContaining("tensor 'model.layers.1.self_attn.q_proj.weight'")
        .hasMessageContaining("NaN at flat index 37");
  }

  @Test
  void infInAWeight() throws IOException {
    poison("model.embed_tokens.weight", (short) 0xfc00, 5);
    assertExportFails()
        .hasMessageContaining("tensor 'model.embed_tokens.weight'")
        .hasMessageContaining("-Infinity at flat index 5");
  }

  private void poison(String name, short f16Bits, int index) throws IOException {
    SafetensorsWriter w = tensors();
    byte[] data = w.tensors().get(name).data();
    ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).putShort(2 * index, f16Bits);
    w.write(weights());
  }

  @Test
  void slidingLayersWithoutWindow() throws IOException {
    Fixtures.editConfig(
        ckpt,
        c ->
            c.putArray("layer_types")
                .add("sliding_attention")
                .add("full_attention")
                .add("full_attention"));
    assertExportFails().hasMessageContaining("'sliding_window' is not set");
  }

  @Test
  void unsupportedRopeType() throws IOException {
    Fixtures.editConfig(
        ckpt, c -> ((ObjectNode) c.get("rope_parameters")).put("rope_type", "yarn"));
    assertExportFails()
        .hasMessageContaining("rope type 'yarn'")
        .hasMessageContaining("default, linear and llama3");
  }

  @Test
  void checkpointFolderMissing() {
    ckpt = tmp.resolve("nope");
    assertThatThrownBy(() -> new Exporter(Reporter.silent()).export(ExportRequest.fp32(ckpt, out)))
        .isInstanceOf(CheckpointException.class)
        .hasMessageContaining("checkpoint folder " + ckpt + " does not exist");
  }
}
