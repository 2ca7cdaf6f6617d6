package dev.edgellm.quantize;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

class Int8BlocksTest {
  @Test
  void blockSizeIsTheLargestThatDividesK() {
    assertThat(Int8Blocks.blockSizeFor(640)).isEqualTo(128);
    assertThat(Int8Blocks.blockSizeFor(96)).isEqualTo(32);
    assertThat(Int8Blocks.blockSizeFor(48)).isEqualTo(16);
    assertThat(Int8Blocks.blockSizeFor(40)).isZero();
  }

  /** value = scale * (code - 128); the block's extreme is exact, every value within half a step. */
  @Test
  void dequantizesWithinHalfAStep() {
    int n = 5;
    int k = 256;
    float[] w = new float[n * k];
    Random r = new Random(7);
    for (int i = 0; i < w.length; i++) {
      w[i] = (float) r.nextGaussian();
    }
    MatMulNBitsWeight q = Int8Blocks.quantizeNxK(WeightSource.of(w, n, k), 128, false);
    assertThat(q.bits()).isEqualTo(8);
    assertThat(q.symmetric()).isTrue();
    assertThat(q.q4()).hasSize(n * k);
    assertThat(q.scales()).hasSize(n * 2);
    for (int col = 0; col < n; col++) {
      for (int i = 0; i < k; i++) {
        float s = q.scales()[col * 2 + i / 128];
        float v = s * ((q.q4()[col * k + i] & 0xff) - 128);
        assertThat(Math.abs(v - w[col * k + i])).isLessThanOrEqualTo(Math.abs(s) / 2 * 1.0001f);
      }
    }
  }

  @Test
  void kxnGivesTheBytesOfItsTranspose() {
    int n = 7;
    int k = 64;
    float[] w = new float[n * k];
    float[] b = new float[k * n];
    Random r = new Random(3);
    for (int col = 0; col < n; col++) {
      for (int i = 0; i < k; i++) {
        w[col * k + i] = (float) r.nextGaussian();
        b[i * n + col] = w[col * k + i];
      }
    }
    MatMulNBitsWeight a = Int8Blocks.quantizeNxK(WeightSource.of(w, n, k), 32, true);
    MatMulNBitsWeight t = Int8Blocks.quantizeKxN(WeightSource.of(b, k, n), 32, true);
    assertThat(t.q4()).isEqualTo(a.q4());
    assertThat(t.scales()).isEqualTo(a.scales());
  }
}
