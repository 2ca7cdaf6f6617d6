package dev.edgellm.export;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.edgellm.onnx.proto.ModelProto;
import dev.edgellm.onnx.proto.TensorProto;
import dev.edgellm.onnx.proto.ValueInfoProto;
import dev.edgellm.quantize.ModelQuantizer;
import dev.edgellm.quantize.QuantizeRequest;
import dev.edgellm.util.Reporter;
import dev.edgellm.validate.OrtDecoder;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The q4 export: equal to fp32-then-quantize, a shared 4-bit embedding, and its agreement with
 * fp32.
 */
class Q4ExportTest {
  @TempDir Path tmp;

  static java.util.stream.Stream<String> models() {
    return GoldenExportTest.models();
  }

  private Path export(String name, Precision p, Embeddings e, String dir) {
    return new Exporter(Reporter.silent())
        .export(new ExportRequest(GoldenExportTest.modelDir(name), tmp.resolve(dir), p, e))
        .model();
  }

  @ParameterizedTest
  @MethodSource("models")
  void q4WithFp32EmbeddingsIsExportFp32ThenQuantize(String name) throws Exception {
    Path fp32 = export(name, Precision.FP32, Embeddings.FP32, "fp32");
    Path quantized = tmp.resolve("quantized.onnx");
    ModelQuantizer.run(QuantizeRequest.of(fp32, quantized), Reporter.silent());
    Path q4 = export(name, Precision.Q4, Embeddings.FP32, "q4");
    assertThat(Files.mismatch(q4, quantized)).as("first differing byte").isEqualTo(-1L);
  }

  @Test
  void untiedSharedEmbeddingIsExportFp32ThenQuantizeWithEmbeddings() throws Exception {
    Path fp32 = export("tiny-llama", Precision.FP32, Embeddings.FP32, "fp32");
    Path quantized = tmp.resolve("quantized.onnx");
    ModelQuantizer.run(QuantizeRequest.of(fp32, quantized).withEmbeddings(true), Reporter.silent());
    Path q4 = export("tiny-llama", Precision.Q4, Embeddings.SHARED, "q4");
    assertThat(Files.mismatch(q4, quantized)).as("first differing byte").isEqualTo(-1L);
  }

  @ParameterizedTest
  @MethodSource("models")
  void q4IsByteIdenticalForTheSameInput(String name) throws Exception {
    Path a = export(name, Precision.Q4, Embeddings.SHARED, "a");
    Path b = export(name, Precision.Q4, Embeddings.SHARED, "b");
    assertThat(Files.mismatch(a, b)).isEqualTo(-1L);
  }

