package dev.edgellm.adapter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.edgellm.checkpoint.Checkpoint;
import dev.edgellm.checkpoint.SafetensorsFile;
import dev.edgellm.checkpoint.TensorInfo;
import dev.edgellm.testing.RecordingReporter;
import dev.edgellm.testing.SafetensorsWriter;
import dev.edgellm.util.Json;
import dev.edgellm.util.Reporter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The merge's semantics, weight by weight, against a reference computed here in double precision
 * from the adapter's tensors: PEFT's scale (alpha/r, rsLoRA alpha/√r, alpha_pattern), {@code
 * layers_to_transform}, {@code target_modules}, {@code fan_in_fan_out}, DoRA (PEFT and mlx_lm); and
 * every way an adapter can fail to fit its base, as a typed error naming the key and the fix.
 */
class AdapterMergeTest {
  static final Path MODELS = Path.of("src/test/resources/models");
  static final Path PEFT = MODELS.resolve("adapters/tiny-llama-peft/adapter");
  static final Path MLX_LORA = MODELS.resolve("adapters/tiny-gemma3-mlx-lora/adapter");
  static final Path MLX_FULL = MODELS.resolve("adapters/tiny-qwen3-mlx-full/adapter");
  static final Path LLAMA = MODELS.resolve("tiny-llama");
  static final Path GEMMA = MODELS.resolve("tiny-gemma3");
  static final Path QWEN = MODELS.resolve("tiny-qwen3");

  @TempDir Path tmp;

  // ---- helpers ----------------------------------------------------------------------------------

  /** Copies an adapter folder, editing its config and tensors. */
  private Path copy(Path src, Consumer<ObjectNode> config, Consumer<SafetensorsWriter> tensors)
      throws IOException {
    Path dst = Files.createDirectories(tmp.resolve("adapter" + tmp.toFile().list().length));
    ObjectNode cfg = Json.readObject(src.resolve(Adapter.CONFIG));
    config.accept(cfg);
    Files.writeString(dst.resolve(Adapter.CONFIG), Json.pretty(cfg));
    String weights =
        Files.exists(src.resolve("adapters.safetensors"))
            ? "adapters.safetensors"
            : "adapter_model.safetensors";
    SafetensorsWriter w = SafetensorsWriter.copyOf(src.resolve(weights));
    tensors.accept(w);
    w.write(dst.resolve(weights));
    return dst;
  }

  private static Map<String, float[]> merged(Path base, Path adapter, Reporter log) {
    Map<String, float[]> out = new LinkedHashMap<>();
    try (Checkpoint c = Adapter.open(adapter).applyTo(Checkpoint.open(base), log)) {
      for (TensorInfo t : c.tensors().values()) {
        out.put(t.name(), c.floats(t));
      }
    }
    return out;
  }

  private static Map<String, float[]> plain(Path dir) {
    Map<String, float[]> out = new LinkedHashMap<>();
    try (Checkpoint c = Checkpoint.open(dir)) {
      for (TensorInfo t : c.tensors().values()) {
        out.put(t.name(), c.floats(t));
      }
    }
    return out;
  }

  private static Map<String, float[]> tensors(Path file) {
    Map<String, float[]> out = new LinkedHashMap<>();
    try (SafetensorsFile f = SafetensorsFile.open(file)) {
      for (TensorInfo t : f.tensors().values()) {
        out.put(t.name(), f.readFloats(t));
      }
    }
    return out;
  }

  private static long[] shape(Path base, String name) {
    try (Checkpoint c = Checkpoint.open(base)) {
      return c.tensors().get(name).shape();
    }
  }

