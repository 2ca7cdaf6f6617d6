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
 * contiguously and the row being merged stays in cache; memory is the weight's rows one at a time
 * plus A and B.
 */
final class LowRankMerge {
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
    float[] row = new float[in];
    float[] delta = new float[in];
    for (int o = 0; o < out; o++) {
      DTypes.read(src, w.dtype(), o * in, row, 0, in);
      java.util.Arrays.fill(delta, 0f);
      int bRow = o * rank;
      for (int k = 0; k < rank; k++) {
        float c = scaledB[bRow + k];
        int aRow = k * in;
        for (int i = 0; i < in; i++) {
          delta[i] += c * a[aRow + i];
        }
      }
      for (int i = 0; i < in; i++) {
        row[i] += delta[i];
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
