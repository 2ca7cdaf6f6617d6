package dev.edgellm.quantize;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgellm.onnx.Tensors;
import dev.edgellm.onnx.proto.ModelProto;
import dev.edgellm.onnx.proto.NodeProto;
import dev.edgellm.onnx.proto.TensorProto;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The kernel alone against onnxruntime 1.30's tensors, byte for byte. */
class BlockQuantizerTest {

  static final List<String> WEIGHTS = List.of("W0", "W1", "W2", "W3");

  @ParameterizedTest
  @ValueSource(
      strings = {"q4_b32_sym", "q4_b32_asym", "q4_b128_sym", "q4_b16_sym", "q4_b32_sym_gather"})
  void matMulWeightsMatchOnnxruntime(String variant) throws Exception {
    Map<String, TensorProto> src = Fixtures.initializers(Fixtures.model("matmuls.onnx"));
    ModelProto ref = Fixtures.model("matmuls." + variant + ".onnx");
    Map<String, TensorProto> expected = Fixtures.initializers(ref);
    int bs = Fixtures.blockSize(variant);
    boolean sym = Fixtures.symmetric(variant);
    for (String w : WEIGHTS) {
      TensorProto b = src.get(w);
      int k = (int) b.getDims(0);
      int n = (int) b.getDims(1);
      WeightSource kxn = WeightSource.of(Tensors.data(b), b.getDataType(), k, n);
      for (boolean parallel : new boolean[] {false, true}) {
        MatMulNBitsWeight q = BlockQuantizer.quantizeKxN(kxn, bs, sym, parallel);
        List<TensorProto> got = q.initializers(w);
        assertThat(got).hasSize(sym ? 2 : 3);
        for (TensorProto t : got) {
          assertThat(t).as(variant + " " + t.getName()).isEqualTo(expected.get(t.getName()));
        }
      }
      // the same weight as a Hugging Face Linear stores it, [N, K] rows
      float[] kn = new float[k * n];
      Tensors.data(b).asFloatBuffer().get(kn);
      float[][] rows = new float[n][k];
      for (int i = 0; i < k; i++) {
        for (int j = 0; j < n; j++) {
          rows[j][i] = kn[i * n + j];
        }
      }
      MatMulNBitsWeight t = BlockQuantizer.quantizeNxK(WeightSource.ofRows(rows), bs, sym, true);
      for (TensorProto tp : t.initializers(w)) {
        assertThat(tp).as(variant + " NxK " + tp.getName()).isEqualTo(expected.get(tp.getName()));
      }
    }
    // the node as onnxruntime wrote it
    for (NodeProto node : ref.getGraph().getNodeList()) {
      if (node.getOpType().equals("MatMulNBits")) {
        String w = node.getInput(1).replace("_Q4", "");
        TensorProto b = src.get(w);
        MatMulNBitsWeight q =
            BlockQuantizer.quantizeKxN(
                WeightSource.of(Tensors.data(b), 1, (int) b.getDims(0), (int) b.getDims(1)),
                bs,
                sym,
                false);
        assertThat(
                q.node(
                    node.getName(),
                    node.getInput(0),
                    node.getOutput(0),
                    w,
                    Fixtures.accuracyLevel(variant)))
            .isEqualTo(node);
      }
    }
  }

  @Test
  void gatherTableMatchesOnnxruntime() throws Exception {
    Map<String, TensorProto> src = Fixtures.initializers(Fixtures.model("matmuls.onnx"));
    ModelProto ref = Fixtures.model("matmuls.q4_b32_sym_gather.onnx");
    Map<String, TensorProto> expected = Fixtures.initializers(ref);
    TensorProto embed = src.get("embed");
    WeightSource table = WeightSource.of(Tensors.data(embed), 1, 300, 64);
    for (boolean parallel : new boolean[] {false, true}) {
      GatherBlockQuantizedTable q = BlockQuantizer.quantizeTable(table, 32, true, parallel);
      for (TensorProto t : q.initializers("embed")) {
        assertThat(t).as(t.getName()).isEqualTo(expected.get(t.getName()));
      }
    }
    NodeProto node = ref.getGraph().getNode(0);
    assertThat(node.getOpType()).isEqualTo("GatherBlockQuantized");
    assertThat(
            BlockQuantizer.quantizeTable(table, 32, true, false)
                .node(node.getName(), "ids", "emb_out", "embed", 0))
        .isEqualTo(node);
  }

