package dev.edgellm.quantize;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.edgellm.onnx.proto.GraphProto;
import dev.edgellm.onnx.proto.ModelProto;
import dev.edgellm.onnx.proto.OperatorSetIdProto;
import dev.edgellm.onnx.proto.TensorProto.DataType;
import dev.edgellm.onnx.proto.TensorShapeProto;
import dev.edgellm.onnx.proto.TypeProto;
import dev.edgellm.onnx.proto.ValueInfoProto;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Tied embeddings: one 4-bit weight, quantized from a Hugging Face [vocab, hidden] table, serves
 * both the lm_head (MatMulNBits) and the token embedding (GatherBlockQuantized over a reshape), and
 * ONNX Runtime computes what the dequantized weight gives.
 */
class TiedEmbeddingTest {

  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void gatherSharesTheLmHeadWeight(boolean symmetric) throws Exception {
    int vocab = 50;
    int hidden = 64;
    int bs = 32;
    Random rnd = new Random(3);
    float[][] table = new float[vocab][hidden];
    for (float[] row : table) {
      for (int i = 0; i < hidden; i++) {
        row[i] = (float) rnd.nextGaussian();
      }
    }
    MatMulNBitsWeight w =
        BlockQuantizer.quantizeNxK(WeightSource.ofRows(table), bs, symmetric, false);
    String name = "lm_head.weight";
    GraphProto g =
        GraphProto.newBuilder()
            .setName("tied")
            .addAllInitializer(w.initializers(name))
            .addInitializer(w.gatherReshapeShape(name))
            .addAllNode(w.gatherReshapeNodes(name))
            .addNode(w.gatherNode("embed", "ids", "emb", name))
            .addNode(w.node("lm_head", "x", "logits", name, 0))
            .addInput(value("ids", DataType.INT64_VALUE, 3))
            .addInput(value("x", DataType.FLOAT_VALUE, 2, hidden))
            .addOutput(value("emb", DataType.FLOAT_VALUE, 3, hidden))
            .addOutput(value("logits", DataType.FLOAT_VALUE, 2, vocab))
            .build();
    ModelProto m =
        ModelProto.newBuilder()
            .setIrVersion(10)
            .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(21))
            .addOpsetImport(
                OperatorSetIdProto.newBuilder().setDomain("com.microsoft").setVersion(1))
            .setGraph(g)
            .build();

    // dequantized weight [vocab, hidden]
    int kb = w.blocksPerColumn();
    float[][] deq = new float[vocab][hidden];
    for (int n = 0; n < vocab; n++) {
      for (int k = 0; k < hidden; k++) {
        int blk = k / bs;
        int nib = (w.q4()[(n * kb + blk) * (bs / 2) + (k % bs) / 2] >> ((k % 2) * 4)) & 0xf;
        int zp =
            symmetric ? 8 : (w.zeroPoints()[n * ((kb + 1) / 2) + blk / 2] >> ((blk % 2) * 4)) & 0xf;
        deq[n][k] = (nib - zp) * w.scales()[n * kb + blk];
      }
    }
    long[] ids = {7, 0, 49};
    float[] x = new float[2 * hidden];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) rnd.nextGaussian();
    }
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession s = env.createSession(m.toByteArray(), new OrtSession.SessionOptions());
        OnnxTensor tIds = OnnxTensor.createTensor(env, LongBuffer.wrap(ids), new long[] {3});
        OnnxTensor tx = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {2, hidden});
        OrtSession.Result r = s.run(Map.of("ids", tIds, "x", tx))) {
      float[][] emb = (float[][]) r.get("emb").get().getValue();
      for (int i = 0; i < ids.length; i++) {
        assertThat(emb[i]).containsExactly(deq[(int) ids[i]]);
      }
      float[][] logits = (float[][]) r.get("logits").get().getValue();
      for (int row = 0; row < 2; row++) {
        for (int n = 0; n < vocab; n++) {
          double dot = 0;
          for (int k = 0; k < hidden; k++) {
            dot += x[row * hidden + k] * deq[n][k];
          }
          assertThat((double) logits[row][n])
              .isCloseTo(dot, org.assertj.core.data.Offset.offset(1e-3));
        }
      }
    }
  }

  static ValueInfoProto value(String name, int type, long... dims) {
    TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
    for (long d : dims) {
      shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
    }
    return ValueInfoProto.newBuilder()
        .setName(name)
        .setType(
            TypeProto.newBuilder()
                .setTensorType(TypeProto.Tensor.newBuilder().setElemType(type).setShape(shape)))
        .build();
  }
}
