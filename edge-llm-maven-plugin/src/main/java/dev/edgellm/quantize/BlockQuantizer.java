package dev.edgellm.quantize;

import dev.edgellm.util.Half;
import java.util.stream.IntStream;

/**
 * The 4-bit block quantization kernel, bit-exact with onnxruntime 1.30's {@code
 * MatMulNBitsQuantizer} (MLAS's blockwise quantizer for MatMul weights, its numpy code for Gather
 * tables). Stateless and thread-safe; the {@code parallel} flag spreads one tensor over the common
 * fork-join pool.
 *
 * <h2>MatMul weights ({@code MatMulNBits})</h2>
 *
 * A MatMul's B is {@code [K, N]}; the quantized weight holds, for each output column {@code n},
 * {@code ceil(K / blockSize)} blocks of {@code blockSize} consecutive values along K. Per block:
 *
 * <ul>
 *   <li>symmetric: {@code m} = the value of largest magnitude (the minimum on a tie), {@code scale
 *       = m / -8} (signed), zero point 8 (implicit);
 *   <li>asymmetric: {@code lo = min(min, 0)}, {@code hi = max(max, 0)}, {@code scale = (hi - lo) /
 *       15}, zero point {@code = roundf(-lo / scale)} clamped to [0, 15] (0 when scale is 0);
 *   <li>each value becomes {@code clamp(roundf(v * (1 / scale) + zp), 0, 15)} in float arithmetic,
 *       {@code roundf} rounding half away from zero; {@code 1 / scale} is 0 when scale is 0;
 *   <li>nibbles are packed low first ({@code byte = q[2i] | q[2i+1] << 4}); when a block has an odd
 *       number of values the last high nibble is the zero point; bytes past the end of K (last
 *       block) stay 0; asymmetric zero points are packed two per byte, low first, a missing last
 *       one being 8.
 * </ul>
 *
 * For fp16 weights the scales are fp16 (as onnxruntime writes them) and the reciprocal is taken of
 * the fp16-rounded scale.
 *
 * <p>{@link #quantizeKxN} takes B as ONNX stores it, {@code [K, N]}; {@link #quantizeNxK} takes the
 * same matrix transposed, {@code [N, K]}, as a Hugging Face {@code nn.Linear.weight} is stored (out
 * features x in features). Both give byte-identical results.
 *
 * <h2>Gather tables ({@code GatherBlockQuantized})</h2>
 *
 * {@link #quantizeTable} quantizes a {@code [rows, cols]} table (an embedding: vocab x hidden) in
 * blocks along the columns, the way onnxruntime's numpy code does: symmetric values are signed
 * INT4, {@code rint(v / scale)} (true division, round half to even) clamped to [-8, 7], with {@code
 * scale = m / -8}; asymmetric values are UINT4 {@code rint(v / scale + zp)} with {@code zp =
 * rint(-lo / scale)} (8 when scale is 0). Elements are packed over the flattened table, low nibble
 * first.
 */
public final class BlockQuantizer {
  private BlockQuantizer() {}

  /** The block sizes MatMulNBits and GatherBlockQuantized accept. */
  public static final int[] BLOCK_SIZES = {16, 32, 64, 128, 256};

  /** True if {@code blockSize} is one of {@link #BLOCK_SIZES}. */
  public static boolean isValidBlockSize(int blockSize) {
    for (int b : BLOCK_SIZES) {
      if (b == blockSize) {
        return true;
      }
    }
    return false;
  }

  private static void checkBlockSize(int blockSize) {
    if (!isValidBlockSize(blockSize)) {
      throw new IllegalArgumentException(
          "block size " + blockSize + " is not one of 16, 32, 64, 128, 256");
    }
  }

  /** Floats per tile when reading a [K, N] matrix: bs rows x (TILE / bs) columns. */
  private static final int TILE = 16384;

  private static final ThreadLocal<float[]> BUFFER = ThreadLocal.withInitial(() -> new float[0]);

  private static float[] buffer(int size) {
    float[] b = BUFFER.get();
    if (b.length < size) {
      b = new float[size];
      BUFFER.set(b);
    }
    return b;
  }

