package dev.edgellm.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.edgellm.checkpoint.CheckpointException;
import dev.edgellm.checkpoint.SafetensorsFile;
import dev.edgellm.checkpoint.TensorInfo;
import dev.edgellm.quantize.Keep;
import dev.edgellm.quantize.ModelQuantizer;
import dev.edgellm.quantize.QuantizeMethod;
import dev.edgellm.quantize.QuantizeRequest;
import dev.edgellm.testing.SafetensorsWriter;
import dev.edgellm.util.Json;
import dev.edgellm.util.Reporter;
import dev.edgellm.validate.OrtDecoder;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * MLX-quantized checkpoints, made here from the tiny checkpoints the way {@code mlx_lm convert -q}
 * lays them out (affine: per group of {@code group_size} values along the input dimension, {@code q
 * = round((w - min)/scale)}, {@code scale = (max - min)/(2^bits - 1)}, {@code bias = min}; scales
 * and biases in bf16; q packed little-endian into uint32; embeddings and every projection
 * quantized, norms not). The export dequantizes while streaming: it equals, byte for byte, the
 * export of a float32 checkpoint holding {@code scale·q + bias} computed here from q, scale and
 * bias (not from the packed words), and it stays within quantization tolerance of the original.
 */
class MlxQuantizedExportTest {
  static final Path MODELS = Path.of("src/test/resources/models");

  @TempDir Path tmp;

  /** The MLX-quantized copy and the float32 reference dequantization of one checkpoint. */
  record Made(Path quantized, Path reference) {}

