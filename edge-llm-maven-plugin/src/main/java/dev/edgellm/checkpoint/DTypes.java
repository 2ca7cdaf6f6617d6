package dev.edgellm.checkpoint;

import dev.edgellm.util.Half;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Reads F32, F16 and BF16 tensor data as float32 (the 16-bit formats through {@link Half}). */
public final class DTypes {
  private DTypes() {}

  /** Converts a tensor's little-endian bytes to float32. */
  public static float[] toFloats(ByteBuffer src, TensorInfo t) {
    ByteBuffer b = src.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    int n = Math.toIntExact(t.elements());
    float[] out = new float[n];
    switch (t.dtype()) {
      case F32 -> b.asFloatBuffer().get(out);
      case BF16 -> {
        for (int i = 0; i < n; i++) {
          out[i] = Half.bf16ToFloat(b.getShort(2 * i));
        }
      }
      case F16 -> {
        for (int i = 0; i < n; i++) {
          out[i] = Half.halfToFloat(b.getShort(2 * i));
        }
      }
      default ->
          throw new CheckpointException(
              t.file()
                  + ": tensor '"
                  + t.name()
                  + "' has dtype "
                  + t.dtype()
                  + "; supported weight dtypes are F32, F16 and BF16: save the checkpoint in one of them");
    }
    return out;
  }

  /**
   * Converts {@code len} elements starting at element {@code from} of a little-endian F32/F16/BF16
   * buffer into {@code dst[off..off+len)}.
   */
  public static void read(ByteBuffer src, DType dtype, int from, float[] dst, int off, int len) {
    switch (dtype) {
      case F32 -> {
        for (int i = 0; i < len; i++) {
          dst[off + i] = src.getFloat(4 * (from + i));
        }
      }
      case BF16 -> {
        for (int i = 0; i < len; i++) {
          dst[off + i] = Half.bf16ToFloat(src.getShort(2 * (from + i)));
        }
      }
      case F16 -> {
        for (int i = 0; i < len; i++) {
          dst[off + i] = Half.halfToFloat(src.getShort(2 * (from + i)));
        }
      }
      default -> throw new IllegalArgumentException("not a float dtype: " + dtype);
    }
  }
}
