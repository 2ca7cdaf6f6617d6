package dev.edgellm.graph;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.edgellm.checkpoint.CheckpointException;
import org.junit.jupiter.api.Test;

/** Issue 14, defect 5: no graph constant is written that is not finite. */
class GraphBuilderTest {
  @Test
  void refusesAFloatInitializerThatIsNotFinite() {
    GraphBuilder g = new GraphBuilder("g");
    for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
      assertThatThrownBy(() -> g.float32("/rope/inv_freq", new long[] {1, 3}, 1f, bad, 0.5f))
          .isInstanceOf(CheckpointException.class)
          .hasMessageContaining("graph constant '/rope/inv_freq' would hold " + bad + " at index 1")
          .hasMessageContaining("fix config.json");
    }
    assertThatThrownBy(() -> g.op("RMSNorm", "/norm").attr("epsilon", Float.NaN))
        .isInstanceOf(CheckpointException.class)
        .hasMessageContaining("'/norm.epsilon' would hold NaN");
  }

  @Test
  void ropeOfANegativeThetaOrAZeroFactorWouldBeNaNOrInf() {
    // what reached the graph before config.json's ranges were checked
    float[] neg = Rope.invFreq(dev.edgellm.checkpoint.RopeParameters.defaults(-1e4), 16);
    assertThatThrownBy(() -> new GraphBuilder("g").float32("/inv_freq", new long[] {8}, neg))
        .isInstanceOf(CheckpointException.class);
  }
}
