package dev.edgellm.quantize;

import dev.edgellm.util.Half;
import java.util.stream.IntStream;

/**
 * 8-bit block quantization for the weights {@link Keep} keeps at 8 bits: {@code MatMulNBits} with
 * {@code bits = 8}, symmetric (no zero points: the implicit zero point is 128), one byte per value.
 * Per block, {@code m} = the value of largest magnitude, {@code scale = m / -128}, code {@code =
 * clamp(rint(v / scale) + 128, 0, 255)}. Round to nearest: at 8 bits the error is already about
 * 1/16 of 4 bits', a search buys nothing measurable. Deterministic whatever the thread count.
 */
public final class Int8Blocks {
  private Int8Blocks() {}

  /** The largest block size (of 128, 64, 32, 16) that divides {@code k}, or 0 if none does. */
  public static int blockSizeFor(int k) {
    for (int bs = 128; bs >= 16; bs /= 2) {
      if (k % bs == 0) {
        return bs;
      }
    }
    return 0;
  }

  /** Quantizes a MatMul B given transposed, {@code [N, K]} (a Hugging Face Linear weight). */
  public static MatMulNBitsWeight quantizeNxK(WeightSource w, int blockSize, boolean parallel) {
    return quantize(w.rows(), w.cols(), blockSize, w.isFloat16(), parallel, w::read);
  }

  /** Quantizes a MatMul B as ONNX stores it, {@code [K, N]}: the same bytes as its transpose. */
  public static MatMulNBitsWeight quantizeKxN(WeightSource b, int blockSize, boolean parallel) {
    int k = b.rows();
    return quantize(
        b.cols(),
        k,
        blockSize,
        b.isFloat16(),
        parallel,
        (col, from, dst, off, len) -> {
          for (int i = 0; i < len; i++) {
            b.read(from + i, col, dst, off + i, 1);
          }
        });
  }

  /** Reads {@code len} values of column {@code col} of B from K index {@code from}. */
  private interface ColumnReader {
    void read(int col, int from, float[] dst, int off, int len);
  }

  private static MatMulNBitsWeight quantize(
      int n, int k, int blockSize, boolean f16, boolean parallel, ColumnReader reader) {
    if (blockSize < 16 || k % blockSize != 0) {
      throw new IllegalArgumentException(
          "8-bit blocks of " + blockSize + " need K (" + k + ") to be a multiple of it");
    }
    int kb = k / blockSize;
    byte[] q = new byte[Math.multiplyExact(n, k)];
    float[] scales = new float[n * kb];
    IntStream cols = IntStream.range(0, n);
    if (parallel) {
      cols = cols.parallel();
    }
    cols.forEach(
        col -> {
          float[] row = BlockQuantizer.buffer(k);
          reader.read(col, 0, row, 0, k);
          for (int blk = 0; blk < kb; blk++) {
            int r0 = blk * blockSize;
            float m = 0f;
            for (int i = 0; i < blockSize; i++) {
              float v = row[r0 + i];
              m = Math.abs(v) > Math.abs(m) ? v : m;
            }
            float s = m / -128f;
            if (f16) {
              s = Half.halfToFloat(Half.floatToHalf(s));
            }
            scales[col * kb + blk] = s;
            float inv = s != 0f ? 1f / s : 0f;
            int o = col * k + r0;
            for (int i = 0; i < blockSize; i++) {
              q[o + i] = (byte) (int) BlockMath.code(row[r0 + i], inv, 128f, 255f);
            }
          }
        });
    return new MatMulNBitsWeight(k, n, blockSize, true, f16, q, scales, null, 8);
  }
}