  /**
   * Quantizes a MatMul B given as ONNX stores it: {@code b} is {@code [K, N]} row-major.
   *
   * @param parallel spread the work over the common fork-join pool
   */
  public static MatMulNBitsWeight quantizeKxN(
      WeightSource b, int blockSize, boolean symmetric, boolean parallel) {
    checkBlockSize(blockSize);
    final int k = b.rows();
    final int n = b.cols();
    final int kb = (k + blockSize - 1) / blockSize;
    final int half = blockSize / 2;
    final boolean f16 = b.isFloat16();
    final byte[] q = new byte[Math.multiplyExact(Math.multiplyExact(n, kb), half)];
    final float[] scales = new float[n * kb];
    final byte[] zps = symmetric ? null : new byte[n * kb];
    final int chunk = Math.max(16, TILE / blockSize);
    final int chunks = (n + chunk - 1) / chunk;
    IntStream tasks = IntStream.range(0, kb * chunks);
    if (parallel) {
      tasks = tasks.parallel();
    }
    tasks.forEach(
        task -> {
          int blk = task / chunks;
          int c0 = (task % chunks) * chunk;
          int cols = Math.min(chunk, n - c0);
          int r0 = blk * blockSize;
          int rows = Math.min(blockSize, k - r0);
          Scratch sc = SCRATCH.get().ensure(rows * cols, cols);
          float[] tile = sc.tile;
          for (int i = 0; i < rows; i++) {
            b.read(r0 + i, c0, tile, i * cols, cols);
          }
          quantizeTile(tile, rows, cols, symmetric, f16, sc);
          // scatter: column j's block goes to q[(col * kb + blk) * half ...]
          int pairs = (rows + 1) / 2;
          byte[] packed = sc.packed;
          for (int j = 0; j < cols; j++) {
            int col = c0 + j;
            int meta = col * kb + blk;
            int o = meta * half;
            for (int p = 0; p < pairs; p++) {
              q[o + p] = packed[p * cols + j];
            }
            scales[meta] = sc.scale[j];
            if (zps != null) {
              zps[meta] = (byte) sc.zp[j];
            }
          }
        });
    return new MatMulNBitsWeight(
        k,
        n,
        blockSize,
        symmetric,
        f16,
        q,
        scales,
        zps == null ? null : packZeroPoints(zps, n, kb));
  }

  /**
   * Quantizes a MatMul B given transposed: {@code w} is {@code [N, K]} row-major (a Hugging Face
   * Linear weight, out features x in features). Same result as {@link #quantizeKxN} of its
   * transpose.
   */
  public static MatMulNBitsWeight quantizeNxK(
      WeightSource w, int blockSize, boolean symmetric, boolean parallel) {
    checkBlockSize(blockSize);
    final int n = w.rows();
    final int k = w.cols();
    final int kb = (k + blockSize - 1) / blockSize;
    final int half = blockSize / 2;
    final boolean f16 = w.isFloat16();
    final byte[] q = new byte[Math.multiplyExact(Math.multiplyExact(n, kb), half)];
    final float[] scales = new float[n * kb];
    final byte[] zps = symmetric ? null : new byte[n * kb];
    final int rowsPerTask = Math.max(1, TILE / Math.max(1, k));
    final int tasksCount = (n + rowsPerTask - 1) / rowsPerTask;
    IntStream tasks = IntStream.range(0, tasksCount);
    if (parallel) {
      tasks = tasks.parallel();
    }
    tasks.forEach(
        task -> {
          float[] row = buffer(k);
          int end = Math.min(n, (task + 1) * rowsPerTask);
          for (int col = task * rowsPerTask; col < end; col++) {
            w.read(col, 0, row, 0, k);
            for (int blk = 0; blk < kb; blk++) {
              int r0 = blk * blockSize;
              int meta = col * kb + blk;
              quantizeColumnBlock(
                  row,
                  r0,
                  1,
                  Math.min(blockSize, k - r0),
                  symmetric,
                  f16,
                  q,
                  meta * half,
                  scales,
                  zps,
                  meta);
            }
          }
        });
    return new MatMulNBitsWeight(
        k,
        n,
        blockSize,
        symmetric,
        f16,
        q,
        scales,
        zps == null ? null : packZeroPoints(zps, n, kb));
  }

