package dev.edgellm.validate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Issue 14, defect 4: an absurd greedy step count is a setting error, not an array error. */
class ValidationRequestTest {
  private static ValidationRequest withSteps(int steps) {
    return new ValidationRequest(Path.of("m"), null, false, 0.9, steps, false, false, null);
  }

  @Test
  void greedyStepsOutOfRangeNameTheSettingAndTheRange() {
    for (int steps : new int[] {Integer.MAX_VALUE, 1_000_000_000, 4097, 0, -5}) {
      assertThatThrownBy(() -> withSteps(steps))
          .as("%d steps", steps)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("edgellm.validate.greedySteps is " + steps)
          .hasMessageContaining("between 1 and 4096");
    }
    assertThat(withSteps(4096).greedySteps()).isEqualTo(4096);
  }
}
