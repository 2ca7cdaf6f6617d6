package dev.edgellm.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoCheckpointTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path tmp;
  private static Path dir;

  @BeforeAll
  static void writeOnce() throws IOException {
    dir = DemoCheckpoint.write(tmp.resolve("demo"));
  }

  @Test
  void writesEveryFileAndNoTemporaryOnes() throws IOException {
    try (var files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrderElementsOf(DemoCheckpoint.FILES);
    }
  }

  @Test
  void sameCallWritesByteIdenticalFiles() throws IOException {
    Path again = DemoCheckpoint.write(tmp.resolve("again"));
    for (String name : DemoCheckpoint.FILES) {
      assertThat(Files.readAllBytes(again.resolve(name)))
          .as(name)
          .isEqualTo(Files.readAllBytes(dir.resolve(name)));
    }
    // Writing it again leaves the files as they are, modification times included.
    java.nio.file.attribute.FileTime old = java.nio.file.attribute.FileTime.fromMillis(1_000_000L);
    for (String name : DemoCheckpoint.FILES) {
      Files.setLastModifiedTime(again.resolve(name), old);
    }
    DemoCheckpoint.write(again);
    for (String name : DemoCheckpoint.FILES) {
      assertThat(Files.getLastModifiedTime(again.resolve(name))).as(name).isEqualTo(old);
      assertThat(Files.readAllBytes(again.resolve(name)))
          .isEqualTo(Files.readAllBytes(dir.resolve(name)));
    }
    // A damaged file is rewritten.
    Files.writeString(again.resolve("config.json"), "{}");
    DemoCheckpoint.write(again);
    assertThat(Files.readAllBytes(again.resolve("config.json")))
        .isEqualTo(Files.readAllBytes(dir.resolve("config.json")));
  }

  @Test
  void weightsArePinned() throws Exception {
    // Changing the seed, shapes or rounding changes what the demo says, and so every expected
    // continuation derived from it: update this hash only on purpose.
    byte[] digest =
        MessageDigest.getInstance("SHA-256")
            .digest(Files.readAllBytes(dir.resolve("model.safetensors")));
    assertThat(HexFormat.of().formatHex(digest))
        .isEqualTo("1efdbef771b19765d6bd633e40fda1c903a380c53a163a2f936529f7191125fa");
  }

  @Test
  void safetensorsHoldsGemma3TensorsUnderHuggingFaceNames() throws IOException {
    byte[] file = Files.readAllBytes(dir.resolve("model.safetensors"));
    long headerLength = ByteBuffer.wrap(file, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    assertThat(headerLength % 8).isZero();
    JsonNode header = JSON.readTree(new String(file, 8, (int) headerLength, "UTF-8").strip());
    assertThat(header.get("__metadata__").get("format").asText()).isEqualTo("pt");

    int v = DemoCheckpoint.vocabSize();
    Map<String, List<Integer>> expected = new TreeMap<>();
    expected.put("model.embed_tokens.weight", List.of(v, 64));
    expected.put("model.norm.weight", List.of(64));
    for (int i = 0; i < 4; i++) {
      String p = "model.layers." + i + ".";
      for (String n :
          List.of(
              "input_layernorm",
              "post_attention_layernorm",
              "pre_feedforward_layernorm",
              "post_feedforward_layernorm")) {
        expected.put(p + n + ".weight", List.of(64));
      }
      expected.put(p + "self_attn.q_proj.weight", List.of(64, 64));
      expected.put(p + "self_attn.k_proj.weight", List.of(16, 64));
      expected.put(p + "self_attn.v_proj.weight", List.of(16, 64));
      expected.put(p + "self_attn.o_proj.weight", List.of(64, 64));
      expected.put(p + "self_attn.q_norm.weight", List.of(16));
      expected.put(p + "self_attn.k_norm.weight", List.of(16));
      expected.put(p + "mlp.gate_proj.weight", List.of(128, 64));
      expected.put(p + "mlp.up_proj.weight", List.of(128, 64));
      expected.put(p + "mlp.down_proj.weight", List.of(64, 128));
    }

    Map<String, List<Integer>> actual = new TreeMap<>();
    long end = 0;
    List<String> names = new ArrayList<>();
    for (Iterator<String> it = header.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      if (name.equals("__metadata__")) {
        continue;
      }
      names.add(name);
      JsonNode t = header.get(name);
      assertThat(t.get("dtype").asText()).as(name).isEqualTo("BF16");
      List<Integer> shape = new ArrayList<>();
      t.get("shape").forEach(d -> shape.add(d.asInt()));
      actual.put(name, shape);
      long elements = shape.stream().mapToLong(Integer::longValue).reduce(1, (a, b) -> a * b);
      assertThat(t.get("data_offsets").get(0).asLong()).as(name).isEqualTo(end);
      end = t.get("data_offsets").get(1).asLong();
      assertThat(end - t.get("data_offsets").get(0).asLong()).isEqualTo(elements * 2);
    }
    assertThat(actual).isEqualTo(expected);
    assertThat(names).isSorted();
    assertThat(file.length).isEqualTo(8 + headerLength + end);
  }

  @Test
  void embeddingRowsOfPrintableTokensAreLoudAndTheOthersQuiet() throws IOException {
    float[] embed = tensor("model.embed_tokens.weight");
    JsonNode vocab =
        JSON.readTree(dir.resolve("tokenizer.json").toFile()).get("model").get("vocab");
    int space = vocab.get("Ġ").asInt();
    int letterA = vocab.get("a").asInt();
    int the = vocab.get("Ġthe").asInt();
    int newline = vocab.get("Ċ").asInt();
    int eos = vocab.get("<eos>").asInt();
    int latin1 = vocab.get("é").asInt();
    for (int loud : new int[] {space, letterA, the}) {
      assertThat(rowStd(embed, loud)).as("row %d", loud).isBetween(0.15, 0.45);
    }
    for (int quiet : new int[] {newline, eos, latin1}) {
      assertThat(rowStd(embed, quiet)).as("row %d", quiet).isLessThan(0.01);
    }
  }

  @Test
  void everyMatrixIsExactlyRepresentableIn4BitBlocks() throws IOException {
    // Each row: one scale s; every value q * s with integer q in [-8, 7]; every chunk of 16 holds
    // a -8 and a 7. Symmetric (scale -max/8) and asymmetric (scale (max-min)/15, zero point 8)
    // quantization with blocks of 16, 32, 64 or 128 then reproduce every value exactly.
    byte[] file = Files.readAllBytes(dir.resolve("model.safetensors"));
    long headerLength = ByteBuffer.wrap(file, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    JsonNode header = JSON.readTree(new String(file, 8, (int) headerLength, "UTF-8").strip());
    int matrices = 0;
    for (Iterator<String> it = header.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      JsonNode shape = header.get(name).get("shape");
      if (shape == null || shape.size() != 2) {
        continue;
      }
      matrices++;
      float[] values = tensor(name);
      int rows = shape.get(0).asInt();
      int cols = shape.get(1).asInt();
      for (int r = 0; r < rows; r++) {
        double min = 0;
        for (int c = 0; c < cols; c++) {
          min = Math.min(min, values[r * cols + c]);
        }
        double scale = -min / 8;
        assertThat(scale).as("%s row %d", name, r).isPositive();
        for (int chunk = 0; chunk < cols; chunk += 16) {
          boolean low = false;
          boolean high = false;
          for (int c = chunk; c < chunk + 16; c++) {
            double q = values[r * cols + c] / scale;
            assertThat(q)
                .as("%s[%d][%d] / scale", name, r, c)
                .isEqualTo(Math.rint(q))
                .isBetween(-8.0, 7.0);
            low |= q == -8;
            high |= q == 7;
          }
          assertThat(low && high).as("%s row %d chunk %d holds -8 and 7", name, r, chunk).isTrue();
        }
      }
    }
    assertThat(matrices).isEqualTo(1 + 4 * 7);
  }

  @Test
  void configIsAGemma3TextDemoInTransformersV5Format() throws IOException {
    JsonNode c = JSON.readTree(dir.resolve("config.json").toFile());
    assertThat(c.get("model_type").asText()).isEqualTo("gemma3_text");
    assertThat(c.get("architectures").get(0).asText()).isEqualTo("Gemma3ForCausalLM");
    assertThat(c.get(DemoCheckpoint.DEMO_FLAG).asBoolean()).isTrue();
    assertThat(c.get("vocab_size").asInt()).isEqualTo(DemoCheckpoint.vocabSize());
    assertThat(c.get("hidden_size").asInt()).isEqualTo(64);
    assertThat(c.get("num_attention_heads").asInt()).isEqualTo(4);
    assertThat(c.get("num_key_value_heads").asInt()).isEqualTo(1);
    assertThat(c.get("head_dim").asInt()).isEqualTo(16);
    assertThat(c.get("sliding_window").asInt()).isEqualTo(16);
    assertThat(c.get("tie_word_embeddings").asBoolean()).isTrue();
    assertThat(c.get("layer_types").toString())
        .isEqualTo(
            "[\"sliding_attention\",\"full_attention\",\"sliding_attention\",\"full_attention\"]");
    assertThat(c.get("rope_parameters").get("sliding_attention").get("rope_theta").asDouble())
        .isEqualTo(10000.0);
    assertThat(c.get("rope_parameters").get("full_attention").get("rope_theta").asDouble())
        .isEqualTo(1000000.0);
    assertThat(c.get("dtype").asText()).isEqualTo("bfloat16");
    assertThat(Files.readString(dir.resolve("config.json"))).startsWith("{\n  \"_sliding");

    JsonNode g = JSON.readTree(dir.resolve("generation_config.json").toFile());
    assertThat(g.get("eos_token_id").toString()).isEqualTo("[1,5]");
    assertThat(g.get("bos_token_id").asInt()).isEqualTo(2);
  }

  @Test
  void tokenizerIsAByteLevelBpeWithEveryByteAndGemmaTurns() throws IOException {
    JsonNode t = JSON.readTree(dir.resolve("tokenizer.json").toFile());
    JsonNode model = t.get("model");
    assertThat(model.get("type").asText()).isEqualTo("BPE");
    JsonNode vocab = model.get("vocab");
    assertThat(vocab.size()).isEqualTo(DemoCheckpoint.vocabSize());
    Set<Integer> ids = new HashSet<>();
    vocab.fields().forEachRemaining(e -> ids.add(e.getValue().asInt()));
    assertThat(ids).hasSize(vocab.size());
    assertThat(ids.stream().mapToInt(Integer::intValue).max().getAsInt())
        .isEqualTo(vocab.size() - 1);

    String[] specials = {"<pad>", "<eos>", "<bos>", "<unk>", "<start_of_turn>", "<end_of_turn>"};
    for (int i = 0; i < specials.length; i++) {
      assertThat(vocab.get(specials[i]).asInt()).isEqualTo(i);
      assertThat(t.get("added_tokens").get(i).get("content").asText()).isEqualTo(specials[i]);
      assertThat(t.get("added_tokens").get(i).get("special").asBoolean()).isTrue();
    }
    // GPT-2's byte alphabet: '!' maps to itself, the space to U+0120, the newline to U+010A.
    assertThat(vocab.get("!").asInt()).isEqualTo(6);
    assertThat(vocab.has("Ġ")).isTrue();
    assertThat(vocab.has("Ċ")).isTrue();
    assertThat(vocab.has("ÿ")).isTrue();
    // 256 single-character byte symbols, then every merge's parts and result are in the vocabulary.
    long singles = 0;
    for (Iterator<String> it = vocab.fieldNames(); it.hasNext(); ) {
      String token = it.next();
      if (token.length() == 1) {
        singles++;
      }
    }
    assertThat(singles).isEqualTo(256);
    for (JsonNode merge : model.get("merges")) {
      String a = merge.get(0).asText();
      String b = merge.get(1).asText();
      assertThat(vocab.has(a) && vocab.has(b) && vocab.has(a + b)).as(merge.toString()).isTrue();
    }
    assertThat(t.get("pre_tokenizer").get("type").asText()).isEqualTo("ByteLevel");
    assertThat(t.get("decoder").get("type").asText()).isEqualTo("ByteLevel");

    JsonNode tc = JSON.readTree(dir.resolve("tokenizer_config.json").toFile());
    assertThat(tc.get("chat_template").asText())
        .contains("<start_of_turn>")
        .contains("<end_of_turn>")
        .contains("add_generation_prompt");
    assertThat(tc.get("bos_token").asText()).isEqualTo("<bos>");
  }

  @Test
  void knowsItsOwnCheckpointAndSaysSoLoudly() throws IOException {
    assertThat(DemoCheckpoint.isDemo(dir)).isTrue();
    Path other = tmp.resolve("other");
    Files.createDirectories(other);
    assertThat(DemoCheckpoint.isDemo(other)).isFalse();
    Files.writeString(other.resolve("config.json"), "{\"model_type\": \"llama\"}");
    assertThat(DemoCheckpoint.isDemo(other)).isFalse();
    assertThat(String.join("\n", DemoCheckpoint.warning(dir)))
        .contains("RANDOM WEIGHTS")
        .contains("edgellm.checkpoint")
        .contains(dir.toString());
    assertThat(DemoCheckpoint.BUILD_SUBDIRECTORY).isEqualTo("edge-llm/demo-checkpoint");
  }

  @Test
  void bf16RoundsToNearestEven() {
    byte[] b =
        DemoCheckpoint.bf16(
            new float[] {
              1.0f, Float.intBitsToFloat(0x3F808000), Float.intBitsToFloat(0x3F818000), -2.5f
            });
    assertThat(b)
        .containsExactly(
            0x80, 0x3F, // 1.0
            0x80, 0x3F, // tie, even mantissa stays
            0x82, 0x3F, // tie, odd mantissa rounds up
            0x20, 0xC0); // -2.5
  }

  private static float[] tensor(String name) throws IOException {
    byte[] file = Files.readAllBytes(dir.resolve("model.safetensors"));
    long headerLength = ByteBuffer.wrap(file, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    JsonNode t = JSON.readTree(new String(file, 8, (int) headerLength, "UTF-8").strip()).get(name);
    int start = (int) (8 + headerLength + t.get("data_offsets").get(0).asLong());
    int end = (int) (8 + headerLength + t.get("data_offsets").get(1).asLong());
    float[] out = new float[(end - start) / 2];
    for (int i = 0; i < out.length; i++) {
      int bits = (file[start + 2 * i] & 0xFF) | (file[start + 2 * i + 1] & 0xFF) << 8;
      out[i] = Float.intBitsToFloat(bits << 16);
    }
    return out;
  }

  private static double rowStd(float[] embed, int row) {
    double sum = 0;
    for (int c = 0; c < 64; c++) {
      sum += (double) embed[row * 64 + c] * embed[row * 64 + c];
    }
    return Math.sqrt(sum / 64);
  }
}
