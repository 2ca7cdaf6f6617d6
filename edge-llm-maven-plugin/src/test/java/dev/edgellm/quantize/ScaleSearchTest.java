package dev.edgellm.quantize;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The searched 4-bit quantization: lower reconstruction error than round-to-nearest, same format.
 */
class ScaleSearchTest {
  static final int N = 96;
  static final int K = 200; // not a multiple of 32: a short last block

  static float[] weights(long seed) {
    Random r = new Random(seed);
    float[] w = new float[N * K];
    for (int i = 0; i < w.length; i++) {
      w[i] = (float) r.nextGaussian() * 0.02f;
      if (r.nextInt(64) == 0) {
        w[i] *= 8; // outliers, as trained weights have them
      }
    }
    w[5] = 0; // a zero, and an all-zero block
    for (int c = 32; c < 64; c++) {
      w[3 * K + c] = 0f;
    }
    return w;
  }

  /** The [N, K] values a MatMulNBits weight stands for. */
  static float[] dequantize(MatMulNBitsWeight q) {
    int kb = q.blocksPerColumn();
    int bs = q.blockSize();
    float[] out = new float[q.n() * q.k()];
    for (int r = 0; r < q.n(); r++) {
      for (int c = 0; c < q.k(); c++) {
        int meta = r * kb + c / bs;
        int code = (q.q4()[meta * (bs / 2) + (c % bs) / 2] >> ((c % bs) % 2 * 4)) & 0xf;
        int zp = 8;
        if (!q.symmetric()) {
          zp = (q.zeroPoints()[r * ((kb + 1) / 2) + (c / bs) / 2] >> ((c / bs) % 2 * 4)) & 0xf;
        }
        out[r * q.k() + c] = q.scales()[meta] * (code - zp);
      }
    }
    return out;
  }

  static double weightedError(float[] w, float[] d) {
    double s = 0;
    for (int r = 0; r < N; r++) {
      for (int b0 = 0; b0 < K; b0 += 32) {
        int b1 = Math.min(K, b0 + 32);
        double mean = 0;
        for (int c = b0; c < b1; c++) {
          mean += w[r * K + c] * (double) w[r * K + c];
        }
        mean /= b1 - b0;
        for (int c = b0; c < b1; c++) {
          double x = w[r * K + c];
          double e = x - d[r * K + c];
          s += (x * x + mean) * e * e;
        }
      }
    }
    return s;
  }

  static double mse(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += (a[i] - b[i]) * (double) (a[i] - b[i]);
    }
    return s / a.length;
  }

  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void reconstructsBetterThanRoundToNearest(boolean symmetric) {
    float[] w = weights(7);
    MatMulNBitsWeight rtn =
        BlockQuantizer.quantizeNxK(WeightSource.of(w, N, K), 32, symmetric, false);
    MatMulNBitsWeight search =
        ScaleSearch.quantizeNxK(WeightSource.of(w, N, K), 32, symmetric, false);
    // the error it minimizes, the squared error of each block, is lower
    double eRtn = mse(w, dequantize(rtn));
    double eSearch = mse(w, dequantize(search));
    System.out.printf("[search] squared error / rtn's: %.3f%n", eSearch / eRtn);
    assertThat(eSearch).isLessThan(0.98 * eRtn);
    // same format: shapes and the all-zero block (scale 0, every code the zero point)
    assertThat(search.q4()).hasSameSizeAs(rtn.q4());
    assertThat(search.scales()).hasSameSizeAs(rtn.scales());
    int kb = search.blocksPerColumn();
    assertThat(search.scales()[3 * kb + 1]).isZero();
    assertThat(dequantize(search)[3 * K + 40]).isZero();
  }

  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void transposedLayoutsAndThreadsGiveTheSameBytes(boolean symmetric) {
    float[] w = weights(11);
    float[] t = new float[K * N];
    for (int r = 0; r < N; r++) {
      for (int c = 0; c < K; c++) {
        t[c * N + r] = w[r * K + c];
      }
    }
    MatMulNBitsWeight a = ScaleSearch.quantizeNxK(WeightSource.of(w, N, K), 32, symmetric, false);
    MatMulNBitsWeight b = ScaleSearch.quantizeKxN(WeightSource.of(t, K, N), 32, symmetric, true);
    MatMulNBitsWeight c = ScaleSearch.quantizeNxK(WeightSource.of(w, N, K), 32, symmetric, true);
    for (MatMulNBitsWeight x : new MatMulNBitsWeight[] {b, c}) {
      assertThat(x.q4()).isEqualTo(a.q4());
      assertThat(x.scales()).isEqualTo(a.scales());
      assertThat(x.zeroPoints()).isEqualTo(a.zeroPoints());
    }
  }

  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void gatherTableHoldsTheSameValues(boolean symmetric) {
    int cols = 192;
    float[] w = java.util.Arrays.copyOf(weights(3), N * cols);
    MatMulNBitsWeight m =
        ScaleSearch.quantizeNxK(WeightSource.of(w, N, cols), 32, symmetric, false);
    GatherBlockQuantizedTable t =
        ScaleSearch.quantizeTable(WeightSource.of(w, N, cols), 32, symmetric, false);
    float[] expected = dequantize(m);
    int kb = t.blocksPerRow();
    for (int r = 0; r < N; r++) {
      for (int c = 0; c < cols; c++) {
        long idx = (long) r * cols + c;
        int nib = (t.data()[(int) (idx >> 1)] >> ((idx & 1) * 4)) & 0xf;
        int v = symmetric ? (nib ^ 8) - 8 : nib; // INT4 sign-extended, or UINT4
        int zp = 0;
        if (!symmetric) {
          long zi = (long) r * kb + c / 32;
          zp = (t.zeroPoints()[(int) (zi >> 1)] >> ((zi & 1) * 4)) & 0xf;
        }
        assertThat(t.scales()[r * kb + c / 32] * (v - zp)).isEqualTo(expected[r * cols + c]);
      }
    }
  }
}
