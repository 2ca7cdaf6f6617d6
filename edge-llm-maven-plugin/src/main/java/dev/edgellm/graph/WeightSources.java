package dev.edgellm.graph;

import dev.edgellm.checkpoint.Checkpoint;
import dev.edgellm.checkpoint.RowReader;
import dev.edgellm.checkpoint.TensorInfo;
import dev.edgellm.quantize.WeightSource;

/** Checkpoint tensors as the quantizer's {@link WeightSource}. */
final class WeightSources {
  private WeightSources() {}

  /**
   * A memory-mapped 2-D tensor read as float32 (F16/BF16 widened exactly), checking every value is
   * finite. It reports itself as float32 even for F16 data, since the fp32 export holds float32 and
   * the q4 export must equal that export quantized. A weight merged with an adapter is computed row
   * by row as the quantizer reads it ({@link Checkpoint#rowReader}).
   */
  static WeightSource of(Checkpoint ckpt, TensorInfo t) {
    RowReader data = ckpt.rowReader(t);
    int rows = (int) t.shape()[0];
    int cols = (int) t.shape()[1];
    return new WeightSource.Base(rows, cols) {
      @Override
      public void read(int row, int col, float[] dst, int off, int len) {
        int from = row * cols + col;
        data.read(row, col, dst, off, len);
        for (int i = 0; i < len; i++) {
          if (!Float.isFinite(dst[off + i])) {
            throw Checkpoint.nonFinite(t, (long) from + i, dst[off + i]);
          }
        }
      }
    };
  }
}
