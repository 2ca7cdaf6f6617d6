package dev.edgellm.adapter;

import dev.edgellm.checkpoint.Checkpoint;
import dev.edgellm.checkpoint.RowReader;
import dev.edgellm.checkpoint.SafetensorsFile;
import dev.edgellm.checkpoint.TensorInfo;
import java.nio.FloatBuffer;
import java.util.stream.IntStream;

/**
 * One weight merged with one low-rank update, in fp32, row by row: {@code W'[o] = W[o] + Σ_k
 * c[o][k]·A[k]} with {@code c = scale·B} ([out, r]) and {@code A} [r, in]; with a magnitude vector
 * (DoRA) each merged row is then scaled to {@code m[o] / ‖W'[o]‖}.
 *
 * <p>A row is computed when it is read ({@link #openRows}): the q4 export quantizes each merged row
 * as it is made, on the quantizer's threads, and the merged tensor is never stored; an fp32 export
 * computes it whole ({@link #compute}) from the same rows. Each row's sum runs in the same order
 * whatever the thread or the pass, so the fp32 and q4 exports see the same floats and the result is
 * deterministic. Memory: A, c and one row per thread.
 */
final class LowRankMerge implements Checkpoint.Derivation {
  /** Rows merged per parallel task when the tensor is computed whole. */
  private static final int ROWS = 64;

  private final Checkpoint base;
  private final TensorInfo w;
  private final SafetensorsFile file;
  private final LoraModule module;
  private final int rank;
  private final float scale;
  private final boolean transposed;

  /**
   * @param w the base weight [out, in], stored or itself derived
   * @param module A and B (and the DoRA magnitude) in {@code file}
   * @param transposed mlx_lm's factors: {@code lora_a} [in, r] and {@code lora_b} [r, out]; else
   *     PEFT's {@code lora_A} [r, in] and {@code lora_B} [out, r]
   */
  LowRankMerge(
      Checkpoint base,
      TensorInfo w,
      SafetensorsFile file,
      LoraModule module,
      int rank,
      float scale,
      boolean transposed) {
    this.base = base;
    this.w = w;
    this.file = file;
    this.module = module;
    this.rank = rank;
    this.scale = scale;
    this.transposed = transposed;
  }

  @Override
  public RowReader openRows() {
    int out = (int) w.shape()[0];
    int in = (int) w.shape()[1];
    float[] av = file.readFloats(module.a);
    float[] bv = file.readFloats(module.b);
    // A as one array per rank component: C2 vectorizes the row update over arrays indexed from 0
    float[][] a = new float[rank][in];
    float[] c = new float[out * rank];
    for (int k = 0; k < rank; k++) {
      for (int i = 0; i < in; i++) {
        a[k][i] = transposed ? av[i * rank + k] : av[k * in + i];
      }
    }
    for (int o = 0; o < out; o++) {
      for (int k = 0; k < rank; k++) {
        c[o * rank + k] = (transposed ? bv[k * out + o] : bv[o * rank + k]) * scale;
      }
    }
    float[] magnitude = module.m == null ? null : file.readFloats(module.m);
    return new Rows(base.rowReader(w), in, a, c, magnitude);
  }

  @Override
  public void compute(FloatBuffer dst) {
    int out = (int) w.shape()[0];
    int in = (int) w.shape()[1];
    RowReader rows = openRows();
    IntStream.range(0, (out + ROWS - 1) / ROWS)
        .parallel()
        .forEach(
            block -> {
              float[] row = new float[in];
              int end = Math.min(out, (block + 1) * ROWS);
              for (int o = block * ROWS; o < end; o++) {
                rows.read(o, 0, row, 0, in);
                dst.put(o * in, row, 0, in);
              }
            });
  }

  /** The merged rows; each thread keeps the last row it merged (a row may be read in parts). */
  private static final class Rows implements RowReader {
    private final RowReader base;
    private final int in;
    private final float[][] a;
    private final float[] c;
    private final float[] magnitude;
    private final ThreadLocal<Row> last;

    Rows(RowReader base, int in, float[][] a, float[] c, float[] magnitude) {
      this.base = base;
      this.in = in;
      this.a = a;
      this.c = c;
      this.magnitude = magnitude;
      this.last = ThreadLocal.withInitial(() -> new Row(in));
    }

    @Override
    public void read(int row, int col, float[] dst, int off, int len) {
      Row r = last.get();
      if (r.index != row) {
        merge(row, r.values);
        r.index = row;
      }
      System.arraycopy(r.values, col, dst, off, len);
    }

    private void merge(int o, float[] row) {
      base.read(o, 0, row, 0, in);
      int rank = a.length;
      int cRow = o * rank;
      int k = 0;
      for (; k + 4 <= rank; k += 4) {
        // four rank components per pass: the row is loaded and stored a quarter as often
        addFour(
            row,
            in,
            c[cRow + k],
            a[k],
            c[cRow + k + 1],
            a[k + 1],
            c[cRow + k + 2],
            a[k + 2],
            c[cRow + k + 3],
            a[k + 3]);
      }
      for (; k < rank; k++) {
        float ck = c[cRow + k];
        float[] ak = a[k];
        for (int i = 0; i < in; i++) {
          row[i] += ck * ak[i];
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
    }
  }

  /** {@code row[i] += c0·a0[i] + c1·a1[i] + c2·a2[i] + c3·a3[i]}, summed in that order. */
  private static void addFour(
      float[] row,
      int n,
      float c0,
      float[] a0,
      float c1,
      float[] a1,
      float c2,
      float[] a2,
      float c3,
      float[] a3) {
    for (int i = 0; i < n; i++) {
      row[i] += c0 * a0[i] + c1 * a1[i] + c2 * a2[i] + c3 * a3[i];
    }
  }

  /** One thread's last merged row. */
  private static final class Row {
    final float[] values;
    int index = -1;

    Row(int in) {
      values = new float[in];
    }
  }
}
