package dev.edgellm.quantize;

import dev.edgellm.util.Half;
import java.util.stream.IntStream;

/**
 * The 4-bit block quantization kernel, bit-exact with onnxruntime 1.30's {@code
 * MatMulNBitsQuantizer} (MLAS's blockwise quantizer for MatMul weights, its numpy code for Gather
 * tables). Stateless and thread-safe; the {@code parallel} flag spreads one tensor over the common
 * fork-join pool.
 *
 * <h2>MatMul weights ({@code MatMulNBits})</h2>
 *
 * A MatMul's B is {@code [K, N]}; the quantized weight holds, for each output column {@code n},
 * {@code ceil(K / blockSize)} blocks of {@code blockSize} consecutive values along K. Per block:
 *
 * <ul>
 *   <li>symmetric: {@code m} = the value of largest magnitude (the minimum on a tie), {@code scale
 *       = m / -8} (signed), zero point 8 (implicit);
 *   <li>asymmetric: {@code lo = min(min, 0)}, {@code hi = max(max, 0)}, {@code scale = (hi - lo) /
 *       15}, zero point {@code = roundf(-lo / scale)} clamped to [0, 15] (0 when scale is 0);
 *   <li>each value becomes {@code clamp(roundf(v * (1 / scale) + zp), 0, 15)} in float arithmetic,
 *       {@code roundf} rounding half away from zero; {@code 1 / scale} is 0 when scale is 0;
 *   <li>nibbles are packed low first ({@code byte = q[2i] | q[2i+1] << 4}); when a block has an odd
 *       number of values the last high nibble is the zero point; bytes past the end of K (last
 *       block) stay 0; asymmetric zero points are packed two per byte, low first, a missing last
 *       one being 8.
 * </ul>
 *
 * For fp16 weights the scales are fp16 (as onnxruntime writes them) and the reciprocal is taken of
 * the fp16-rounded scale.
 *
 * <p>{@link #quantizeKxN} takes B as ONNX stores it, {@code [K, N]}; {@link #quantizeNxK} takes the
 * same matrix transposed, {@code [N, K]}, as a Hugging Face {@code nn.Linear.weight} is stored (out
 * features x in features). Both give byte-identical results.
 *
 * <h2>Gather tables ({@code GatherBlockQuantized})</h2>
 *
 * {@link #quantizeTable} quantizes a {@code [rows, cols]} table (an embedding: vocab x hidden) in
 * blocks along the columns, the way onnxruntime's numpy code does: symmetric values are signed
 * INT4, {@code rint(v / scale)} (true division, round half to even) clamped to [-8, 7], with {@code
 * scale = m / -8}; asymmetric values are UINT4 {@code rint(v / scale + zp)} with {@code zp =
 * rint(-lo / scale)} (8 when scale is 0). Elements are packed over the flattened table, low nibble
 * first.
 */
public final class BlockQuantizer {
  private BlockQuantizer() {}

  /** The block sizes MatMulNBits and GatherBlockQuantized accept. */
  public static final int[] BLOCK_SIZES = {16, 32, 64, 128, 256};

  /** True if {@code blockSize} is one of {@link #BLOCK_SIZES}. */
  public static boolean isValidBlockSize(int blockSize) {
    for (int b : BLOCK_SIZES) {
      if (b == blockSize) {
        return true;
      }
    }
    return false;
  }

  private static void checkBlockSize(int blockSize) {
    if (!isValidBlockSize(blockSize)) {
      throw new IllegalArgumentException(
          "block size " + blockSize + " is not one of 16, 32, 64, 128, 256");
    }
  }

  private static final ThreadLocal<float[]> BUFFER = ThreadLocal.withInitial(() -> new float[0]);

  /** A per-thread float array of at least {@code size} elements. */
  static float[] buffer(int size) {
    float[] b = BUFFER.get();
    if (b.length < size) {
      b = new float[size];
      BUFFER.set(b);
    }
    return b;
  }