  /** Per-thread work arrays of the [K, N] path. */
  private static final class Scratch {
    float[] tile = new float[0];
    byte[] packed = new byte[0];
    float[] mn = new float[0];
    float[] mx = new float[0];
    float[] scale = new float[0];
    float[] recip = new float[0];
    float[] zf = new float[0];
    int[] zp = new int[0];

    Scratch ensure(int tileSize, int cols) {
      if (tile.length < tileSize) {
        tile = new float[tileSize];
        packed = new byte[(tileSize + 1) / 2 + cols];
      }
      if (mn.length < cols) {
        mn = new float[cols];
        mx = new float[cols];
        scale = new float[cols];
        recip = new float[cols];
        zf = new float[cols];
        zp = new int[cols];
      }
      return this;
    }
  }

  private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

  /**
   * Quantizes a tile of {@code rows} (one block along K, at most bs) x {@code cols} columns, stored
   * row-major in {@code tile}: each column is one block. Works row by row so that every inner loop
   * runs over consecutive memory. Leaves packed nibbles in {@code sc.packed[pair * cols + j]} and
   * per-column scale and zero point in {@code sc.scale}, {@code sc.zp}.
   */
  private static void quantizeTile(
      float[] tile, int rows, int cols, boolean symmetric, boolean f16, Scratch sc) {
    float[] mn = sc.mn;
    float[] mx = sc.mx;
    // Math.min/max compile to branch-free (vector) instructions; they differ from MLAS's
    // "if (v < min) min = v" only for NaN and for the sign of zero, fixed up below
    System.arraycopy(tile, 0, mn, 0, cols);
    System.arraycopy(tile, 0, mx, 0, cols);
    int i0 = 1;
    for (; i0 + 3 < rows; i0 += 4) {
      int b0 = i0 * cols;
      int b1 = b0 + cols;
      int b2 = b1 + cols;
      int b3 = b2 + cols;
      for (int j = 0; j < cols; j++) {
        float x0 = tile[b0 + j];
        float x1 = tile[b1 + j];
        float x2 = tile[b2 + j];
        float x3 = tile[b3 + j];
        mn[j] = Math.min(Math.min(mn[j], Math.min(x0, x1)), Math.min(x2, x3));
        mx[j] = Math.max(Math.max(mx[j], Math.max(x0, x1)), Math.max(x2, x3));
      }
    }
    for (; i0 < rows; i0++) {
      int base = i0 * cols;
      for (int j = 0; j < cols; j++) {
        float x = tile[base + j];
        mn[j] = Math.min(mn[j], x);
        mx[j] = Math.max(mx[j], x);
      }
    }
    for (int j = 0; j < cols; j++) {
      float lo = mn[j];
      float hi = mx[j];
      if ((lo == 0f && hi == 0f) || lo != lo || hi != hi) {
        exactRange(tile, j, cols, rows, mn, mx);
      }
    }
    float[] scale = sc.scale;
    float[] recip = sc.recip;
    float[] zf = sc.zf;
    int[] zp = sc.zp;
    for (int j = 0; j < cols; j++) {
      float lo = mn[j];
      float hi = mx[j];
      float s;
      int z;
      if (symmetric) {
        float m = Math.abs(hi) > Math.abs(lo) ? hi : lo;
        s = m / -8f;
        z = 8;
      } else {
        lo = Math.min(lo, 0f);
        hi = Math.max(hi, 0f);
        s = (hi - lo) / 15f;
        float f = lo;
        if (s != 0f) {
          f = 0f - lo / s;
        }
        z = f < 0f ? 0 : f > 15f ? 15 : roundAwayFromZero(f);
      }
      if (f16) {
        s = Half.halfToFloat(Half.floatToHalf(s));
      }
      scale[j] = s;
      recip[j] = s != 0f ? 1f / s : 0f;
      zp[j] = z;
      zf[j] = z;
    }
    byte[] packed = sc.packed;
    int i = 0;
    for (; i + 1 < rows; i += 2) {
      int b0 = i * cols;
      int b1 = b0 + cols;
      int o = (i >> 1) * cols;
      for (int j = 0; j < cols; j++) {
        float r = recip[j];
        float z = zf[j];
        int a = nibble(tile[b0 + j] * r + z);
        int c = nibble(tile[b1 + j] * r + z);
        packed[o + j] = (byte) (a | (c << 4));
      }
    }
    if (i < rows) {
      int b0 = i * cols;
      int o = (i >> 1) * cols;
      for (int j = 0; j < cols; j++) {
        packed[o + j] = (byte) (nibble(tile[b0 + j] * recip[j] + zf[j]) | (zp[j] << 4));
      }
    }
  }