  /**
   * W + scale·B·A (A [r, in], B [out, r]), then DoRA's m/‖row‖ when {@code m} is set; in double.
   */
  static float[] reference(
      float[] w, int out, int in, float[] a, float[] b, int r, double scale, float[] m) {
    float[] res = new float[w.length];
    for (int o = 0; o < out; o++) {
      double[] row = new double[in];
      double sq = 0;
      for (int i = 0; i < in; i++) {
        double d = 0;
        for (int k = 0; k < r; k++) {
          d += (double) b[o * r + k] * a[k * in + i];
        }
        row[i] = w[o * in + i] + scale * d;
        sq += row[i] * row[i];
      }
      for (int i = 0; i < in; i++) {
        res[o * in + i] = (float) (m == null ? row[i] : row[i] * m[o] / Math.sqrt(sq));
      }
    }
    return res;
  }

  private static void assertClose(String name, float[] got, float[] want) {
    assertThat(got.length).as(name).isEqualTo(want.length);
    for (int i = 0; i < got.length; i++) {
      assertThat((double) got[i])
          .as("%s[%d]", name, i)
          .isCloseTo(want[i], org.assertj.core.data.Offset.offset(1e-5 + 1e-5 * Math.abs(want[i])));
    }
  }

  private static byte[] f32(float[] v) {
    ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
    for (float x : v) {
      b.putFloat(x);
    }
    return b.array();
  }