  /**
   * Quantizes a MatMul B given as ONNX stores it: {@code b} is {@code [K, N]} row-major.
   *
   * @param parallel spread the work over the common fork-join pool
   */
  public static MatMulNBitsWeight quantizeKxN(
      WeightSource b, int blockSize, boolean symmetric, boolean parallel) {
    checkBlockSize(blockSize);
    return MlasKernel.quantizeKxN(b, blockSize, symmetric, parallel);
  }

  /**
   * Quantizes a MatMul B given transposed: {@code w} is {@code [N, K]} row-major (a Hugging Face
   * Linear weight, out features x in features). Same result as {@link #quantizeKxN} of its
   * transpose.
   */
  public static MatMulNBitsWeight quantizeNxK(
      WeightSource w, int blockSize, boolean symmetric, boolean parallel) {
    checkBlockSize(blockSize);
    return MlasKernel.quantizeNxK(w, blockSize, symmetric, parallel);
  }

  /**
   * Quantizes a {@code [rows, cols]} Gather table (an embedding, vocab x hidden) in blocks of
   * {@code blockSize} along the columns, the way onnxruntime's {@code quantize_gather} does.
   */
  public static GatherBlockQuantizedTable quantizeTable(
      WeightSource table, int blockSize, boolean symmetric, boolean parallel) {
    checkBlockSize(blockSize);
    final int rows = table.rows();
    final int cols = table.cols();
    final int kb = (cols + blockSize - 1) / blockSize;
    final boolean f16 = table.isFloat16();
    final long count = (long) rows * cols;
    final byte[] data = new byte[Math.toIntExact((count + 1) / 2)];
    final float[] scales = new float[rows * kb];
    final byte[] zps = symmetric ? null : new byte[rows * kb];
    // rows share bytes when cols is odd: then quantize sequentially, in row order
    IntStream tasks = IntStream.range(0, rows);
    if (parallel && cols % 2 == 0) {
      tasks = tasks.parallel();
    }
    tasks.forEach(
        r -> {
          float[] row = buffer(cols);
          table.read(r, 0, row, 0, cols);
          for (int blk = 0; blk < kb; blk++) {
            int c0 = blk * blockSize;
            int c1 = Math.min(cols, c0 + blockSize);
            float mn = row[c0];
            float mx = row[c0];
            for (int c = c0 + 1; c < c1; c++) {
              float x = row[c];
              mn = x < mn ? x : mn;
              mx = x > mx ? x : mx;
            }
            float scale;
            int zp;
            if (symmetric) {
              float m = Math.abs(mx) > Math.abs(mn) ? mx : mn;
              scale = narrow(m / -8f, f16);
              zp = 0;
            } else {
              float lo = Math.min(mn, 0f);
              float hi = Math.max(mx, 0f);
              scale = narrow(narrow(hi - lo, f16) / 15f, f16);
              zp = scale == 0f ? 8 : clamp((int) Math.rint(narrow(-lo / scale, f16)), 0, 15);
              zps[r * kb + blk] = (byte) zp;
            }
            scales[r * kb + blk] = scale;
            long base = (long) r * cols;
            for (int c = c0; c < c1; c++) {
              int qv;
              if (scale == 0f) {
                qv = symmetric ? 0 : 8;
              } else if (symmetric) {
                qv = clamp((int) Math.rint(narrow(row[c] / scale, f16)), -8, 7);
              } else {
                qv = clamp((int) Math.rint(narrow(narrow(row[c] / scale, f16) + zp, f16)), 0, 15);
              }
              BlockMath.putNibble(data, base + c, qv);
            }
          }
        });
    byte[] packedZps = null;
    if (zps != null) {
      packedZps = new byte[(zps.length + 1) / 2];
      for (int i = 0; i < zps.length; i++) {
        BlockMath.putNibble(packedZps, i, zps[i]);
      }
    }
    return new GatherBlockQuantizedTable(
        rows, cols, blockSize, symmetric, f16, data, scales, packedZps);
  }

  private static float narrow(float x, boolean f16) {
    return f16 ? Half.halfToFloat(Half.floatToHalf(x)) : x;
  }

  private static int clamp(int v, int lo, int hi) {
    return v < lo ? lo : Math.min(v, hi);
  }
}
