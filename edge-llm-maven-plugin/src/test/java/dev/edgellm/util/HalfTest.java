package dev.edgellm.util;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HalfTest {
  @Test
  void everyHalfRoundTrips() {
    for (int h = 0; h < 0x10000; h++) {
      float f = Half.halfToFloat((short) h);
      if (Float.isNaN(f)) {
        assertThat(Float.isNaN(Half.halfToFloat(Half.floatToHalf(f)))).isTrue();
        continue;
      }
      assertThat(Half.floatToHalf(f) & 0xffff).as("0x%04x", h).isEqualTo(h);
    }
  }

  @Test
  void roundsToNearestEven() {
    // halfway between two halves rounds to the even mantissa
    float one = 1f;
    float ulp = 0x1p-10f;
    assertThat(Half.halfToFloat(Half.floatToHalf(one + ulp / 2))).isEqualTo(one);
    assertThat(Half.halfToFloat(Half.floatToHalf(one + ulp * 1.5f))).isEqualTo(one + 2 * ulp);
    assertThat(Half.halfToFloat(Half.floatToHalf(one + ulp * 0.51f))).isEqualTo(one + ulp);
    assertThat(Half.halfToFloat(Half.floatToHalf(70000f))).isInfinite();
    assertThat(Half.halfToFloat(Half.floatToHalf(65504f))).isEqualTo(65504f);
    assertThat(Half.halfToFloat(Half.floatToHalf(0x1p-24f))).isEqualTo(0x1p-24f);
    assertThat(Half.halfToFloat(Half.floatToHalf(0x1p-26f))).isEqualTo(0f);
    assertThat(Half.halfToFloat(Half.floatToHalf(0x1.8p-25f))).isEqualTo(0x1p-24f);
    assertThat(Half.bf16ToFloat(Half.floatToBf16(1.00390625f))).isEqualTo(1f);
    assertThat(Half.bf16ToFloat(Half.floatToBf16(3.1415927f))).isEqualTo(3.140625f);
  }
}