  private static float[] positive(int n, long seed) {
    Random r = new Random(seed);
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = 0.5f + r.nextFloat();
    }
    return v;
  }

  /**
   * Checks every weight of the PEFT-merged checkpoint: adapted ones against the reference with
   * {@code scaleOf(module)}, DoRA magnitudes from the adapter file when present, others unchanged.
   */
  private void checkPeft(
      Path adapter, Map<String, float[]> got, java.util.function.ToDoubleFunction<String> scaleOf) {
    Map<String, float[]> base = plain(LLAMA);
    Map<String, float[]> ad = tensors(adapter.resolve("adapter_model.safetensors"));
    int adapted = 0;
    for (Map.Entry<String, float[]> e : base.entrySet()) {
      String name = e.getKey();
      String module = "base_model.model." + name.substring(0, name.length() - ".weight".length());
      float[] a = ad.get(module + ".lora_A.weight");
      if (a == null) {
        assertThat(got.get(name)).as(name + " unchanged").containsExactly(e.getValue());
        continue;
      }
      long[] s = shape(LLAMA, name);
      int out = (int) s[0];
      int in = (int) s[1];
      int r = a.length / in;
      float[] want =
          reference(
              e.getValue(),
              out,
              in,
              a,
              ad.get(module + ".lora_B.weight"),
              r,
              scaleOf.applyAsDouble(name),
              ad.get(module + ".lora_magnitude_vector"));
      assertClose(name, got.get(name), want);
      adapted++;
    }
    assertThat(adapted).isPositive();
  }

  // ---- PEFT -------------------------------------------------------------------------------------

  @Test
  void peftLoraIsWPlusAlphaOverRTimesBA() {
    checkPeft(PEFT, merged(LLAMA, PEFT, Reporter.silent()), n -> 8.0 / 4);
  }

  @Test
  void rsLoraScalesByAlphaOverSqrtR() throws Exception {
    Path a = copy(PEFT, c -> c.put("use_rslora", true), w -> {});
    checkPeft(a, merged(LLAMA, a, Reporter.silent()), n -> 8.0 / Math.sqrt(4));
  }

  @Test
  void alphaPatternOverridesLoraAlphaPerModule() throws Exception {
    Path a = copy(PEFT, c -> c.putObject("alpha_pattern").put("q_proj", 16), w -> {});
    checkPeft(a, merged(LLAMA, a, Reporter.silent()), n -> n.contains("q_proj") ? 4.0 : 2.0);
  }

  @Test
  void layersToTransformLimitsTheMerge() throws Exception {
    Path a =
        copy(
            PEFT,
            c -> c.putArray("layers_to_transform").add(1),
            w -> w.tensors().keySet().removeIf(k -> !k.contains(".layers.1.")));
    Map<String, float[]> got = merged(LLAMA, a, Reporter.silent());
    checkPeft(a, got, n -> 2.0);
    assertThat(got.get("model.layers.0.self_attn.q_proj.weight"))
        .containsExactly(plain(LLAMA).get("model.layers.0.self_attn.q_proj.weight"));

    Path wrong = copy(PEFT, c -> c.putArray("layers_to_transform").add(1), w -> {});
    assertThatThrownBy(() -> merged(LLAMA, wrong, Reporter.silent()))
        .isInstanceOf(AdapterException.class)
        .hasMessageContaining("base_model.model.model.layers.0.")
        .hasMessageContaining("layers_to_transform [1]");
  }

  @Test
  void targetModulesAreHonoured() throws Exception {
    Path regex =
        copy(
            PEFT,
            c -> c.put("target_modules", ".*\\.(q|v)_proj"),
            w -> w.tensors().keySet().removeIf(k -> !k.matches(".*\\.(q|v)_proj\\..*")));
    Map<String, float[]> got = merged(LLAMA, regex, Reporter.silent());
    checkPeft(regex, got, n -> 2.0);
    assertThat(got.get("model.layers.0.self_attn.k_proj.weight"))
        .containsExactly(plain(LLAMA).get("model.layers.0.self_attn.k_proj.weight"));

    Path wrong = copy(PEFT, c -> c.putArray("target_modules").add("q_proj").add("v_proj"), w -> {});
    assertThatThrownBy(() -> merged(LLAMA, wrong, Reporter.silent()))
        .isInstanceOf(AdapterException.class)
        .hasMessageContaining("mlp.down_proj.lora_A.weight")
        .hasMessageContaining("target_modules");
  }

  @Test
  void fanInFanOutIsIgnoredForLinearLayersAsPeftDoes() throws Exception {
    Path a = copy(PEFT, c -> c.put("fan_in_fan_out", true), w -> {});
    List<String> lines = new ArrayList<>();
    checkPeft(a, merged(LLAMA, a, new RecordingReporter(lines, "", "WARN ")), n -> 2.0);
    assertThat(lines).anyMatch(l -> l.startsWith("WARN ") && l.contains("fan_in_fan_out"));
  }

  @Test
  void peftDoraScalesEachRowToItsMagnitude() throws Exception {
    Path a =
        copy(
            PEFT,
            c -> c.put("use_dora", true),
            w -> {
              List<String> bs = new ArrayList<>();
              w.tensors().keySet().stream()
                  .filter(k -> k.endsWith("lora_B.weight"))
                  .forEach(bs::add);
              long seed = 1;
              for (String k : bs) {
                int out = (int) w.tensors().get(k).shape()[0];
                w.put(
                    k.replace("lora_B.weight", "lora_magnitude_vector"),
                    "F32",
                    new long[] {out},
                    f32(positive(out, seed++)));
              }
            });
    assertThat(Adapter.open(a).layout()).isEqualTo(AdapterLayout.PEFT_DORA);
    checkPeft(a, merged(LLAMA, a, Reporter.silent()), n -> 2.0);
  }

  // ---- mlx_lm -----------------------------------------------------------------------------------

  /** {@code t} [rows, cols] transposed to [cols, rows]. */
  private static float[] transpose(float[] t, int rows, int cols) {
    float[] out = new float[t.length];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        out[c * rows + r] = t[r * cols + c];
      }
    }
    return out;
  }

  /** mlx_lm: W + (scale·lora_bᵀ)·lora_aᵀ, i.e. A = lora_aᵀ, B = lora_bᵀ. */
  private void checkMlx(Path adapter, Map<String, float[]> got, float[] magnitudeSeedless) {
    Map<String, float[]> base = plain(GEMMA);
    Map<String, float[]> ad = tensors(adapter.resolve("adapters.safetensors"));
    int adapted = 0;
    for (Map.Entry<String, float[]> e : base.entrySet()) {
      String name = e.getKey();
      String module = name.substring(0, name.length() - ".weight".length());
      float[] la = ad.get(module + ".lora_a");
      if (la == null) {
        assertThat(got.get(name)).as(name + " unchanged").containsExactly(e.getValue());
        continue;
      }
      long[] s = shape(GEMMA, name);
      int out = (int) s[0];
      int in = (int) s[1];
      int r = la.length / in;
      float[] a = transpose(la, in, r);
      float[] b = transpose(ad.get(module + ".lora_b"), r, out);
      assertClose(
          name,
          got.get(name),
          reference(e.getValue(), out, in, a, b, r, 20.0, ad.get(module + ".m")));
      adapted++;
    }
    assertThat(adapted).isEqualTo(14);
  }

  @Test
  void mlxLoraIsWPlusScaleTimesLoraBTransposedTimesLoraATransposed() {
    checkMlx(MLX_LORA, merged(GEMMA, MLX_LORA, Reporter.silent()), null);
  }

  @Test
  void mlxDoraScalesEachRowToItsMagnitude() throws Exception {
    Path a =
        copy(
            MLX_LORA,
            c -> c.put("fine_tune_type", "dora"),
            w -> {
              List<String> bs = new ArrayList<>();
              w.tensors().keySet().stream().filter(k -> k.endsWith(".lora_b")).forEach(bs::add);
              long seed = 7;
              for (String k : bs) {
                int out = (int) w.tensors().get(k).shape()[1];
                w.put(
                    k.replace(".lora_b", ".m"),
                    "F32",
                    new long[] {out},
                    f32(positive(out, seed++)));
              }
            });
    assertThat(Adapter.open(a).layout()).isEqualTo(AdapterLayout.MLX_DORA);
    checkMlx(a, merged(GEMMA, a, Reporter.silent()), null);
  }

  @Test
  void mlxFullReplacesTheTrainedWeights() {
    Map<String, float[]> got = merged(QWEN, MLX_FULL, Reporter.silent());
    Map<String, float[]> full = tensors(MLX_FULL.resolve("adapters.safetensors"));
    Map<String, float[]> base = plain(QWEN);
    for (String name : base.keySet()) {
      assertThat(got.get(name)).as(name).containsExactly(full.getOrDefault(name, base.get(name)));
    }
    assertThat(full).isNotEmpty();
  }

  // ---- errors -----------------------------------------------------------------------------------

  @Test
  void aFolderWithoutAnAdapterIsAnError() throws Exception {
    Path empty = Files.createDirectories(tmp.resolve("empty"));
    assertThatThrownBy(() -> Adapter.open(empty))
        .isInstanceOf(AdapterException.class)
        .hasMessageContaining("not an adapter folder")
        .hasMessageContaining("adapter_model.safetensors (PEFT) or adapters.safetensors");
    Files.writeString(empty.resolve("adapter_config.json"), "{}");
    Files.write(empty.resolve("adapter_model.bin"), new byte[8]);
    assertThatThrownBy(() -> Adapter.open(empty)).hasMessageContaining("safe_serialization=True");
    assertThatThrownBy(() -> Adapter.open(tmp.resolve("missing")))
        .isInstanceOf(AdapterException.class)
        .hasMessageContaining("does not exist");
  }

  @Test
  void unsupportedTypesAreErrors() throws Exception {
    Path ia3 = copy(PEFT, c -> c.put("peft_type", "IA3"), w -> {});
    assertThatThrownBy(() -> Adapter.open(ia3))
        .isInstanceOf(AdapterException.class)
        .hasMessageContaining("peft_type 'IA3'")
        .hasMessageContaining("merge_and_unload");
    Path other = copy(MLX_LORA, c -> c.put("fine_tune_type", "lokr"), w -> {});
    assertThatThrownBy(() -> Adapter.open(other))
        .isInstanceOf(AdapterException.class)
        .hasMessageContaining("fine_tune_type 'lokr'")
        .hasMessageContaining("lora, dora or full");
  }

  @Test
  void aKeyMatchingNoBaseWeightIsAnError() throws Exception {
    String key = "base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight";
    Path a =
        copy(
            PEFT,
            c -> {},
            w -> {
              for (String k : new String[] {key, key.replace("lora_A", "lora_B")}) {
                var e = w.tensors().remove(k);
                w.put(k.replace("layers.0.", "layers.9."), e.dtype(), e.shape(), e.data());
              }
            });
    assertThatThrownBy(() -> merged(LLAMA, a, Reporter.silent()))
        .isInstanceOf(AdapterException.class)
        .hasMessageContaining("'" + key.replace("layers.0.", "layers.9.") + "'")
        .hasMessageContaining("model.layers.9.self_attn.q_proj.weight")
        .hasMessageContaining("set edgellm.checkpoint to the base model it was trained on");
  }

  @Test
  void aShapeMismatchIsAnError() {
    // the PEFT adapter of tiny-llama on tiny-qwen3: same module names, other shapes
    assertThatThrownBy(() -> merged(QWEN, PEFT, Reporter.silent()))
        .isInstanceOf(AdapterException.class)
        .hasMessageContaining("lora_")
        .hasMessageContaining("needs")
        .hasMessageContaining("(adapter_config.json names 'base')");
  }

  @Test
  void anAdapterOfAnotherArchitectureIsAnError() throws Exception {
    Path a =
        copy(
            PEFT,
            c -> {},
            w -> {
              Map<String, SafetensorsWriter.Entry> all = new LinkedHashMap<>(w.tensors());
              w.tensors().clear();
              all.forEach(
                  (k, e) ->
                      w.put(
                          k.replace("model.layers.", "transformer.h.")
                              .replace("self_attn.q_proj", "attn.c_attn"),
                          e.dtype(),
                          e.shape(),
                          e.data()));
            });
    assertThatThrownBy(() -> merged(LLAMA, a, Reporter.silent()))
        .isInstanceOf(AdapterException.class)
        .hasMessageContaining("none of the 21 modules")
        .hasMessageContaining("model_type llama")
        .hasMessageContaining("another architecture");
  }

  @Test
  void aRankThatDisagreesWithTheConfigIsAnError() throws Exception {
    Path a = copy(PEFT, c -> c.put("r", 8), w -> {});
    assertThatThrownBy(() -> merged(LLAMA, a, Reporter.silent()))
        .isInstanceOf(AdapterException.class)
        .hasMessageContaining("has rank 4")
        .hasMessageContaining("r=8");
  }

  @Test
  void mlxLayersOutsideNumLayersAreAnError() throws Exception {
    Path a = copy(MLX_LORA, c -> c.put("num_layers", 1), w -> {});
    assertThatThrownBy(() -> merged(GEMMA, a, Reporter.silent()))
        .isInstanceOf(AdapterException.class)
        .hasMessageContaining("model.layers.2.")
        .hasMessageContaining("num_layers 1");
  }

  @Test
  void aLoraKeyWithoutItsPartnerIsAnError() throws Exception {
    Path a = copy(MLX_LORA, c -> {}, w -> w.tensors().remove("model.layers.3.mlp.up_proj.lora_b"));
    assertThatThrownBy(() -> merged(GEMMA, a, Reporter.silent()))
        .isInstanceOf(AdapterException.class)
        .hasMessageContaining("model.layers.3.mlp.up_proj.lora_a")
        .hasMessageContaining("B (up-projection)");
  }

  @Test
  void anUnknownKeyIsAnError() throws Exception {
    Path a =
        copy(
            PEFT,
            c -> {},
            w -> w.put("lora_unet_down_blocks_0.alpha", "F32", new long[] {1}, f32(new float[1])));
    assertThatThrownBy(() -> merged(LLAMA, a, Reporter.silent()))
        .isInstanceOf(AdapterException.class)
        .hasMessageContaining("unknown key 'lora_unet_down_blocks_0.alpha'");
  }
}
