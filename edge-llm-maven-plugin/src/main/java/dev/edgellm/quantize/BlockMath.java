package dev.edgellm.quantize;

/**
 * The block arithmetic every quantizer here shares: rounding to a code, nibble packing and the
 * packing of MatMulNBits zero points. One implementation, used by {@link MlasKernel}, {@link
 * BlockQuantizer}, {@link ScaleSearch} and {@link Int8Blocks}.
 */
final class BlockMath {
  private BlockMath() {}

  /** Adding and subtracting it rounds a float of magnitude below 2^22 to an integer (half even). */
  static final float MAGIC = 12582912f;

  /**
   * {@code clamp(roundf(x), 0, 15)}, with roundf rounding half away from zero (MLAS). Adding 0.5 -
   * 2^-25 and truncating gives {@code floor(x + 0.5)} for every float: the sum rounds up to the
   * next integer exactly when x is at or above a half (checked exhaustively for all floats in [-2,
   * 18]; outside that range both clamp to 0 or 15). NaN gives 0.
   */
  static int nibble(float x) {
    int n = (int) (x + 0.49999997f);
    return n < 0 ? 0 : Math.min(n, 15);
  }

  /** {@code clamp(rint(v * inv) + z, 0, max)} as a float (round half to even), branch-free. */
  static float code(float v, float inv, float z, float max) {
    return Math.min(Math.max((v * inv + MAGIC) - MAGIC + z, 0f), max);
  }

  /** Sets the 4-bit element {@code index} of {@code data} (low nibble first) to {@code value}. */
  static void putNibble(byte[] data, long index, int value) {
    int i = (int) (index >>> 1);
    if ((index & 1) == 0) {
      data[i] = (byte) ((data[i] & 0xf0) | (value & 0xf));
    } else {
      data[i] = (byte) ((data[i] & 0x0f) | ((value & 0xf) << 4));
    }
  }

  /**
   * Packs one 4-bit zero point per (column, block), {@code zps[col * kb + block]}, into
   * MatMulNBits' {@code [N, ceil(kb/2)]} bytes, low nibble first, a missing last one being 8.
   */
  static byte[] packZeroPoints(byte[] zps, int n, int kb) {
    int perRow = (kb + 1) / 2;
    byte[] out = new byte[n * perRow];
    for (int col = 0; col < n; col++) {
      for (int b = 0; b < kb; b += 2) {
        int lo = zps[col * kb + b];
        int hi = b + 1 < kb ? zps[col * kb + b + 1] : 8;
        out[col * perRow + b / 2] = (byte) ((lo & 0xf) | (hi << 4));
      }
    }
    return out;
  }
}