  /**
   * The tied embedding is one 4-bit copy: GatherBlockQuantized returns the lm_head's dequantized
   * rows.
   */
  @Test
  void tiedEmbeddingLooksUpTheLmHeadsFourBitWeight() throws Exception {
    Path q4 = export("tiny-gemma3", Precision.Q4, Embeddings.SHARED, "q4");
    ModelProto m = ModelProto.parseFrom(Files.readAllBytes(q4));
    assertThat(m.getGraph().getInitializerList())
        .extracting(TensorProto::getName)
        .contains("lm_head.weight_Q4", "lm_head.weight_scales")
        .doesNotContain("model.embed_tokens.weight", "lm_head.weight");
    assertThat(m.getGraph().getNodeList())
        .anySatisfy(n -> assertThat(n.getOpType()).isEqualTo("GatherBlockQuantized"));
    // expose the embedding lookup's output and compare with a dequantization done here
    String embOut = "/model/embed_tokens/Gather/output_0";
    ModelProto probe =
        m.toBuilder()
            .setGraph(
                m.getGraph().toBuilder().addOutput(ValueInfoProto.newBuilder().setName(embOut)))
            .build();
    TensorProto q = find(m, "lm_head.weight_Q4");
    TensorProto s = find(m, "lm_head.weight_scales");
    int vocab = (int) q.getDims(0);
    int blocks = (int) q.getDims(1);
    int hidden = blocks * 32;
    ByteBuffer sb = s.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    byte[] qb = q.getRawData().toByteArray();
    long[] ids = {2, 45, 389, 0, 511};
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession session =
            env.createSession(probe.toByteArray(), new OrtSession.SessionOptions());
        OrtSession.Result r = new OrtDecoderFeeds(env, session, ids).run()) {
      float[][][] emb = (float[][][]) r.get(embOut).orElseThrow().getValue();
      for (int t = 0; t < ids.length; t++) {
        int row = (int) ids[t];
        for (int c = 0; c < hidden; c++) {
          int nib = (qb[row * hidden / 2 + c / 2] >> ((c & 1) * 4)) & 0xf;
          float expected = sb.getFloat(4 * (row * blocks + c / 32)) * (nib - 8);
          assertThat(emb[0][t][c]).as("token %d, column %d", row, c).isEqualTo(expected);
        }
      }
    }
  }

  private static TensorProto find(ModelProto m, String name) {
    return m.getGraph().getInitializerList().stream()
        .filter(t -> t.getName().equals(name))
        .findFirst()
        .orElseThrow();
  }

  /**
   * Greedy top-1 agreement of q4 with fp32 on tinystories' real weights (teacher-forced on fp32's
   * tokens).
   */
  @Test
  void q4AgreesWithFp32OnTinyStories() throws Exception {
    String name = "tinystories-656k";
    Golden golden = Golden.read(GoldenExportTest.modelDir(name));
    Path fp32 = export(name, Precision.FP32, Embeddings.FP32, "fp32");
    double shared = agreement(golden, fp32, export(name, Precision.Q4, Embeddings.SHARED, "q4"));
    double fp32Emb = agreement(golden, fp32, export(name, Precision.Q4, Embeddings.FP32, "q4e"));
    System.out.printf(
        Locale.ROOT,
        "[q4] %s greedy top-1 agreement with fp32: %.1f%% (shared 4-bit embedding), %.1f%% (fp32 embedding)%n",
        name,
        100 * shared,
        100 * fp32Emb);
    // a 656K-parameter model loses more to 4 bits than a large one; measured 80.8% / 78.8%
    assertThat(shared).isGreaterThanOrEqualTo(0.75);
    assertThat(fp32Emb).isGreaterThanOrEqualTo(0.75);
  }

  private static double agreement(Golden golden, Path fp32, Path q4) throws Exception {
    int same = 0;
    int total = 0;
    try (OrtDecoder a = new OrtDecoder(fp32);
        OrtDecoder b = new OrtDecoder(q4)) {
      for (Golden.Prompt p : golden.prompts()) {
        long[] seq = Arrays.copyOf(p.ids(), p.ids().length + p.greedy().length);
        System.arraycopy(p.greedy(), 0, seq, p.ids().length, p.greedy().length);
        a.reset();
        b.reset();
        float[][] la = a.step(seq);
        float[][] lb = b.step(seq);
        for (int i = p.ids().length - 1; i < seq.length; i++) {
          total++;
          if (OrtDecoder.argmax(la[i]) == OrtDecoder.argmax(lb[i])) {
            same++;
          }
        }
      }
    }
    return same / (double) total;
  }

  /** Feeds for one prefill of {@code ids} with an empty past. */
  private record OrtDecoderFeeds(OrtEnvironment env, OrtSession session, long[] ids) {
    OrtSession.Result run() throws Exception {
      Map<String, OnnxTensor> in = new java.util.HashMap<>();
      long[] mask = new long[ids.length];
      Arrays.fill(mask, 1);
      in.put(
          "input_ids",
          OnnxTensor.createTensor(env, LongBuffer.wrap(ids), new long[] {1, ids.length}));
      in.put(
          "attention_mask",
          OnnxTensor.createTensor(env, LongBuffer.wrap(mask), new long[] {1, ids.length}));
      in.put(
          "position_ids",
          OnnxTensor.createTensor(env, LongBuffer.wrap(mask), new long[] {1, ids.length}));
      in.put(
          "num_logits_to_keep",
          OnnxTensor.createTensor(env, LongBuffer.wrap(new long[] {0}), new long[] {}));
      for (String k : session.getInputNames()) {
        if (k.startsWith("past_key_values.")) {
          long[] shape =
              ((ai.onnxruntime.TensorInfo) session.getInputInfo().get(k).getInfo()).getShape();
          in.put(
              k,
              OnnxTensor.createTensor(
                  env, java.nio.FloatBuffer.allocate(0), new long[] {1, shape[1], 0, shape[3]}));
        }
      }
      try {
        return session.run(in);
      } finally {
        in.values().forEach(OnnxTensor::close);
      }
    }
  }
}