  /** MLAS's own min/max scan of column {@code j} (NaN ignored, the first of equal zeros kept). */
  private static void exactRange(
      float[] tile, int j, int stride, int rows, float[] mn, float[] mx) {
    float lo = Float.MAX_VALUE;
    float hi = -Float.MAX_VALUE;
    for (int i = 0; i < rows; i++) {
      float x = tile[i * stride + j];
      if (x < lo) {
        lo = x;
      }
      if (x > hi) {
        hi = x;
      }
    }
    mn[j] = lo;
    mx[j] = hi;
  }

  /**
   * One block of {@code count} values {@code v[off + i * stride]} (MLAS semantics): writes its
   * nibbles to {@code q[qOff ...]}, its scale to {@code scales[meta]} and, if asymmetric, its zero
   * point to {@code zps[meta]}.
   */
  private static void quantizeColumnBlock(
      float[] v,
      int off,
      int stride,
      int count,
      boolean symmetric,
      boolean f16,
      byte[] q,
      int qOff,
      float[] scales,
      byte[] zps,
      int meta) {
    // branch-free scan; MLAS's "if (v < min) min = v" differs only for NaN and signed zeros
    float mn = v[off];
    float mx = mn;
    for (int i = 1, p = off + stride; i < count; i++, p += stride) {
      float x = v[p];
      mn = Math.min(mn, x);
      mx = Math.max(mx, x);
    }
    if ((mn == 0f && mx == 0f) || mn != mn || mx != mx) {
      mn = Float.MAX_VALUE;
      mx = -Float.MAX_VALUE;
      for (int i = 0, p = off; i < count; i++, p += stride) {
        float x = v[p];
        if (x < mn) {
          mn = x;
        }
        if (x > mx) {
          mx = x;
        }
      }
    }
    float scale;
    int zp;
    if (symmetric) {
      float m = Math.abs(mx) > Math.abs(mn) ? mx : mn;
      scale = m / -8f;
      zp = 8;
    } else {
      mn = Math.min(mn, 0f);
      mx = Math.max(mx, 0f);
      scale = (mx - mn) / 15f;
      float zf = mn;
      if (scale != 0f) {
        zf = 0f - mn / scale;
      }
      if (zf < 0f) {
        zp = 0;
      } else if (zf > 15f) {
        zp = 15;
      } else {
        zp = roundAwayFromZero(zf);
      }
      zps[meta] = (byte) zp;
    }
    if (f16) {
      scale = Half.halfToFloat(Half.floatToHalf(scale));
    }
    scales[meta] = scale;
    float r = scale != 0f ? 1f / scale : 0f;
    float z = zp;
    int i = 0;
    int p = off;
    int o = qOff;
    for (; i + 1 < count; i += 2, p += 2 * stride, o++) {
      int a = nibble(v[p] * r + z);
      int b = nibble(v[p + stride] * r + z);
      q[o] = (byte) (a | (b << 4));
    }
    if (i < count) {
      q[o] = (byte) (nibble(v[p] * r + z) | (zp << 4));
    }
  }

  /**
   * {@code clamp(roundf(x), 0, 15)}, with roundf rounding half away from zero. Adding 0.5 - 2^-25
   * and truncating gives {@code floor(x + 0.5)} for every float: the sum rounds up to the next
   * integer exactly when x is at or above a half (checked exhaustively for all floats in [-2, 18];
   * outside that range both clamp to 0 or 15). NaN gives 0.
   */
  static int nibble(float x) {
    int n = (int) (x + 0.49999997f);
    return n < 0 ? 0 : Math.min(n, 15);
  }

  /** C's {@code roundf} for x >= 0. */
  private static int roundAwayFromZero(float x) {
    return (int) Math.floor((double) x + 0.5);
  }

