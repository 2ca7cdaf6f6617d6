package dev.edgellm.graph;

import dev.edgellm.checkpoint.Checkpoint;
import dev.edgellm.checkpoint.DTypes;
import dev.edgellm.checkpoint.TensorInfo;
import dev.edgellm.quantize.WeightSource;
import java.nio.ByteBuffer;

/** Checkpoint tensors as the quantizer's {@link WeightSource}. */
final class WeightSources {
  private WeightSources() {}

  /**
   * A memory-mapped 2-D tensor read as float32 (F16/BF16 widened exactly), checking every value is
   * finite. It reports itself as float32 even for F16 data, since the fp32 export holds float32 and
   * the q4 export must equal that export quantized.
   */
  static WeightSource of(Checkpoint ckpt, TensorInfo t) {
    ByteBuffer data = ckpt.map(t);
    int rows = (int) t.shape()[0];
    int cols = (int) t.shape()[1];
    return new WeightSource.Base(rows, cols) {
      @Override
      public void read(int row, int col, float[] dst, int off, int len) {
        int from = row * cols + col;
        DTypes.read(data, t.dtype(), from, dst, off, len);
        for (int i = 0; i < len; i++) {
          if (!Float.isFinite(dst[off + i])) {
            throw Checkpoint.nonFinite(t, (long) from + i, dst[off + i]);
          }
        }
      }
    };
  }
}