  static Made make(Path src, Path dir, int bits, int groupSize) throws IOException {
    Path q = Files.createDirectories(dir.resolve("mlx"));
    Path ref = Files.createDirectories(dir.resolve("reference"));
    try (Stream<Path> files = Files.list(src)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        String n = p.getFileName().toString();
        if (!n.startsWith("golden") && !n.equals("model.safetensors")) {
          Files.copy(p, q.resolve(n));
          Files.copy(p, ref.resolve(n));
        }
      }
    }
    ObjectNode cfg = Json.readObject(src.resolve("config.json"));
    cfg.putObject("quantization").put("group_size", groupSize).put("bits", bits);
    Files.writeString(q.resolve("config.json"), Json.pretty(cfg));
    SafetensorsWriter qw = new SafetensorsWriter();
    SafetensorsWriter rw = new SafetensorsWriter();
    try (SafetensorsFile f = SafetensorsFile.open(src.resolve("model.safetensors"))) {
      for (TensorInfo t : f.tensors().values()) {
        byte[] raw = new byte[(int) t.byteLength()];
        f.map(t).get(raw);
        String name = t.name();
        boolean quantize =
            t.shape().length == 2
                && name.endsWith(".weight")
                && t.shape()[1] % groupSize == 0
                && !name.contains("norm");
        if (!quantize) {
          qw.put(name, t.dtype().name(), t.shape(), raw);
          rw.put(name, t.dtype().name(), t.shape(), raw);
          continue;
        }
        int out = (int) t.shape()[0];
        int in = (int) t.shape()[1];
        int groups = in / groupSize;
        float[] w = f.readFloats(t);
        int max = (1 << bits) - 1;
        int[] words = new int[out * in * bits / 32];
        short[] scales = new short[out * groups];
        short[] biases = new short[out * groups];
        float[] deq = new float[out * in];
        for (int o = 0; o < out; o++) {
          for (int g = 0; g < groups; g++) {
            float lo = Float.POSITIVE_INFINITY;
            float hi = Float.NEGATIVE_INFINITY;
            for (int i = g * groupSize; i < (g + 1) * groupSize; i++) {
              lo = Math.min(lo, w[o * in + i]);
              hi = Math.max(hi, w[o * in + i]);
            }
            float scale = bf16((hi - lo) / max);
            float bias = bf16(lo);
            scales[o * groups + g] = bf16Bits(scale);
            biases[o * groups + g] = bf16Bits(bias);
            for (int i = g * groupSize; i < (g + 1) * groupSize; i++) {
              int v =
                  scale == 0
                      ? 0
                      : Math.max(0, Math.min(max, Math.round((w[o * in + i] - bias) / scale)));
              long bit = ((long) o * in + i) * bits; // rows are whole words: in*bits % 32 == 0
              int shift = (int) (bit & 31);
              words[(int) (bit >>> 5)] |= v << shift;
              if (shift + bits > 32) { // 3- and 6-bit values straddle two words
                words[(int) (bit >>> 5) + 1] |= v >>> (32 - shift);
              }
              deq[o * in + i] = scale * v + bias;
            }
          }
        }
        ByteBuffer wb = ByteBuffer.allocate(4 * words.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int x : words) {
          wb.putInt(x);
        }
        qw.put(name, "U32", new long[] {out, (long) in * bits / 32}, wb.array());
        String module = name.substring(0, name.length() - ".weight".length());
        qw.put(module + ".scales", "BF16", new long[] {out, groups}, shorts(scales));
        qw.put(module + ".biases", "BF16", new long[] {out, groups}, shorts(biases));
        ByteBuffer rb = ByteBuffer.allocate(4 * deq.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : deq) {
          rb.putFloat(x);
        }
        rw.put(name, "F32", t.shape(), rb.array());
      }
    }
    qw.write(q.resolve("model.safetensors"));
    rw.write(ref.resolve("model.safetensors"));
    return new Made(q, ref);
  }

  private static float bf16(float v) {
    return Float.intBitsToFloat((bf16Bits(v) & 0xffff) << 16);
  }

  /** float32 to bfloat16, round to nearest even. */
  private static short bf16Bits(float v) {
    int b = Float.floatToRawIntBits(v);
    return (short) ((b + 0x7fff + ((b >>> 16) & 1)) >>> 16);
  }

  private static byte[] shorts(short[] v) {
    ByteBuffer b = ByteBuffer.allocate(2 * v.length).order(ByteOrder.LITTLE_ENDIAN);
    for (short x : v) {
      b.putShort(x);
    }
    return b.array();
  }

  private Path export(Path checkpoint, Precision p, String dir) {
    return new Exporter(Reporter.silent())
        .export(new ExportRequest(checkpoint, tmp.resolve(dir), p, Embeddings.FP32))
        .model();
  }

  /**
   * Model, bits, group size, and the largest max |diff| / std against the original's goldens as a
   * multiple of the project's own q4 export's (these random tiny models amplify any weight error:
   * their q4 export is at 2 to 4.2, and MLX 4-bit lands beside it; 8-bit is ~15x closer).
   */
  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of("tiny-llama", 4, 32, 1.5),
        Arguments.of("tiny-llama", 8, 32, 0.15),
        Arguments.of("tiny-gemma3", 4, 64, 1.5),
        Arguments.of("tiny-gemma3", 8, 32, 0.15),
        Arguments.of("tiny-qwen3", 2, 32, 4.0),
        Arguments.of("tiny-qwen3", 3, 32, 2.5),
        Arguments.of("tiny-qwen3", 6, 32, 0.5));
  }

  @ParameterizedTest(name = "{0} {1}-bit group {2}")
  @MethodSource("cases")
  void exportsAsItsDequantizationAndCloseToTheOriginal(
      String name, int bits, int groupSize, double tolerance) throws Exception {
    Made m = make(MODELS.resolve(name), tmp.resolve("made"), bits, groupSize);
    Path fromMlx = export(m.quantized(), Precision.FP32, "mlx");
    Path fromReference = export(m.reference(), Precision.FP32, "reference");
    assertThat(Files.mismatch(fromMlx, fromReference))
        .as("the export of the MLX checkpoint vs the export of its reference dequantization")
        .isEqualTo(-1L);

    Golden golden = Golden.read(MODELS.resolve(name));
    double worst = worst(golden, fromMlx);
    // the yardstick: this project's 4-bit export (MatMulNBits, block 32, round to nearest, nothing
    // kept at 8 bits) of the original
    double q4 =
        worst(
            golden,
            new Exporter(Reporter.silent())
                .export(
                    new ExportRequest(
                            MODELS.resolve(name),
                            tmp.resolve("q4"),
                            Precision.Q4,
                            Embeddings.SHARED)
                        .withMethod(QuantizeMethod.RTN)
                        .withKeep(Keep.NONE))
                .model());
    System.out.printf(
        Locale.ROOT,
        "[mlx] %s %d-bit group %d vs the original's goldens: max |diff| / std = %.3g (the"
            + " project's q4 export: %.3g)%n",
        name,
        bits,
        groupSize,
        worst,
        q4);
    assertThat(worst).isLessThanOrEqualTo(tolerance * q4).isGreaterThan(0);
  }

  private static double worst(Golden golden, Path model) throws Exception {
    double worst = 0;
    try (OrtDecoder d = new OrtDecoder(model)) {
      for (Golden.Prompt p : golden.prompts()) {
        d.reset();
        worst = Math.max(worst, p.relDiff(d.step(p.ids()), 0));
      }
    }
    return worst;
  }

  @Test
  void q4ExportOfAnMlxCheckpointIsItsFp32ExportQuantized() throws Exception {
    Made m = make(MODELS.resolve("tiny-gemma3"), tmp.resolve("made"), 4, 32);
    Path fp32 = export(m.quantized(), Precision.FP32, "fp32");
    Path quantized = tmp.resolve("quantized.onnx");
    ModelQuantizer.run(QuantizeRequest.of(fp32, quantized), Reporter.silent());
    Path q4 = export(m.quantized(), Precision.Q4, "q4");
    assertThat(Files.mismatch(q4, quantized)).isEqualTo(-1L);
  }

  @Test
  void stagedConfigDropsMlxsQuantizationKey() throws Exception {
    Made m = make(MODELS.resolve("tiny-llama"), tmp.resolve("made"), 4, 32);
    Path model = export(m.quantized(), Precision.FP32, "fp32");
    Path staged = tmp.resolve("public/models/tiny");
    new dev.edgellm.stage.Stager(Reporter.silent())
        .stage(
            new dev.edgellm.stage.StageRequest(
                m.quantized(), model, staged, dev.edgellm.stage.Layout.LOCAL));
    var config = Json.readObject(staged.resolve("config.json"));
    assertThat(config.has("quantization")).isFalse();
    assertThat(config.path("model_type").asText()).isEqualTo("llama");
  }

  @Test
  void anAdapterMergesIntoAnMlxQuantizedBase() throws Exception {
    // mlx_lm lora on a 4-bit model (QLoRA): the merge reads the dequantized weights
    Made m = make(MODELS.resolve("tiny-gemma3"), tmp.resolve("made"), 4, 32);
    Path adapter = MODELS.resolve("adapters/tiny-gemma3-mlx-lora/adapter");
    Path a =
        new Exporter(Reporter.silent())
            .export(ExportRequest.fp32(m.quantized(), tmp.resolve("a")).withAdapter(adapter))
            .model();
    Path b =
        new Exporter(Reporter.silent())
            .export(ExportRequest.fp32(m.reference(), tmp.resolve("b")).withAdapter(adapter))
            .model();
    assertThat(Files.mismatch(a, b)).isEqualTo(-1L);
  }

  @Test
  void quantizedWeightsWithoutQuantizationInTheConfigAreAnError() throws Exception {
    Made m = make(MODELS.resolve("tiny-llama"), tmp.resolve("made"), 4, 32);
    ObjectNode cfg = Json.readObject(m.quantized().resolve("config.json"));
    cfg.remove("quantization");
    Files.writeString(m.quantized().resolve("config.json"), Json.pretty(cfg));
    assertThatThrownBy(() -> export(m.quantized(), Precision.FP32, "x"))
        .isInstanceOf(CheckpointException.class)
        .hasMessageContaining(".scales' beside it (an MLX-quantized checkpoint)")
        .hasMessageContaining("has no 'quantization'");
  }

  @Test
  void aNonAffineModeIsAnError() throws Exception {
    Made m = make(MODELS.resolve("tiny-llama"), tmp.resolve("made"), 4, 32);
    ObjectNode cfg = Json.readObject(m.quantized().resolve("config.json"));
    ((ObjectNode) cfg.get("quantization")).put("mode", "mxfp4");
    Files.writeString(m.quantized().resolve("config.json"), Json.pretty(cfg));
    assertThatThrownBy(() -> export(m.quantized(), Precision.FP32, "x"))
        .isInstanceOf(CheckpointException.class)
        .hasMessageContaining("mode 'mxfp4'")
        .hasMessageContaining("affine");
  }

  @Test
  void groupSizeThatDoesNotFitTheShapesIsAnError() throws Exception {
    Made m = make(MODELS.resolve("tiny-llama"), tmp.resolve("made"), 4, 32);
    ObjectNode cfg = Json.readObject(m.quantized().resolve("config.json"));
    ((ObjectNode) cfg.get("quantization")).put("group_size", 64);
    Files.writeString(m.quantized().resolve("config.json"), Json.pretty(cfg));
    assertThatThrownBy(() -> export(m.quantized(), Precision.FP32, "x"))
        .isInstanceOf(CheckpointException.class)
        .hasMessageContaining("does not fit group_size 64 and bits 4");
  }
}
