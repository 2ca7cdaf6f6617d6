package dev.edgellm.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.edgellm.checkpoint.RopeParameters;
import dev.edgellm.onnx.proto.ModelProto;
import dev.edgellm.onnx.proto.OperatorSetIdProto;
import dev.edgellm.onnx.proto.TensorProto;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Phi-3's longrope and partial rotary, which no dev fixture covers, against values computed by hand
 * from transformers' definitions ({@code _compute_longrope_parameters}, {@code
 * apply_rotary_pos_emb} with {@code rotate_half}).
 */
class RotaryTest {
  private static final TensorProto.DataType F = TensorProto.DataType.FLOAT;
  private static final TensorProto.DataType I64 = TensorProto.DataType.INT64;

  /** theta 10000, dim 8: theta^(2i/8) = 1, 10, 100, 1000. */
  private static RopeParameters longrope(double attentionFactor) {
    return new RopeParameters(
        "longrope",
        10000,
        32, // max_position_embeddings 131072 / original 4096
        0,
        0,
        4096,
        List.of(1.0, 1.5, 2.0, 4.0),
        List.of(2.0, 4.0, 8.0, 16.0),
        attentionFactor,
        1);
  }

  @Test
  void longropeFrequenciesShortAndLong() {
    float[] shortInv = Rope.longrope(longrope(0), 8, false);
    float[] longInv = Rope.longrope(longrope(0), 8, true);
    // 1 / (short[i] * 10^i) and 1 / (long[i] * 10^i)
    assertThat(shortInv)
        .containsExactly(new float[] {1f, 1f / 15, 1f / 200, 1f / 4000}, within(1e-9f));
    assertThat(longInv)
        .containsExactly(new float[] {0.5f, 1f / 40, 1f / 800, 1f / 16000}, within(1e-9f));
    assertThat(Rope.invFreq(longrope(0), 8)).containsExactly(shortInv);
  }

  @Test
  void longropeAttentionFactor() {
    // sqrt(1 + ln 32 / ln 4096) = sqrt(1 + 5/12) = sqrt(17/12)
    assertThat(Rope.attentionFactor(longrope(0)))
        .isCloseTo((float) Math.sqrt(17.0 / 12), within(1e-7f));
    assertThat(Rope.attentionFactor(longrope(1.25))).isEqualTo(1.25f);
    assertThat(Rope.attentionFactor(RopeParameters.defaults(10000))).isEqualTo(1f);
  }

  @Test
  void partialRotaryDimension() {
    assertThat(RopeParameters.defaults(10000).withPartialRotaryFactor(0.75).rotaryDim(96))
        .isEqualTo(72);
    assertThat(RopeParameters.defaults(10000).withPartialRotaryFactor(0.5).rotaryDim(8))
        .isEqualTo(4);
  }

  /**
   * One head of 8 channels, half of them rotated (rotary dim 4, theta 100: inv_freq 1 and 0.1), at
   * positions 0..2: x = [1, 2, 3, 4, 5, 6, 7, 8] becomes [x1 cos - x3 sin, x2 cos' - x4 sin', x3
   * cos + x1 sin, x4 cos' + x2 sin', 5, 6, 7, 8] with angles p and p/10.
   */
  @Test
  void partialRotaryRotatesTheFirstChannelsOnly() throws Exception {
    RopeParameters p = RopeParameters.defaults(100).withPartialRotaryFactor(0.5);
    float[][] out = run(new DecoderSpec.Rotary(p, 4), 3, 3);
    for (int pos = 0; pos < 3; pos++) {
      double a = pos;
      double b = pos * 0.1;
      double[] expected = {
        1 * Math.cos(a) - 3 * Math.sin(a),
        2 * Math.cos(b) - 4 * Math.sin(b),
        3 * Math.cos(a) + 1 * Math.sin(a),
        4 * Math.cos(b) + 2 * Math.sin(b),
        5,
        6,
        7,
        8
      };
      for (int ch = 0; ch < 8; ch++) {
        assertThat((double) out[pos][ch])
            .as("pos %d ch %d", pos, ch)
            .isCloseTo(expected[ch], within(1e-5));
      }
    }
  }

