package dev.edgellm.adapter;

import dev.edgellm.checkpoint.Checkpoint;
import dev.edgellm.checkpoint.DTypes;
import dev.edgellm.checkpoint.TensorInfo;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;

/**
 * The fp32 merge of one low-rank update into one weight, row by row: {@code W'[o] = W[o] + Σ_k
 * c[o][k]·A[k]} with {@code c = scale·B} ([out, r]) and {@code A} [r, in]; with a magnitude vector
 * (DoRA) each merged row is then scaled to {@code m[o] / ‖W'[o]‖}. Every row of A is read
 * contiguously and the row being merged stays in cache; memory is one row per thread plus A and B.
 * Blocks of rows are merged in parallel; each row's sum runs in the same order whatever the thread,
 * so the result is deterministic.
 */
final class LowRankMerge {
  /** Rows merged per parallel task. */
  private static final int ROWS = 64;

  private LowRankMerge() {}

  /**
   * Merges into {@code dst} (float32 [out, in]).
   *
   * @param base the checkpoint holding {@code w} (stored or itself derived)
   * @param a [r, in], row-major
   * @param scaledB [out, r], row-major, already multiplied by the scale
   * @param magnitude [out] for DoRA, else null
   */
  static void merge(
      Checkpoint base,
      TensorInfo w,
      float[] a,
      float[] scaledB,
      int rank,
      float[] magnitude,
      FloatBuffer dst) {
    int out = (int) w.shape()[0];
    int in = (int) w.shape()[1];
    ByteBuffer src = base.map(w);
    // rows are independent: merged in parallel (the export's other work waits for this weight)
    java.util.stream.IntStream.range(0, (out + ROWS - 1) / ROWS)
        .parallel()
        .forEach(
            block -> {
              float[] row = new float[in];
              int end = Math.min(out, (block + 1) * ROWS);
              for (int o = block * ROWS; o < end; o++) {
                DTypes.read(src, w.dtype(), o * in, row, 0, in);
                int bRow = o * rank;
                int k = 0;
                for (; k + 4 <= rank; k += 4) {
                  // four rank components per pass: the row is loaded and stored a quarter as often
                  float c0 = scaledB[bRow + k];
                  float c1 = scaledB[bRow + k + 1];
                  float c2 = scaledB[bRow + k + 2];
                  float c3 = scaledB[bRow + k + 3];
                  int a0 = k * in;
                  int a1 = a0 + in;
                  int a2 = a1 + in;
                  int a3 = a2 + in;
                  for (int i = 0; i < in; i++) {
                    row[i] += c0 * a[a0 + i] + c1 * a[a1 + i] + c2 * a[a2 + i] + c3 * a[a3 + i];
                  }
                }
                for (; k < rank; k++) {
                  float c = scaledB[bRow + k];
                  int aRow = k * in;
                  for (int i = 0; i < in; i++) {
                    row[i] += c * a[aRow + i];
                  }
                }
                if (magnitude != null) {
                  double sq = 0;
                  for (int i = 0; i < in; i++) {
                    sq += (double) row[i] * row[i];
                  }
                  float f = (float) (magnitude[o] / Math.sqrt(sq));
                  for (int i = 0; i < in; i++) {
                    row[i] *= f;
                  }
                }
                dst.put(o * in, row, 0, in);
              }
            });
  }

  /** {@code t} [rows, cols] transposed to [cols, rows]. */
  static float[] transpose(float[] t, int rows, int cols) {
    float[] out = new float[t.length];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        out[c * rows + r] = t[r * cols + c];
      }
    }
    return out;
  }
}
