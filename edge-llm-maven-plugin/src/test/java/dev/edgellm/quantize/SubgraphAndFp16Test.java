package dev.edgellm.quantize;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.edgellm.onnx.Tensors;
import dev.edgellm.onnx.proto.AttributeProto;
import dev.edgellm.onnx.proto.GraphProto;
import dev.edgellm.onnx.proto.ModelProto;
import dev.edgellm.onnx.proto.NodeProto;
import dev.edgellm.onnx.proto.OperatorSetIdProto;
import dev.edgellm.onnx.proto.TensorProto;
import dev.edgellm.onnx.proto.TensorProto.DataType;
import dev.edgellm.util.Half;
import dev.edgellm.util.Reporter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** MatMuls inside If branches (B from the branch or from the outer graph), and fp16 weights. */
class SubgraphAndFp16Test {
  @TempDir Path dir;

  static float[] random(int n, long seed) {
    Random r = new Random(seed);
    float[] f = new float[n];
    for (int i = 0; i < n; i++) {
      f[i] = (float) r.nextGaussian();
    }
    return f;
  }

  static NodeProto matmul(String name, String a, String b, String out) {
    return NodeProto.newBuilder()
        .setName(name)
        .setOpType("MatMul")
        .addInput(a)
        .addInput(b)
        .addOutput(out)
        .build();
  }

  @Test
  void quantizesMatMulsInSubgraphs() throws Exception {
    int k = 64;
    int n = 32;
    float[] outer = random(k * n, 1);
    float[] inner = random(k * n, 2);
    GraphProto thenBranch =
        GraphProto.newBuilder()
            .setName("then")
            .addNode(matmul("then_mm", "x", "W_outer", "y_then"))
            .addOutput(TiedEmbeddingTest.value("y_then", DataType.FLOAT_VALUE, 2, n))
            .build();
    GraphProto elseBranch =
        GraphProto.newBuilder()
            .setName("else")
            .addInitializer(Tensors.floats("W_inner", new long[] {k, n}, inner))
            .addNode(matmul("else_mm", "x", "W_inner", "y_else"))
            .addOutput(TiedEmbeddingTest.value("y_else", DataType.FLOAT_VALUE, 2, n))
            .build();
    NodeProto ifNode =
        NodeProto.newBuilder()
            .setName("branch")
            .setOpType("If")
            .addInput("cond")
            .addOutput("y")
            .addAttribute(
                AttributeProto.newBuilder()
                    .setName("then_branch")
                    .setType(AttributeProto.AttributeType.GRAPH)
                    .setG(thenBranch))
            .addAttribute(
                AttributeProto.newBuilder()
                    .setName("else_branch")
                    .setType(AttributeProto.AttributeType.GRAPH)
                    .setG(elseBranch))
            .build();
    ModelProto m =
        ModelProto.newBuilder()
            .setIrVersion(8)
            .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(17))
            .setGraph(
                GraphProto.newBuilder()
                    .setName("main")
                    .addInitializer(Tensors.floats("W_outer", new long[] {k, n}, outer))
                    .addNode(ifNode)
                    .addInput(TiedEmbeddingTest.value("cond", DataType.BOOL_VALUE))
                    .addInput(TiedEmbeddingTest.value("x", DataType.FLOAT_VALUE, 2, k))
                    .addOutput(TiedEmbeddingTest.value("y", DataType.FLOAT_VALUE, 2, n)))
            .build();
    Path in = dir.resolve("if.onnx");
    Files.write(in, m.toByteArray());
    Path out = dir.resolve("if-q4.onnx");
    QuantizeResult r = ModelQuantizer.run(QuantizeRequest.of(in, out), Reporter.silent());
    assertThat(r.tensorsQuantized()).isEqualTo(2);
    ModelProto q = ModelProto.parseFrom(Files.readAllBytes(out));
    // the outer weight's 4-bit form lives in the outer graph, the inner one's in its branch
    assertThat(q.getGraph().getInitializerList())
        .extracting(TensorProto::getName)
        .containsExactly("W_outer_Q4", "W_outer_scales");
    NodeProto qIf = q.getGraph().getNode(0);
    GraphProto qThen = qIf.getAttribute(0).getG();
    GraphProto qElse = qIf.getAttribute(1).getG();
    assertThat(qThen.getNode(0).getOpType()).isEqualTo("MatMulNBits");
    assertThat(qThen.getNode(0).getName()).isEqualTo("then_mm_Q4");
    assertThat(qElse.getNode(0).getOpType()).isEqualTo("MatMulNBits");
    assertThat(qElse.getInitializerList())
        .extracting(TensorProto::getName)
        .containsExactly("W_inner_Q4", "W_inner_scales");
    // and onnxruntime runs both branches, close to the fp32 result
    float[] x = random(2 * k, 3);
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession s =
        env.createSession(Files.readAllBytes(out), new OrtSession.SessionOptions())) {
      for (boolean cond : new boolean[] {true, false}) {
        try (OnnxTensor tc = OnnxTensor.createTensor(env, cond);
            OnnxTensor tx = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {2, k});
            OrtSession.Result res = s.run(Map.of("cond", tc, "x", tx))) {
          float[][] y = (float[][]) res.get(0).getValue();
          float[] w = cond ? outer : inner;
          double err = 0;
          double norm = 0;
          for (int row = 0; row < 2; row++) {
            for (int j = 0; j < n; j++) {
              double ref = 0;
              for (int i = 0; i < k; i++) {
                ref += x[row * k + i] * w[i * n + j];
              }
              err += (y[row][j] - ref) * (y[row][j] - ref);
              norm += ref * ref;
            }
          }
          assertThat(Math.sqrt(err / norm)).as("relative error, cond=" + cond).isLessThan(0.2);
        }
      }
    }
  }

  @Test
  void fp16WeightsGetFp16Scales() throws Exception {
    int k = 64;
    int n = 16;
    float[] w = random(k * n, 5);
    ByteBuffer half = ByteBuffer.allocate(k * n * 2).order(ByteOrder.LITTLE_ENDIAN);
    for (float f : w) {
      half.putShort(Half.floatToHalf(f));
    }
    ModelProto m =
        ModelProto.newBuilder()
            .setIrVersion(8)
            .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(17))
            .setGraph(
                GraphProto.newBuilder()
                    .setName("fp16")
                    .addInitializer(
                        Tensors.raw("W", DataType.FLOAT16_VALUE, new long[] {k, n}, half.array()))
                    .addNode(matmul("mm", "x", "W", "y"))
                    .addInput(TiedEmbeddingTest.value("x", DataType.FLOAT16_VALUE, 1, k))
                    .addOutput(TiedEmbeddingTest.value("y", DataType.FLOAT16_VALUE, 1, n)))
            .build();
    Path in = dir.resolve("fp16.onnx");
    Files.write(in, m.toByteArray());
    Path out = dir.resolve("fp16-q4.onnx");
    ModelQuantizer.run(QuantizeRequest.of(in, out), Reporter.silent());
    ModelProto q = ModelProto.parseFrom(Files.readAllBytes(out));
    List<TensorProto> inits = q.getGraph().getInitializerList();
    assertThat(inits).extracting(TensorProto::getName).containsExactly("W_Q4", "W_scales");
    assertThat(inits.get(1).getDataType()).isEqualTo(DataType.FLOAT16_VALUE);
    // onnxruntime accepts and runs it
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession s =
        env.createSession(Files.readAllBytes(out), new OrtSession.SessionOptions())) {
      assertThat(s.getOutputNames()).containsExactly("y");
    }
  }
}
