package dev.edgellm.checkpoint;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Exact conversions of F16 and BF16 to float32. */
public final class DTypes {
  private DTypes() {}

  /** bfloat16 bits to float32 (exact: bf16 is the top half of a float32). */
  public static float bf16ToFloat(short bits) {
    return Float.intBitsToFloat((bits & 0xffff) << 16);
  }

  /** IEEE half bits to float32 (exact). */
  public static float f16ToFloat(short bits) {
    int h = bits & 0xffff;
    int sign = (h & 0x8000) << 16;
    int exp = (h >>> 10) & 0x1f;
    int mant = h & 0x3ff;
    if (exp == 0x1f) {
      return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
    }
    if (exp == 0) {
      if (mant == 0) {
        return Float.intBitsToFloat(sign);
      }
      // subnormal half: mant * 2^-24, exact in float32
      float v = mant * 0x1p-24f;
      return sign != 0 ? -v : v;
    }
    return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
  }

  /** Converts a tensor's little-endian bytes to float32. */
  public static float[] toFloats(ByteBuffer src, TensorInfo t) {
    ByteBuffer b = src.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    int n = Math.toIntExact(t.elements());
    float[] out = new float[n];
    switch (t.dtype()) {
      case F32 -> b.asFloatBuffer().get(out);
      case BF16 -> {
        for (int i = 0; i < n; i++) {
          out[i] = bf16ToFloat(b.getShort(2 * i));
        }
      }
      case F16 -> {
        for (int i = 0; i < n; i++) {
          out[i] = f16ToFloat(b.getShort(2 * i));
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
          dst[off + i] = Float.intBitsToFloat((src.getShort(2 * (from + i)) & 0xffff) << 16);
        }
      }
      case F16 -> {
        for (int i = 0; i < len; i++) {
          dst[off + i] = f16ToFloat(src.getShort(2 * (from + i)));
        }
      }
      default -> throw new IllegalArgumentException("not a float dtype: " + dtype);
    }
  }
}
