package dev.edgellm.quantize;

import dev.edgellm.util.Half;
import java.util.stream.IntStream;

/**
 * 4-bit block quantization that searches each block's scale (and zero point) for the least weighted
 * squared reconstruction error, in the same on-disk format as {@link BlockQuantizer} (MatMulNBits:
 * {@code value = scale * (code - zeroPoint)}, 4-bit codes, one scale per block, an integer zero
 * point per block or the implicit 8). No calibration data.
 *
 * <p>Round-to-nearest fixes the scale from the block's extreme ({@code max|x| / 8}) and rounds: one
 * outlier stretches the grid and every other value of the block pays for it. Here, per block:
 *
 * <ol>
 *   <li>a few candidate grids around round-to-nearest's ({@code amax / c} for {@code c} in {@link
 *       #SYM_CANDIDATES}, the extreme mapped to either end of the code range; asymmetric: {@code
 *       (max - min) / c} for {@code c} in {@link #ASYM_CANDIDATES}, zero point {@code round(-min /
 *       s)});
 *   <li>for each, codes by rounding, then the scale that is best <em>for those codes</em>, the
 *       weighted least-squares fit {@code s = Σ w·x·q / Σ w·q²} ({@code q = code - zeroPoint}); the
 *       error is then {@code Σ w·x² − (Σ w·x·q)² / Σ w·q²}, so the search keeps the codes that
 *       maximize {@code (Σ w·x·q)² / Σ w·q²};
 *   <li>then {@link #ROUNDS} rounds of re-rounding with the fitted scale and fitting again, kept
 *       while the error falls (the alternating minimization of llama.cpp's k-quants and of HQQ,
 *       restricted to the integer zero points MatMulNBits stores).
 * </ol>
 *
 * The weight of each value is {@code x² + mean(x²)} over its block: large values matter more to a
 * product (llama.cpp's weighting without an importance matrix), small ones are not ignored.
 *
 * <p>Measured on the trained fixtures (see the README's table) this lowers the KL divergence to the
 * fp32 model by about 10% against round-to-nearest; the candidate grid beyond three scales bought
 * nothing measurable there, so it is kept small. The kernel works on tiles of one block (along K)
 * times many columns, so that every inner loop runs over consecutive columns without branches and
 * the JIT vectorizes it; tiles are spread over the fork-join pool. Deterministic (same input, same
 * bytes) whatever the thread count, and {@link #quantizeNxK} and {@link #quantizeKxN} give the same
 * bytes for a matrix and its transpose.
 */
public final class ScaleSearch {
  private ScaleSearch() {}

  /**
   * Symmetric: the block's extreme maps to code offset {@code -c} (and, for {@code c <= 7.5}, to
   * {@code +c}); 8 is round-to-nearest's choice.
   */
  static final float[] SYM_CANDIDATES = {8f, 7.5f, 8.5f};

  /** Asymmetric: the block's range spans {@code c} steps; 15 is round-to-nearest's choice. */
  static final float[] ASYM_CANDIDATES = {15f, 14.5f, 15.5f};

  /** Refinement rounds after the candidates. */
  static final int ROUNDS = 2;

  /** Floats per tile: at most this many values are searched together. */
  private static final int TILE = 4096;

  /** Adding and subtracting it rounds a float of magnitude below 2^22 to an integer (half even). */
  private static final float MAGIC = 12582912f;

  /**
   * Quantizes a MatMul B given transposed, {@code [N, K]} (a Hugging Face Linear weight, out x in
   * features).
   */
  public static MatMulNBitsWeight quantizeNxK(
      WeightSource w, int blockSize, boolean symmetric, boolean parallel) {
    final int n = w.rows();
    final int k = w.cols();
    final int kb = (k + blockSize - 1) / blockSize;
    final Out out = new Out(n, kb, blockSize, symmetric);
    final int chunk = Math.max(16, Math.min(128, 65536 / Math.max(1, k)));
    final int chunks = (n + chunk - 1) / chunk;
    IntStream tasks = IntStream.range(0, chunks);
    if (parallel) {
      tasks = tasks.parallel();
    }
    tasks.forEach(
        task -> {
          int c0 = task * chunk;
          int cols = Math.min(chunk, n - c0);
          Tile t = TILES.get().ensure(blockSize * cols, cols, cols * k);
          float[] rows = t.rows;
          for (int j = 0; j < cols; j++) {
            w.read(c0 + j, 0, rows, j * k, k);
          }
          for (int blk = 0; blk < kb; blk++) {
            int r0 = blk * blockSize;
            int count = Math.min(blockSize, k - r0);
            float[] tile = t.tile;
            for (int j = 0; j < cols; j++) {
              int from = j * k + r0;
              for (int i = 0; i < count; i++) {
                tile[i * cols + j] = rows[from + i];
              }
            }
            searchTile(tile, count, cols, symmetric, w.isFloat16(), t);
            out.scatter(t, blk, c0, cols, count);
          }
        });
    return out.weight(k, w.isFloat16());
  }

