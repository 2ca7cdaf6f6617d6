package dev.edgellm.quantize;

import dev.edgellm.util.Half;
import java.util.stream.IntStream;

/**
 * MLAS's blockwise 4-bit quantization of MatMul weights, the arithmetic {@link BlockQuantizer}
 * describes, over the two layouts a weight comes in: {@code [K, N]} (ONNX's B, read in tiles so
 * that the inner loops run over consecutive memory) and {@code [N, K]} (a Hugging Face Linear
 * weight, one column block at a time). Both give the same bytes.
 */
final class MlasKernel {
  private MlasKernel() {}

  /** Floats per tile when reading a [K, N] matrix: bs rows x (TILE / bs) columns. */
  private static final int TILE = 16384;

  /** The arrays of the weight being quantized; tasks write disjoint blocks. */
  private static final class Out {
    final int k;
    final int n;
    final int blockSize;
    final int kb;
    final int half;
    final boolean symmetric;
    final boolean f16;
    final byte[] q;
    final float[] scales;
    final byte[] zps;

    Out(int k, int n, int blockSize, boolean symmetric, boolean f16) {
      this.k = k;
      this.n = n;
      this.blockSize = blockSize;
      this.kb = (k + blockSize - 1) / blockSize;
      this.half = blockSize / 2;
      this.symmetric = symmetric;
      this.f16 = f16;
      this.q = new byte[Math.multiplyExact(Math.multiplyExact(n, kb), half)];
      this.scales = new float[n * kb];
      this.zps = symmetric ? null : new byte[n * kb];
    }

    /** Block {@code meta}'s scale and (asymmetric) zero point, from entry j of {@code sc}. */
    void setMeta(int meta, Scratch sc, int j) {
      scales[meta] = sc.scale[j];
      if (zps != null) {
        zps[meta] = (byte) sc.zp[j];
      }
    }

    MatMulNBitsWeight weight() {
      return new MatMulNBitsWeight(
          k,
          n,
          blockSize,
          symmetric,
          f16,
          q,
          scales,
          zps == null ? null : BlockMath.packZeroPoints(zps, n, kb));
    }
  }

  /** {@link BlockQuantizer#quantizeKxN}; the block size is valid. */
  static MatMulNBitsWeight quantizeKxN(
      WeightSource b, int blockSize, boolean symmetric, boolean parallel) {
    final Out out = new Out(b.rows(), b.cols(), blockSize, symmetric, b.isFloat16());
    BlockMath.forEachKxNTile(
        out.k,
        out.n,
        blockSize,
        TILE,
        parallel,
        (blk, r0, rows, c0, cols) -> {
          Scratch sc = SCRATCH.get().ensure(rows * cols, cols);
          float[] tile = sc.tile;
          for (int i = 0; i < rows; i++) {
            b.read(r0 + i, c0, tile, i * cols, cols);
          }
          quantizeTile(tile, rows, cols, symmetric, out.f16, sc);
          // scatter: column j's block goes to q[(col * kb + blk) * half ...]
          int pairs = (rows + 1) / 2;
          byte[] packed = sc.packed;
          for (int j = 0; j < cols; j++) {
            int meta = (c0 + j) * out.kb + blk;
            int o = meta * out.half;
            for (int p = 0; p < pairs; p++) {
              out.q[o + p] = packed[p * cols + j];
            }
            out.setMeta(meta, sc, j);
          }
        });
    return out.weight();
  }

