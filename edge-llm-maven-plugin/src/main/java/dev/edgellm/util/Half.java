package dev.edgellm.util;

/**
 * Conversions between {@code float} and the 16-bit float formats ONNX and safetensors use: IEEE
 * half precision (FLOAT16, {@code F16}) and bfloat16 ({@code BF16}). Narrowing rounds to nearest,
 * ties to even, like numpy, PyTorch and onnxruntime.
 */
public final class Half {
  private Half() {}

  /** IEEE half (bits in the low 16 bits of {@code h}) to float, exactly. */
  public static float halfToFloat(short h) {
    int bits = h & 0xffff;
    int sign = (bits & 0x8000) << 16;
    int exp = (bits >>> 10) & 0x1f;
    int mant = bits & 0x3ff;
    if (exp == 0x1f) {
      return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
    }
    if (exp == 0) {
      if (mant == 0) {
        return Float.intBitsToFloat(sign);
      }
      float f = mant * 0x1p-24f;
      return sign == 0 ? f : -f;
    }
    return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
  }

  /** Float to IEEE half bits, rounding to nearest even; overflow gives infinity, NaN stays NaN. */
  public static short floatToHalf(float f) {
    int bits = Float.floatToRawIntBits(f);
    int sign = (bits >>> 16) & 0x8000;
    int abs = bits & 0x7fffffff;
    if (abs >= 0x7f800000) { // Inf or NaN
      return (short) (sign | 0x7c00 | (abs > 0x7f800000 ? 0x200 | ((abs >>> 13) & 0x3ff) : 0));
    }
    if (abs >= 0x477ff000) { // rounds to >= 65520: infinity
      return (short) (sign | 0x7c00);
    }
    if (abs < 0x38800000) { // below the smallest normal half: subnormal or zero
      if (abs < 0x33000000) { // < 2^-25 rounds to zero
        return (short) sign;
      }
      int e = abs >>> 23;
      int m = (abs & 0x7fffff) | 0x800000;
      int shift = 126 - e; // 14 + (112 - e) ... shift so that result is in units of 2^-24
      int h = m >>> shift;
      int rem = m & ((1 << shift) - 1);
      int half = 1 << (shift - 1);
      if (rem > half || (rem == half && (h & 1) != 0)) {
        h++;
      }
      return (short) (sign | h);
    }
    int h = ((abs >>> 13) - (112 << 10));
    int rem = abs & 0x1fff;
    if (rem > 0x1000 || (rem == 0x1000 && (h & 1) != 0)) {
      h++;
    }
    return (short) (sign | h);
  }

  /** bfloat16 (bits in the low 16 bits of {@code b}) to float, exactly. */
  public static float bf16ToFloat(short b) {
    return Float.intBitsToFloat((b & 0xffff) << 16);
  }

  /** Float to bfloat16 bits, rounding to nearest even; NaN stays NaN. */
  public static short floatToBf16(float f) {
    int bits = Float.floatToRawIntBits(f);
    if ((bits & 0x7fffffff) > 0x7f800000) {
      return (short) ((bits >>> 16) | 0x40);
    }
    int rounding = 0x7fff + ((bits >>> 16) & 1);
    return (short) ((bits + rounding) >>> 16);
  }
}
