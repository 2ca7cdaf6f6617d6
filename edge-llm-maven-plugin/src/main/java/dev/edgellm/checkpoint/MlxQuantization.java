package dev.edgellm.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import dev.edgellm.util.Json;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.nio.file.Path;

/**
 * MLX-quantized checkpoints (what {@code mlx_lm convert -q} writes, e.g. {@code
 * mlx-community/*-4bit}): config.json has {@code quantization: {group_size, bits}} (per-module
 * overrides by module path, {@code false} for a module left in float), and each quantized module
 * stores {@code weight} as {@code uint32} [out, in·bits/32], its values packed little-endian (value
 * {@code i} of a row at bit {@code i·bits} of the row's bytes), with {@code scales} and {@code
 * biases} [out, in/group_size]. MLX's affine quantization: {@code w = scale·q + bias} per group of
 * {@code group_size} consecutive values along the input dimension.
 *
 * <p>The weights are shown as float32 tensors, dequantized one tensor at a time when read; {@code
 * scales} and {@code biases} are hidden.
 */
final class MlxQuantization {
  private static final String FIX = "; use the config.json that mlx_lm saved with these weights";

  private MlxQuantization() {}

  /** {@code raw} with every MLX-quantized weight dequantized, or {@code raw} itself when none. */
  static Checkpoint apply(Checkpoint raw) {
    Checkpoint.Overlay overlay = new Checkpoint.Overlay();
    JsonNode quant = null;
    boolean readConfig = false;
    for (TensorInfo w : raw.tensors().values()) {
      if (!w.name().endsWith(".weight")) {
        continue;
      }
      String module = w.name().substring(0, w.name().length() - ".weight".length());
      TensorInfo scales = raw.tensors().get(module + ".scales");
      if (scales == null) {
        continue;
      }
      if (!readConfig) {
        quant = quantization(raw.dir());
        readConfig = true;
      }
      TensorInfo biases = raw.tensors().get(module + ".biases");
      String where = "tensor '" + w.name() + "' in " + w.file();
      if (quant == null) {
        throw new CheckpointException(
            where
                + " has '"
                + module
                + ".scales' beside it (an MLX-quantized checkpoint), but "
                + raw.dir().resolve("config.json")
                + " has no 'quantization' {group_size, bits}"
                + FIX);
      }
      JsonNode settings = quant.has(module) ? quant.get(module) : quant;
      if (settings.isBoolean() && !settings.asBoolean()) {
        throw new CheckpointException(
            where
                + " is stored quantized, but config.json's quantization says '"
                + module
                + "': false (not quantized)"
                + FIX);
      }
      String mode = settings.path("mode").asText(quant.path("mode").asText("affine"));
      if (!mode.equals("affine")) {
        throw new CheckpointException(
            where
                + " is quantized in MLX mode '"
                + mode
                + "'; only MLX's affine quantization (scales and biases) is supported: convert"
                + " the model with mlx_lm convert -q --q-mode affine, or export the unquantized"
                + " model");
      }
      int groupSize = settings.path("group_size").asInt(quant.path("group_size").asInt(0));
      int bits = settings.path("bits").asInt(quant.path("bits").asInt(0));
      if (groupSize <= 0 || bits < 1 || bits > 8) {
        throw new CheckpointException(
            "config.json's quantization for '"
                + module
                + "' has group_size "
                + groupSize
                + " and bits "
                + bits
                + "; MLX writes group_size 32, 64 or 128 and bits 2 to 8"
                + FIX);
      }
      if (biases == null) {
        throw new CheckpointException(
            where
                + " has scales but no '"
                + module
                + ".biases'; MLX's affine quantization stores both: download the checkpoint"
                + " again");
      }
      if (w.dtype() != DType.U32 || w.shape().length != 2) {
        throw new CheckpointException(
            where
                + " is "
                + w.dtype()
                + " "
                + w.shapeText()
                + " beside '"
                + module
                + ".scales', but an MLX-quantized weight is U32 [out, in*bits/32]; the"
                + " checkpoint is damaged: download it again");
      }
      long out = w.shape()[0];
      long packed = w.shape()[1];
      long groups = scales.shape().length == 2 ? scales.shape()[1] : -1;
      long in = groups * groupSize;
      if (scales.shape().length != 2
          || scales.shape()[0] != out
          || !java.util.Arrays.equals(scales.shape(), biases.shape())
          || packed * 32 != in * bits
          || !scales.dtype().isExportableFloat()
          || !biases.dtype().isExportableFloat()) {
        throw new CheckpointException(
            where
                + " "
                + w.shapeText()
                + " with scales "
                + scales.dtype()
                + " "
                + scales.shapeText()
                + " and biases "
                + biases.dtype()
                + " "
                + biases.shapeText()
                + " does not fit group_size "
                + groupSize
                + " and bits "
                + bits
                + " (expected U32 [out, in*bits/32], float scales and biases [out, in/group_size])"
                + FIX);
      }
      int rows = Math.toIntExact(out);
      int cols = Math.toIntExact(in);
      int g = groupSize;
      int b = bits;
      overlay
          .compute(
              w.name(),
              new long[] {out, in},
              w.file(),
              dst -> dequantize(raw, w, scales, biases, rows, cols, g, b, dst))
          .hide(scales.name())
          .hide(biases.name());
    }
    return overlay.isEmpty() ? raw : raw.with(overlay);
  }

  /**
   * Dequantizes a [rows, cols] weight: value {@code i} of row {@code r} is {@code
   * scales[r][i/groupSize] · q + biases[r][i/groupSize]} with {@code q} the {@code bits} bits at
   * bit {@code i·bits} of the row's little-endian bytes.
   */
  static void dequantize(
      Checkpoint raw,
      TensorInfo w,
      TensorInfo scalesInfo,
      TensorInfo biasesInfo,
      int rows,
      int cols,
      int groupSize,
      int bits,
      FloatBuffer dst) {
    ByteBuffer q = raw.map(w);
    ByteBuffer s = raw.map(scalesInfo);
    ByteBuffer z = raw.map(biasesInfo);
    int groups = cols / groupSize;
    int rowBytes = cols * bits / 8;
    int mask = (1 << bits) - 1;
    float[] scales = new float[groups];
    float[] biases = new float[groups];
    float[] row = new float[cols];
    for (int r = 0; r < rows; r++) {
      DTypes.read(s, scalesInfo.dtype(), r * groups, scales, 0, groups);
      DTypes.read(z, biasesInfo.dtype(), r * groups, biases, 0, groups);
      long base = (long) r * rowBytes;
      for (int i = 0; i < cols; i++) {
        long bit = (long) i * bits;
        int at = (int) (base + (bit >>> 3));
        int shift = (int) (bit & 7);
        int word = q.get(at) & 0xff;
        if (shift + bits > 8) {
          word |= (q.get(at + 1) & 0xff) << 8;
        }
        int value = (word >>> shift) & mask;
        int grp = i / groupSize;
        row[i] = scales[grp] * value + biases[grp];
      }
      dst.put(r * cols, row, 0, cols);
    }
  }

  private static JsonNode quantization(Path dir) {
    Path config = dir.resolve("config.json");
    JsonNode root;
    try {
      root = Json.read(config);
    } catch (IOException e) {
      throw new CheckpointException(config + " cannot be read: " + e.getMessage());
    }
    for (String key : new String[] {"quantization", "quantization_config"}) {
      JsonNode n = root.get(key);
      if (n != null && n.isObject() && n.has("group_size")) {
        return n;
      }
    }
    return null;
  }
}