  @Test
  void oddBlocksAndFp16() {
    // K = 37 (odd, last block of 5 values), asymmetric and symmetric, fp32 vs fp16 source
    Random rnd = new Random(1);
    int k = 37;
    int n = 5;
    float[] kn = new float[k * n];
    for (int i = 0; i < kn.length; i++) {
      kn[i] = (float) rnd.nextGaussian();
    }
    for (boolean sym : new boolean[] {true, false}) {
      MatMulNBitsWeight q = BlockQuantizer.quantizeKxN(WeightSource.of(kn, k, n), 16, sym, false);
      assertThat(q.q4()).hasSize(n * 3 * 8);
      // block 2 of column 0 holds rows 32..36: 2 full bytes, then value 36 | zp << 4, then zeros
      int base = (0 * 3 + 2) * 8;
      int zp = sym ? 8 : (q.zeroPoints()[1] & 0x0f);
      assertThat((q.q4()[base + 2] >> 4) & 0xf).isEqualTo(zp);
      for (int i = 3; i < 8; i++) {
        assertThat(q.q4()[base + i]).isZero();
      }
      if (!sym) {
        // 3 blocks: the second zero-point byte's high nibble is padding, 8
        assertThat((q.zeroPoints()[1] >> 4) & 0xf).isEqualTo(8);
      }
      // dequantized values are close to the originals
      for (int col = 0; col < n; col++) {
        for (int row = 0; row < k; row++) {
          int blk = row / 16;
          int byteIndex = (col * 3 + blk) * 8 + (row % 16) / 2;
          int nib = (q.q4()[byteIndex] >> ((row % 2) * 4)) & 0xf;
          int z = sym ? 8 : (q.zeroPoints()[col * 2 + blk / 2] >> ((blk % 2) * 4)) & 0xf;
          float scale = q.scales()[col * 3 + blk];
          assertThat((nib - z) * scale)
              .isCloseTo(kn[row * n + col], org.assertj.core.data.Offset.offset(Math.abs(scale)));
        }
      }
    }
    // fp16 weights give FLOAT16 scales
    ByteBuffer half = ByteBuffer.allocate(k * n * 2).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    for (float f : kn) {
      half.putShort(dev.edgellm.util.Half.floatToHalf(f));
    }
    half.flip();
    MatMulNBitsWeight q =
        BlockQuantizer.quantizeKxN(
            WeightSource.of(half, TensorProto.DataType.FLOAT16_VALUE, k, n), 16, true, true);
    assertThat(q.float16Scales()).isTrue();
    assertThat(q.scalesTensor("W").getDataType()).isEqualTo(TensorProto.DataType.FLOAT16_VALUE);
    assertThat(q.scalesTensor("W").getRawData().size()).isEqualTo(n * 3 * 2);
  }

  /**
   * The [K, N] tile path (vectorizable min/max with fix-ups) and the [N, K] path (MLAS's scalar
   * scan) agree byte for byte on awkward data: signed zeros, all-zero blocks, exact ties, repeated
   * extremes of both signs, odd K.
   */
  @Test
  void tilePathAndRowPathAgreeOnAwkwardData() {
    Random rnd = new Random(7);
    int k = 75;
    int n = 300;
    float[] kn = new float[k * n];
    for (int j = 0; j < n; j++) {
      int kind = j % 6;
      for (int i = 0; i < k; i++) {
        float v;
        switch (kind) {
          case 0:
            v = (i % 3 == 0) ? -0f : 0f;
            break; // mixed zeros, first is -0
          case 1:
            v = (i % 3 == 1) ? -0f : 0f;
            break; // mixed zeros, first is +0
          case 2:
            v = (rnd.nextInt(8) - 4) * 0.25f;
            break; // exact ties
          case 3:
            v = (i % 2 == 0) ? 1f : -1f;
            break; // |max| == |min|
          case 4:
            v = (float) rnd.nextGaussian() * 1e-3f;
            break;
          default:
            v = rnd.nextInt(4) == 0 ? 0f : (float) rnd.nextGaussian();
            break;
        }
        kn[i * n + j] = v;
      }
    }
    float[][] rows = new float[n][k];
    for (int i = 0; i < k; i++) {
      for (int j = 0; j < n; j++) {
        rows[j][i] = kn[i * n + j];
      }
    }
    for (int bs : BlockQuantizer.BLOCK_SIZES) {
      for (boolean sym : new boolean[] {true, false}) {
        MatMulNBitsWeight a = BlockQuantizer.quantizeKxN(WeightSource.of(kn, k, n), bs, sym, true);
        MatMulNBitsWeight b = BlockQuantizer.quantizeNxK(WeightSource.ofRows(rows), bs, sym, false);
        assertThat(a.q4()).as("q4 bs=" + bs + " sym=" + sym).isEqualTo(b.q4());
        for (int i = 0; i < a.scales().length; i++) {
          assertThat(Float.floatToRawIntBits(a.scales()[i]))
              .as("scale " + i + " bs=" + bs + " sym=" + sym)
              .isEqualTo(Float.floatToRawIntBits(b.scales()[i]));
        }
        assertThat(a.zeroPoints()).isEqualTo(b.zeroPoints());
      }
    }
    // MLAS keeps the first of equal zeros: +0 first gives the scale +0 / -8 = -0
    MatMulNBitsWeight z = BlockQuantizer.quantizeKxN(WeightSource.of(kn, k, n), 32, true, false);
    int kb = 3;
    assertThat(Float.floatToRawIntBits(z.scales()[0 * kb])).isEqualTo(Float.floatToRawIntBits(0f));
    assertThat(Float.floatToRawIntBits(z.scales()[1 * kb])).isEqualTo(Float.floatToRawIntBits(-0f));
  }

  /** The float rounding trick equals C's roundf (then clamped) near every tie and at random. */
  @Test
  void nibbleRoundsHalfAwayFromZero() {
    Random rnd = new Random(11);
    java.util.function.IntConsumer check =
        bits -> {
          float x = Float.intBitsToFloat(bits);
          int ref = (int) Math.floor((double) x + 0.5);
          ref = ref < 0 ? 0 : Math.min(ref, 15);
          assertThat(BlockMath.nibble(x)).as("x = %s", x).isEqualTo(ref);
        };
    for (int k = -2; k <= 17; k++) {
      for (float center : new float[] {k, k + 0.5f}) {
        int c = Float.floatToRawIntBits(center);
        for (int d = -3000; d <= 3000; d++) {
          check.accept(c + d);
        }
      }
    }
    for (int i = 0; i < 2_000_000; i++) {
      check.accept(Float.floatToRawIntBits(rnd.nextFloat() * 20f - 2f));
    }
    check.accept(Float.floatToRawIntBits(0.49999997f));
    assertThat(BlockMath.nibble(Float.NaN)).isZero();
  }
}