  /**
   * Longrope in the graph: the short factors while the sequence fits the original context, the long
   * ones beyond it, cos and sin scaled by the attention factor. Original context 2 here, so 2
   * tokens rotate with short factors and 3 with long ones.
   */
  @Test
  void longropeSwitchesToLongFactorsBeyondTheOriginalContext() throws Exception {
    RopeParameters p =
        new RopeParameters(
            "longrope", 10000, 2, 0, 0, 2, List.of(1.0, 2.0), List.of(4.0, 8.0), 0.5, 1);
    for (int total : new int[] {2, 3}) {
      float[][] out = run(new DecoderSpec.Rotary(p, 4), total, total);
      double[] ext = total > 2 ? new double[] {4, 8} : new double[] {1, 2};
      int pos = total - 1;
      double a = pos / ext[0]; // inv_freq 1 / (ext * 10000^(2i/4)) = 1/ext, 1/(100 ext)
      double b = pos / (ext[1] * 100);
      double[] x = {1, 2, 3, 4};
      double[] expected = {
        0.5 * (x[0] * Math.cos(a) - x[2] * Math.sin(a)),
        0.5 * (x[1] * Math.cos(b) - x[3] * Math.sin(b)),
        0.5 * (x[2] * Math.cos(a) + x[0] * Math.sin(a)),
        0.5 * (x[3] * Math.cos(b) + x[1] * Math.sin(b))
      };
      for (int ch = 0; ch < 4; ch++) {
        assertThat((double) out[pos][ch])
            .as("total %d ch %d", total, ch)
            .isCloseTo(expected[ch], within(1e-5));
      }
    }
  }

  /**
   * Runs RotaryGraph's rotation of one head (channels 1..headDim) over {@code seq} tokens that end
   * a sequence of {@code total}.
   */
  private static float[][] run(DecoderSpec.Rotary r, int seq, int total) throws Exception {
    int headDim = r.dim() == 4 && r.rope().partialRotaryFactor() < 1 ? 8 : 4;
    GraphBuilder g = new GraphBuilder("rotary");
    g.input("input_ids", I64, 1, "s");
    g.input("attention_mask", I64, 1, "t");
    g.input("x", F, 1, "s", headDim);
    String shape = g.op("Shape", "/shape").in("attention_mask").out();
    String one = g.int64("/one", true, 1);
    String t = g.op("Gather", "/t").in(shape, one).attr("axis", 0L).out();
    String t32 =
        g.op("Cast", "/t32").in(t).attr("to", (long) TensorProto.DataType.INT32_VALUE).out();
    RotaryGraph rotary = new RotaryGraph(g, t32);
    String y = rotary.rotate("x", rotary.caches(r), 1, headDim, "/rot");
    g.op("Identity", "/y").in(y).outNamed("y");
    g.output("y", F, 1, "s", headDim);
    ModelProto m =
        ModelProto.newBuilder()
            .setIrVersion(DecoderGraphBuilder.IR_VERSION)
            .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(21))
            .setGraph(g.graph())
            .build();
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    float[] x = new float[seq * headDim];
    for (int i = 0; i < seq; i++) {
      for (int c = 0; c < headDim; c++) {
        x[i * headDim + c] = c + 1;
      }
    }
    long[] mask = new long[total];
    java.util.Arrays.fill(mask, 1);
    try (OrtSession s = env.createSession(m.toByteArray(), new OrtSession.SessionOptions());
        OnnxTensor ids =
            OnnxTensor.createTensor(env, LongBuffer.wrap(new long[seq]), new long[] {1, seq});
        OnnxTensor am = OnnxTensor.createTensor(env, LongBuffer.wrap(mask), new long[] {1, total});
        OnnxTensor xt =
            OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {1, seq, headDim});
        OrtSession.Result res = s.run(Map.of("input_ids", ids, "attention_mask", am, "x", xt))) {
      float[][][] y3 = (float[][][]) res.get(0).getValue();
      float[][] out = new float[total][];
      for (int i = 0; i < seq; i++) {
        out[total - seq + i] = y3[0][i];
      }
      return out;
    }
  }
}
