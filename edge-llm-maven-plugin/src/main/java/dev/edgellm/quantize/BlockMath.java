package dev.edgellm.quantize;

import java.util.stream.IntStream;

/**
 * The block arithmetic every quantizer here shares: rounding to a code, nibble packing and the
 * packing of MatMulNBits zero points. One implementation, used by {@link MlasKernel}, {@link
 * BlockQuantizer}, {@link ScaleSearch} and {@link Int8Blocks}.
 */
final class BlockMath {
  private BlockMath() {}

  /**
   * Work on one tile of a {@code [K, N]} weight: block {@code blk}, rows and columns from there.
   */
  @FunctionalInterface
  interface KxNTile {
    void accept(int blk, int r0, int rows, int c0, int cols);
  }

  /**
   * Runs {@code work} on every tile of a {@code [k, n]} weight quantized in blocks of {@code
   * blockSize} rows: one block by a chunk of at least 16 columns, about {@code tileFloats} floats,
   * in parallel when asked. Each tile is one task, so the result does not depend on the order.
   */
  static void forEachKxNTile(
      int k, int n, int blockSize, int tileFloats, boolean parallel, KxNTile work) {
    final int kb = (k + blockSize - 1) / blockSize;
    final int chunk = Math.max(16, tileFloats / blockSize);
    final int chunks = (n + chunk - 1) / chunk;
    IntStream tasks = IntStream.range(0, kb * chunks);
    if (parallel) {
      tasks = tasks.parallel();
    }
    tasks.forEach(
        task -> {
          int blk = task / chunks;
          int c0 = (task % chunks) * chunk;
          int r0 = blk * blockSize;
          work.accept(blk, r0, Math.min(blockSize, k - r0), c0, Math.min(chunk, n - c0));
        });
  }

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