  /**
   * Quantizes a MatMul B as ONNX stores it, {@code [K, N]}: the same bytes as {@link #quantizeNxK}
   * of its transpose.
   */
  public static MatMulNBitsWeight quantizeKxN(
      WeightSource b, int blockSize, boolean symmetric, boolean parallel) {
    final int k = b.rows();
    final int n = b.cols();
    final int kb = (k + blockSize - 1) / blockSize;
    final Out out = new Out(n, kb, blockSize, symmetric);
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
          int count = Math.min(blockSize, k - r0);
          Tile t = TILES.get().ensure(blockSize * cols, cols, 0);
          for (int i = 0; i < count; i++) {
            b.read(r0 + i, c0, t.tile, i * cols, cols);
          }
          searchTile(t.tile, count, cols, symmetric, b.isFloat16(), t);
          out.scatter(t, blk, c0, cols, count);
        });
    return out.weight(k, b.isFloat16());
  }

  /**
   * Quantizes a Gather table {@code [rows, cols]} in blocks along the columns, in {@code
   * GatherBlockQuantized}'s layout (signed INT4 {@code code - 8} when symmetric, UINT4 codes and
   * zero points otherwise).
   */
  public static GatherBlockQuantizedTable quantizeTable(
      WeightSource table, int blockSize, boolean symmetric, boolean parallel) {
    MatMulNBitsWeight m = quantizeNxK(table, blockSize, symmetric, parallel);
    int rows = table.rows();
    int cols = table.cols();
    int kb = m.blocksPerColumn();
    int half = blockSize / 2;
    byte[] data = new byte[(int) (((long) rows * cols + 1) / 2)];
    byte[] q = m.q4();
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        int i = c % blockSize;
        int code = (q[(r * kb + c / blockSize) * half + i / 2] >> ((i & 1) * 4)) & 0xf;
        putNibble(data, (long) r * cols + c, symmetric ? code - 8 : code);
      }
    }
    byte[] zps = null;
    if (!symmetric) {
      zps = new byte[(rows * kb + 1) / 2];
      int perRow = (kb + 1) / 2;
      for (int r = 0; r < rows; r++) {
        for (int blk = 0; blk < kb; blk++) {
          int z = (m.zeroPoints()[r * perRow + blk / 2] >> ((blk & 1) * 4)) & 0xf;
          putNibble(zps, (long) r * kb + blk, z);
        }
      }
    }
    return new GatherBlockQuantizedTable(
        rows, cols, blockSize, symmetric, m.float16Scales(), data, m.scales(), zps);
  }

  private static void putNibble(byte[] data, long index, int value) {
    int i = (int) (index >>> 1);
    if ((index & 1) == 0) {
      data[i] = (byte) ((data[i] & 0xf0) | (value & 0xf));
    } else {
      data[i] = (byte) ((data[i] & 0x0f) | ((value & 0xf) << 4));
    }
  }

  /** The result arrays, filled tile by tile. */
  private static final class Out {
    final int n;
    final int kb;
    final int blockSize;
    final byte[] q;
    final float[] scales;
    final byte[] zps;

    Out(int n, int kb, int blockSize, boolean symmetric) {
      this.n = n;
      this.kb = kb;
      this.blockSize = blockSize;
      this.q = new byte[Math.multiplyExact(Math.multiplyExact(n, kb), blockSize / 2)];
      this.scales = new float[n * kb];
      this.zps = symmetric ? null : new byte[n * kb];
    }

    /** Column {@code c0 + j}'s block {@code blk} goes to {@code q[(col * kb + blk) * bs/2 ...]}. */
    void scatter(Tile t, int blk, int c0, int cols, int count) {
      int half = blockSize / 2;
      int pairs = (count + 1) / 2;
      for (int j = 0; j < cols; j++) {
        int meta = (c0 + j) * kb + blk;
        int o = meta * half;
        for (int p = 0; p < pairs; p++) {
          q[o + p] = t.packed[p * cols + j];
        }
        scales[meta] = t.bestScale[j];
        if (zps != null) {
          zps[meta] = (byte) t.z[j];
        }
      }
    }

    MatMulNBitsWeight weight(int k, boolean f16) {
      byte[] packedZps = null;
      if (zps != null) {
        int perRow = (kb + 1) / 2;
        packedZps = new byte[n * perRow];
        for (int col = 0; col < n; col++) {
          for (int b = 0; b < kb; b += 2) {
            int lo = zps[col * kb + b];
            int hi = b + 1 < kb ? zps[col * kb + b + 1] : 8;
            packedZps[col * perRow + b / 2] = (byte) ((lo & 0xf) | (hi << 4));
          }
        }
      }
      return new MatMulNBitsWeight(k, n, blockSize, zps == null, f16, q, scales, packedZps);
    }
  }

  /** Per-thread work arrays: a tile and per-column state. */
  private static final class Tile {
    float[] rows = new float[0];
    float[] tile = new float[0];
    float[] wt = new float[0];
    byte[] packed = new byte[0];
    float[] mn = new float[0];
    float[] mx = new float[0];
    float[] msq = new float[0];
    float[] inv = new float[0];
    float[] zf = new float[0];
    float[] sxq = new float[0];
    float[] sqq = new float[0];
    float[] best = new float[0];
    float[] bestScale = new float[0];
    float[] bestZ = new float[0];
    int[] z = new int[0];

    Tile ensure(int tileSize, int cols, int rowsSize) {
      if (rows.length < rowsSize) {
        rows = new float[rowsSize];
      }
      if (tile.length < tileSize) {
        tile = new float[tileSize];
        wt = new float[tileSize];
        packed = new byte[(tileSize + 1) / 2 + cols];
      }
      if (mn.length < cols) {
        mn = new float[cols];
        mx = new float[cols];
        msq = new float[cols];
        inv = new float[cols];
        zf = new float[cols];
        sxq = new float[cols];
        sqq = new float[cols];
        best = new float[cols];
        bestScale = new float[cols];
        bestZ = new float[cols];
        z = new int[cols];
      }
      return this;
    }
  }

  private static final ThreadLocal<Tile> TILES = ThreadLocal.withInitial(Tile::new);

  /**
   * Searches a tile of {@code rows} (one block along K) x {@code cols} columns, row-major: each
   * column is one block. Leaves packed nibbles in {@code t.packed[pair * cols + j]}, scales in
   * {@code t.bestScale}, zero points in {@code t.z}.
   */
  private static void searchTile(
      float[] x, int rows, int cols, boolean symmetric, boolean f16, Tile t) {
    float[] mn = t.mn;
    float[] mx = t.mx;
    float[] msq = t.msq;
    System.arraycopy(x, 0, mn, 0, cols);
    System.arraycopy(x, 0, mx, 0, cols);
    java.util.Arrays.fill(msq, 0, cols, 0f);
    for (int i = 0; i < rows; i++) {
      int base = i * cols;
      for (int j = 0; j < cols; j++) {
        float v = x[base + j];
        mn[j] = Math.min(mn[j], v);
        mx[j] = Math.max(mx[j], v);
        msq[j] += v * v;
      }
    }
    float invRows = 1f / rows;
    for (int j = 0; j < cols; j++) {
      msq[j] *= invRows;
    }
    float[] wt = t.wt;
    for (int i = 0; i < rows; i++) {
      int base = i * cols;
      for (int j = 0; j < cols; j++) {
        float v = x[base + j];
        wt[base + j] = v * v + msq[j];
      }
    }
    float[] best = t.best;
    float[] bestScale = t.bestScale;
    float[] bestZ = t.bestZ;
    float[] inv = t.inv;
    float[] zf = t.zf;
    java.util.Arrays.fill(best, 0, cols, 0f);
    java.util.Arrays.fill(bestScale, 0, cols, 0f);
    java.util.Arrays.fill(bestZ, 0, cols, 8f);
    if (symmetric) {
      java.util.Arrays.fill(zf, 0, cols, 8f);
      for (float c : SYM_CANDIDATES) {
        for (int sign = -1; sign <= 1; sign += 2) {
          if (sign > 0 && c > 7.5f) {
            continue;
          }
          float m = sign * c;
          for (int j = 0; j < cols; j++) {
            float amax = Math.abs(mx[j]) > Math.abs(mn[j]) ? mx[j] : mn[j];
            inv[j] = amax != 0f ? m / amax : 0f;
          }
          fitAndKeep(x, rows, cols, t);
        }
      }
    } else {
      for (float c : ASYM_CANDIDATES) {
        for (int j = 0; j < cols; j++) {
          float range = mx[j] - mn[j];
          if (range == 0f) {
            range = Math.abs(mx[j]);
          }
          float iv = range != 0f ? c / range : 0f;
          inv[j] = iv;
          zf[j] = Math.min(Math.max((-mn[j] * iv + MAGIC) - MAGIC, 0f), 15f);
        }
        fitAndKeep(x, rows, cols, t);
      }
    }
    for (int r = 0; r < ROUNDS; r++) {
      for (int j = 0; j < cols; j++) {
        float s = bestScale[j];
        inv[j] = s != 0f ? 1f / s : 0f;
        zf[j] =
            symmetric
                ? 8f
                : s != 0f ? Math.min(Math.max((-mn[j] * inv[j] + MAGIC) - MAGIC, 0f), 15f) : 8f;
      }
      fitAndKeep(x, rows, cols, t);
    }
    int[] z = t.z;
    for (int j = 0; j < cols; j++) {
      float s = bestScale[j];
      if (f16) {
        s = Half.halfToFloat(Half.floatToHalf(s));
        bestScale[j] = s;
      }
      inv[j] = s != 0f ? 1f / s : 0f;
      zf[j] = s != 0f ? bestZ[j] : 8f;
      z[j] = (int) zf[j];
    }
    byte[] packed = t.packed;
    int i = 0;
    for (; i + 1 < rows; i += 2) {
      int b0 = i * cols;
      int b1 = b0 + cols;
      int o = (i >> 1) * cols;
      for (int j = 0; j < cols; j++) {
        int a = code(x[b0 + j], inv[j], zf[j]);
        int c = code(x[b1 + j], inv[j], zf[j]);
        packed[o + j] = (byte) (a | (c << 4));
      }
    }
    if (i < rows) {
      int b0 = i * cols;
      int o = (i >> 1) * cols;
      for (int j = 0; j < cols; j++) {
        packed[o + j] = (byte) (code(x[b0 + j], inv[j], zf[j]) | (z[j] << 4));
      }
    }
  }

  private static int code(float v, float inv, float z) {
    return (int) Math.min(Math.max((v * inv + MAGIC) - MAGIC + z, 0f), 15f);
  }

  /**
   * Rounds every column with its {@code inv} and zero point {@code zf}, fits the least-squares
   * scale for those codes and keeps it where it lowers the weighted error (raises {@code (Σ w·x·q)²
   * / Σ w·q²}).
   */
  private static void fitAndKeep(float[] x, int rows, int cols, Tile t) {
    float[] inv = t.inv;
    float[] zf = t.zf;
    float[] wt = t.wt;
    float[] sxq = t.sxq;
    float[] sqq = t.sqq;
    java.util.Arrays.fill(sxq, 0, cols, 0f);
    java.util.Arrays.fill(sqq, 0, cols, 0f);
    for (int i = 0; i < rows; i++) {
      int base = i * cols;
      for (int j = 0; j < cols; j++) {
        float v = x[base + j];
        float z = zf[j];
        float q = Math.min(Math.max((v * inv[j] + MAGIC) - MAGIC + z, 0f), 15f) - z;
        float wq = wt[base + j] * q;
        sxq[j] += wq * v;
        sqq[j] += wq * q;
      }
    }
    float[] best = t.best;
    float[] bestScale = t.bestScale;
    float[] bestZ = t.bestZ;
    for (int j = 0; j < cols; j++) {
      float d = sqq[j];
      if (d > 0f) {
        float score = sxq[j] * (sxq[j] / d);
        if (score > best[j]) {
          best[j] = score;
          bestScale[j] = sxq[j] / d;
          bestZ[j] = zf[j];
        }
      }
    }
  }
}
