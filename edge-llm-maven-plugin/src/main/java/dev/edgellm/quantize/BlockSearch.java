package dev.edgellm.quantize;

import dev.edgellm.util.Half;
import java.util.Arrays;

/**
 * The per-tile kernel of {@link ScaleSearch}: a tile is one block along K times many columns,
 * row-major, so that every inner loop runs over consecutive columns without branches and the JIT
 * vectorizes it. See {@link ScaleSearch} for the search itself.
 */
final class BlockSearch {
  private BlockSearch() {}

  /**
   * Symmetric: the block's extreme maps to code offset {@code -c} (and, for {@code c <= 7.5}, to
   * {@code +c}); 8 is round-to-nearest's choice.
   */
  static final float[] SYM_CANDIDATES = {8f, 7.5f, 8.5f};

  /** Asymmetric: the block's range spans {@code c} steps; 15 is round-to-nearest's choice. */
  static final float[] ASYM_CANDIDATES = {15f, 14.5f, 15.5f};

  /** Refinement rounds after the candidates. */
  static final int ROUNDS = 2;

  /** Per-thread work arrays: a tile and per-column state. */
  static final class Tile {
    float[] rows = new float[0];
    float[] tile = new float[0];
    byte[] packed = new byte[0];
    float[] mn = new float[0];
    float[] mx = new float[0];
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
        packed = new byte[(tileSize + 1) / 2 + cols];
      }
      if (mn.length < cols) {
        mn = new float[cols];
        mx = new float[cols];
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

  static final ThreadLocal<Tile> TILES = ThreadLocal.withInitial(Tile::new);

  /**
   * Searches a tile of {@code rows} (one block along K) x {@code cols} columns, row-major: each
   * column is one block. Leaves packed nibbles in {@code t.packed[pair * cols + j]}, scales in
   * {@code t.bestScale}, zero points in {@code t.z}.
   */
  static void searchTile(float[] x, int rows, int cols, boolean symmetric, boolean f16, Tile t) {
    float[] mn = t.mn;
    float[] mx = t.mx;
    System.arraycopy(x, 0, mn, 0, cols);
    System.arraycopy(x, 0, mx, 0, cols);
    for (int i = 0; i < rows; i++) {
      int base = i * cols;
      for (int j = 0; j < cols; j++) {
        float v = x[base + j];
        mn[j] = Math.min(mn[j], v);
        mx[j] = Math.max(mx[j], v);
      }
    }
    float[] best = t.best;
    float[] bestScale = t.bestScale;
    float[] bestZ = t.bestZ;
    float[] inv = t.inv;
    float[] zf = t.zf;
    Arrays.fill(best, 0, cols, 0f);
    Arrays.fill(bestScale, 0, cols, 0f);
    Arrays.fill(bestZ, 0, cols, 8f);
    if (symmetric) {
      Arrays.fill(zf, 0, cols, 8f);
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
          zf[j] = Math.min(Math.max((-mn[j] * iv + BlockMath.MAGIC) - BlockMath.MAGIC, 0f), 15f);
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
                : s != 0f
                    ? Math.min(
                        Math.max((-mn[j] * inv[j] + BlockMath.MAGIC) - BlockMath.MAGIC, 0f), 15f)
                    : 8f;
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
    return (int) BlockMath.code(v, inv, z, 15f);
  }

  /**
   * Rounds every column with its {@code inv} and zero point {@code zf}, fits the least-squares
   * scale for those codes and keeps it where it lowers the squared error (raises {@code (Σ x·q)² /
   * Σ w·q²}).
   */
  private static void fitAndKeep(float[] x, int rows, int cols, Tile t) {
    float[] inv = t.inv;
    float[] zf = t.zf;
    float[] sxq = t.sxq;
    float[] sqq = t.sqq;
    Arrays.fill(sxq, 0, cols, 0f);
    Arrays.fill(sqq, 0, cols, 0f);
    for (int i = 0; i < rows; i++) {
      int base = i * cols;
      for (int j = 0; j < cols; j++) {
        float v = x[base + j];
        float z = zf[j];
        float q = BlockMath.code(v, inv[j], z, 15f) - z;
        sxq[j] += q * v;
        sqq[j] += q * q;
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
