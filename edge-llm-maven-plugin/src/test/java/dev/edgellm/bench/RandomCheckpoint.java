package dev.edgellm.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.edgellm.testing.SafetensorsWriter;
import dev.edgellm.util.Half;
import dev.edgellm.util.Json;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes a checkpoint of random bf16 weights, streamed to disk: for a Gemma 3 text config (e.g.
 * gemma-3-270m's real config: 18 layers, hidden 640, vocab 262144, about 536 MB) or a Llama config
 * with tied embeddings (e.g. Llama 3.2 3B's: 28 layers, hidden 3072, vocab 128256, about 6.4 GB).
 */
public final class RandomCheckpoint {
  private RandomCheckpoint() {}

  /**
   * Writes {@code dir/config.json} (a copy of {@code config}) and {@code dir/model.safetensors}.
   */
  public static void writeGemma3(Path config, Path dir, long seed) throws IOException {
    JsonNode c = copyConfig(config, dir);
    write(shapes(c, c.get("head_dim").asInt(), true), dir, seed, 0);
  }

  /**
   * Writes {@code dir/config.json} (a copy of {@code config}, a Llama config with tied embeddings)
   * and {@code dir/model.safetensors}.
   */
  public static void writeLlama(Path config, Path dir, long seed) throws IOException {
    JsonNode c = copyConfig(config, dir);
    int heads = c.get("num_attention_heads").asInt();
    write(
        shapes(c, c.path("head_dim").asInt(c.get("hidden_size").asInt() / heads), false),
        dir,
        seed,
        1);
  }

  private static JsonNode copyConfig(Path config, Path dir) throws IOException {
    Files.createDirectories(dir);
    Files.copy(config, dir.resolve("config.json"), StandardCopyOption.REPLACE_EXISTING);
    return Json.read(config);
  }

  /**
   * The tensors' shapes in name order: a Llama decoder with tied embeddings, plus Gemma 3's
   * feed-forward norms and q/k norms when {@code gemma}.
   */
  private static Map<String, long[]> shapes(JsonNode c, int hd, boolean gemma) {
    int h = c.get("hidden_size").asInt();
    int layers = c.get("num_hidden_layers").asInt();
    int heads = c.get("num_attention_heads").asInt();
    int kv = c.get("num_key_value_heads").asInt();
    int f = c.get("intermediate_size").asInt();
    int vocab = c.get("vocab_size").asInt();
    Map<String, long[]> shapes = new LinkedHashMap<>();
    shapes.put("model.embed_tokens.weight", new long[] {vocab, h});
    for (int i = 0; i < layers; i++) {
      String p = "model.layers." + i + ".";
      shapes.put(p + "input_layernorm.weight", new long[] {h});
      shapes.put(p + "mlp.down_proj.weight", new long[] {h, f});
      shapes.put(p + "mlp.gate_proj.weight", new long[] {f, h});
      shapes.put(p + "mlp.up_proj.weight", new long[] {f, h});
      shapes.put(p + "post_attention_layernorm.weight", new long[] {h});
      if (gemma) {
        shapes.put(p + "post_feedforward_layernorm.weight", new long[] {h});
        shapes.put(p + "pre_feedforward_layernorm.weight", new long[] {h});
        shapes.put(p + "self_attn.k_norm.weight", new long[] {hd});
      }
      shapes.put(p + "self_attn.k_proj.weight", new long[] {(long) kv * hd, h});
      shapes.put(p + "self_attn.o_proj.weight", new long[] {h, (long) heads * hd});
      if (gemma) {
        shapes.put(p + "self_attn.q_norm.weight", new long[] {hd});
      }
      shapes.put(p + "self_attn.q_proj.weight", new long[] {(long) heads * hd, h});
      shapes.put(p + "self_attn.v_proj.weight", new long[] {(long) kv * hd, h});
    }
    shapes.put("model.norm.weight", new long[] {h});
    return shapes;
  }

  /**
   * Streams random bf16 tensors of {@code shapes} into {@code dir/model.safetensors}: roughly N(0,
   * 0.05) for weights, {@code normOffset} + a tenth of that for norms (0 for Gemma, whose norms add
   * 1 themselves; 1 for Llama's, used as they are).
   */
  private static void write(Map<String, long[]> shapes, Path dir, long seed, double normOffset)
      throws IOException {
    SafetensorsWriter w = new SafetensorsWriter().metadata("format", "pt");
    long[] state = {seed * 0x9E3779B97F4A7C15L + 1};
    for (Map.Entry<String, long[]> e : shapes.entrySet()) {
      long n = 1;
      for (long d : e.getValue()) {
        n *= d;
      }
      long count = n;
      boolean norm = e.getKey().endsWith("norm.weight");
      w.putStreamed(
          e.getKey(),
          "BF16",
          e.getValue(),
          2 * n,
          ch -> {
            ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
            for (long i = 0; i < count; i++) {
              long s = state[0];
              s ^= s << 13;
              s ^= s >>> 7;
              s ^= s << 17;
              state[0] = s;
              // roughly N(0, 0.02): sum of two uniforms, scaled
              double u = ((s >>> 40) + ((s >>> 16) & 0xffffff)) / (double) (1 << 24) - 1.0;
              buf.putShort(Half.floatToBf16((float) (norm ? normOffset + u * 0.1 : u * 0.05)));
              if (!buf.hasRemaining()) {
                drain(ch, buf);
              }
            }
            drain(ch, buf);
          });
    }
    w.write(dir.resolve("model.safetensors"));
  }

  private static void drain(FileChannel ch, ByteBuffer buf) throws IOException {
    buf.flip();
    while (buf.hasRemaining()) {
      ch.write(buf);
    }
    buf.clear();
  }
}