  /** Packs one zero point per (column, block) into [N, ceil(kb/2)] bytes, low nibble first. */
  private static byte[] packZeroPoints(byte[] zps, int n, int kb) {
    int perRow = (kb + 1) / 2;
    byte[] out = new byte[n * perRow];
    for (int col = 0; col < n; col++) {
      for (int b = 0; b < kb; b += 2) {
        int lo = zps[col * kb + b];
        int hi = b + 1 < kb ? zps[col * kb + b + 1] : 8;
        out[col * perRow + b / 2] = (byte) ((lo & 0xf) | (hi << 4));
      }
    }
    return out;
  }

  /**
   * Quantizes a {@code [rows, cols]} Gather table (an embedding, vocab x hidden) in blocks of
   * {@code blockSize} along the columns, the way onnxruntime's {@code quantize_gather} does.
   */
  public static GatherBlockQuantizedTable quantizeTable(
      WeightSource table, int blockSize, boolean symmetric, boolean parallel) {
    checkBlockSize(blockSize);
    final int rows = table.rows();
    final int cols = table.cols();
    final int kb = (cols + blockSize - 1) / blockSize;
    final boolean f16 = table.isFloat16();
    final long count = (long) rows * cols;
    final byte[] data = new byte[Math.toIntExact((count + 1) / 2)];
    final float[] scales = new float[rows * kb];
    final byte[] zps = symmetric ? null : new byte[rows * kb];
    // rows share bytes when cols is odd: then quantize sequentially, in row order
    IntStream tasks = IntStream.range(0, rows);
    if (parallel && cols % 2 == 0) {
      tasks = tasks.parallel();
    }
    tasks.forEach(
        r -> {
          float[] row = buffer(cols);
          table.read(r, 0, row, 0, cols);
          for (int blk = 0; blk < kb; blk++) {
            int c0 = blk * blockSize;
            int c1 = Math.min(cols, c0 + blockSize);
            float mn = row[c0];
            float mx = row[c0];
            for (int c = c0 + 1; c < c1; c++) {
              float x = row[c];
              mn = x < mn ? x : mn;
              mx = x > mx ? x : mx;
            }
            float scale;
            int zp;
            if (symmetric) {
              float m = Math.abs(mx) > Math.abs(mn) ? mx : mn;
              scale = narrow(m / -8f, f16);
              zp = 0;
            } else {
              float lo = Math.min(mn, 0f);
              float hi = Math.max(mx, 0f);
              scale = narrow(narrow(hi - lo, f16) / 15f, f16);
              zp = scale == 0f ? 8 : clamp((int) Math.rint(narrow(-lo / scale, f16)), 0, 15);
              zps[r * kb + blk] = (byte) zp;
            }
            scales[r * kb + blk] = scale;
            long base = (long) r * cols;
            for (int c = c0; c < c1; c++) {
              int qv;
              if (scale == 0f) {
                qv = symmetric ? 0 : 8;
              } else if (symmetric) {
                qv = clamp((int) Math.rint(narrow(row[c] / scale, f16)), -8, 7);
              } else {
                qv = clamp((int) Math.rint(narrow(narrow(row[c] / scale, f16) + zp, f16)), 0, 15);
              }
              putNibble(data, base + c, qv);
            }
          }
        });
    byte[] packedZps = null;
    if (zps != null) {
      packedZps = new byte[(zps.length + 1) / 2];
      for (int i = 0; i < zps.length; i++) {
        putNibble(packedZps, i, zps[i]);
      }
    }
    return new GatherBlockQuantizedTable(
        rows, cols, blockSize, symmetric, f16, data, scales, packedZps);
  }

  private static float narrow(float x, boolean f16) {
    return f16 ? Half.halfToFloat(Half.floatToHalf(x)) : x;
  }

  private static int clamp(int v, int lo, int hi) {
    return v < lo ? lo : Math.min(v, hi);
  }

  private static void putNibble(byte[] data, long index, int value) {
    int i = (int) (index >>> 1);
    if ((index & 1) == 0) {
      data[i] = (byte) ((data[i] & 0xf0) | (value & 0xf));
    } else {
      data[i] = (byte) ((data[i] & 0x0f) | ((value & 0xf) << 4));
    }
  }
}
