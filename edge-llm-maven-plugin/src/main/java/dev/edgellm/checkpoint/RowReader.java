package dev.edgellm.checkpoint;

import java.nio.ByteBuffer;

/**
 * A 2-D tensor read as float32 a row segment at a time (see {@link Checkpoint#rowReader}). Safe for
 * concurrent reads: the quantizer reads rows from several threads.
 */
@FunctionalInterface
public interface RowReader {
  /**
   * Copies elements {@code [col, col + len)} of row {@code row} into {@code dst[off .. off+len)}.
   */
  void read(int row, int col, float[] dst, int off, int len);

  /** Rows of {@code t} from its little-endian F32/F16/BF16 bytes. */
  static RowReader of(ByteBuffer data, TensorInfo t) {
    DType dtype = t.dtype();
    int cols = t.shape().length > 1 ? Math.toIntExact(t.shape()[1]) : 1;
    return (row, col, dst, off, len) -> DTypes.read(data, dtype, row * cols + col, dst, off, len);
  }
}