  /** {@link BlockQuantizer#quantizeNxK}; the block size is valid. */
  static MatMulNBitsWeight quantizeNxK(
      WeightSource w, int blockSize, boolean symmetric, boolean parallel) {
    final Out out = new Out(w.cols(), w.rows(), blockSize, symmetric, w.isFloat16());
    final int k = out.k;
    final int n = out.n;
    final int rowsPerTask = Math.max(1, TILE / Math.max(1, k));
    final int tasksCount = (n + rowsPerTask - 1) / rowsPerTask;
    IntStream tasks = IntStream.range(0, tasksCount);
    if (parallel) {
      tasks = tasks.parallel();
    }
    tasks.forEach(
        task -> {
          float[] row = BlockQuantizer.buffer(k);
          Scratch sc = SCRATCH.get().ensure(0, 1);
          int end = Math.min(n, (task + 1) * rowsPerTask);
          for (int col = task * rowsPerTask; col < end; col++) {
            w.read(col, 0, row, 0, k);
            for (int blk = 0; blk < out.kb; blk++) {
              int r0 = blk * blockSize;
              quantizeColumnBlock(
                  row, r0, 1, Math.min(blockSize, k - r0), out, col * out.kb + blk, sc);
            }
          }
        });
    return out.weight();
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
      if (needsExactRange(mn[j], mx[j])) {
        exactRange(tile, j, cols, rows, mn, mx, j);
      }
      scaleAndZeroPoint(sc, j, symmetric, f16);
    }
    float[] recip = sc.recip;
    float[] zf = sc.zf;
    int[] zp = sc.zp;
    byte[] packed = sc.packed;
    int i = 0;
    for (; i + 1 < rows; i += 2) {
      int b0 = i * cols;
      int b1 = b0 + cols;
      int o = (i >> 1) * cols;
      for (int j = 0; j < cols; j++) {
        float r = recip[j];
        float z = zf[j];
        int a = BlockMath.nibble(tile[b0 + j] * r + z);
        int c = BlockMath.nibble(tile[b1 + j] * r + z);
        packed[o + j] = (byte) (a | (c << 4));
      }
    }
    if (i < rows) {
      int b0 = i * cols;
      int o = (i >> 1) * cols;
      for (int j = 0; j < cols; j++) {
        packed[o + j] = (byte) (BlockMath.nibble(tile[b0 + j] * recip[j] + zf[j]) | (zp[j] << 4));
      }
    }
  }

  /**
   * Whether the branch-free min/max ({@code Math.min/max}) may differ from MLAS's {@code if (v <
   * min) min = v} scan: only for NaN and for the sign of zero.
   */
  private static boolean needsExactRange(float lo, float hi) {
    return (lo == 0f && hi == 0f) || lo != lo || hi != hi;
  }

  /**
   * MLAS's own min/max scan of the {@code count} values {@code v[off + i * stride]} (NaN ignored,
   * the first of equal zeros kept), into {@code mn[j]} and {@code mx[j]}.
   */
  private static void exactRange(
      float[] v, int off, int stride, int count, float[] mn, float[] mx, int j) {
    float lo = Float.MAX_VALUE;
    float hi = -Float.MAX_VALUE;
    for (int i = 0, p = off; i < count; i++, p += stride) {
      float x = v[p];
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
   * MLAS's scale and zero point of the block whose range is {@code [sc.mn[j], sc.mx[j]]}: sets
   * {@code sc.scale[j]} (fp16-rounded for fp16 weights), its reciprocal {@code sc.recip[j]} (0 for
   * a zero scale) and the zero point {@code sc.zp[j]} (8 when symmetric), also as a float in {@code
   * sc.zf[j]}.
   */
  private static void scaleAndZeroPoint(Scratch sc, int j, boolean symmetric, boolean f16) {
    float lo = sc.mn[j];
    float hi = sc.mx[j];
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
    sc.scale[j] = s;
    sc.recip[j] = s != 0f ? 1f / s : 0f;
    sc.zp[j] = z;
    sc.zf[j] = z;
  }

  /**
   * One block of {@code count} values {@code v[off + i * stride]} (MLAS semantics): the block
   * {@code meta} ({@code column * kb + block}) of {@code out}. Uses entry 0 of {@code sc}'s
   * per-column arrays.
   */
  private static void quantizeColumnBlock(
      float[] v, int off, int stride, int count, Out out, int meta, Scratch sc) {
    float mn = v[off];
    float mx = mn;
    for (int i = 1, p = off + stride; i < count; i++, p += stride) {
      float x = v[p];
      mn = Math.min(mn, x);
      mx = Math.max(mx, x);
    }
    sc.mn[0] = mn;
    sc.mx[0] = mx;
    if (needsExactRange(mn, mx)) {
      exactRange(v, off, stride, count, sc.mn, sc.mx, 0);
    }
    scaleAndZeroPoint(sc, 0, out.symmetric, out.f16);
    out.setMeta(meta, sc, 0);
    int zp = sc.zp[0];
    float r = sc.recip[0];
    float z = sc.zf[0];
    byte[] q = out.q;
    int i = 0;
    int p = off;
    int o = meta * out.half;
    for (; i + 1 < count; i += 2, p += 2 * stride, o++) {
      int a = BlockMath.nibble(v[p] * r + z);
      int b = BlockMath.nibble(v[p + stride] * r + z);
      q[o] = (byte) (a | (b << 4));
    }
    if (i < count) {
      q[o] = (byte) (BlockMath.nibble(v[p] * r + z) | (zp << 4));
    }
  }

  /** C's {@code roundf} for x >= 0. */
  private static int roundAwayFromZero(float x) {
    return (int) Math.floor((double) x + 0.5);
  }
}
