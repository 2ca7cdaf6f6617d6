package dev.edgellm.quantize;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.edgellm.onnx.proto.ModelProto;
import dev.edgellm.onnx.proto.TensorProto;
import dev.edgellm.testing.RecordingReporter;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The whole stage on the fixture model, for each of onnxruntime 1.30's variants: tensors byte for
 * byte, nodes, attributes and opsets equal to onnxruntime's file (in fact the whole file is
 * byte-identical), and ONNX Runtime for Java on our output reproduces the outputs onnxruntime
 * computed for its own file.
 */
class ModelQuantizerTest {
  @TempDir Path dir;

  static QuantizeRequest request(String variant, Path in, Path out) {
    return QuantizeRequest.of(in, out)
        .withMethod(QuantizeMethod.RTN)
        .withKeep(Keep.NONE)
        .withBlockSize(Fixtures.blockSize(variant))
        .withSymmetric(Fixtures.symmetric(variant))
        .withAccuracyLevel(Fixtures.accuracyLevel(variant))
        .withEmbeddings(Fixtures.gather(variant));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"q4_b32_sym", "q4_b32_asym", "q4_b128_sym", "q4_b16_sym", "q4_b32_sym_gather"})
  void matchesOnnxruntime(String variant) throws Exception {
    Path in = Fixtures.copy("matmuls.onnx", dir.resolve("in"));
    byte[] before = Files.readAllBytes(in);
    Path out = dir.resolve("out/model.onnx");
    List<String> log = new ArrayList<>();
    QuantizeResult r =
        ModelQuantizer.run(request(variant, in, out), new RecordingReporter(log, "", "WARN "));
    assertThat(Files.readAllBytes(in)).isEqualTo(before);
    ModelProto got = ModelProto.parseFrom(Files.readAllBytes(out));
    ModelProto ref = Fixtures.model("matmuls." + variant + ".onnx");

    // every initializer byte-identical (same names, types, shapes, raw bytes)
    Map<String, TensorProto> gotInits = Fixtures.initializers(got);
    Map<String, TensorProto> refInits = Fixtures.initializers(ref);
    assertThat(gotInits.keySet()).containsExactlyInAnyOrderElementsOf(refInits.keySet());
    for (String name : refInits.keySet()) {
      assertThat(gotInits.get(name).toByteString())
          .as(variant + " " + name)
          .isEqualTo(refInits.get(name).toByteString());
    }
    // the same nodes, attributes, names, in onnxruntime's order
    assertThat(got.getGraph().getNodeList()).isEqualTo(ref.getGraph().getNodeList());
    assertThat(got.getOpsetImportList()).isEqualTo(ref.getOpsetImportList());
    assertThat(got.getGraph().getInputList()).isEqualTo(ref.getGraph().getInputList());
    assertThat(got.getGraph().getOutputList()).isEqualTo(ref.getGraph().getOutputList());
    assertThat(got.getIrVersion()).isEqualTo(ref.getIrVersion());

    // and so the whole file is onnxruntime's, byte for byte
    assertThat(Files.readAllBytes(out))
        .as(variant + ": whole file")
        .isEqualTo(Fixtures.bytes("matmuls." + variant + ".onnx"));

    int expectedQuantized = Fixtures.gather(variant) ? 5 : 4;
    assertThat(r.tensorsQuantized()).isEqualTo(expectedQuantized);
    assertThat(r.tensorsLeft()).isEqualTo(Fixtures.gather(variant) ? 0 : 1);
    assertThat(r.outputBytes()).isEqualTo(Files.size(out));
    assertThat(log)
        .anyMatch(l -> l.contains("tensor " + expectedQuantized + " of " + expectedQuantized));
    assertThat(log).anyMatch(l -> l.contains("tensors quantized"));

    // ONNX Runtime for Java on our file gives onnxruntime's outputs
    Map<String, SafeTensors.Tensor> feeds = SafeTensors.parse(Fixtures.bytes("feeds.safetensors"));
    Map<String, SafeTensors.Tensor> expected =
        SafeTensors.parse(Fixtures.bytes("outputs." + variant + ".safetensors"));
    Map<String, float[]> outputs = run(Files.readAllBytes(out), feeds);
    assertClose(outputs.get("h3"), expected.get("output").floats(), variant + " output");
    assertClose(outputs.get("dyn_out"), expected.get("dyn_out").floats(), variant + " dyn_out");
    assertClose(outputs.get("emb_out"), expected.get("emb_out").floats(), variant + " emb_out");
  }

  static Map<String, float[]> run(byte[] model, Map<String, SafeTensors.Tensor> feeds)
      throws Exception {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    Map<String, float[]> out = new HashMap<>();
    try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions()) {
      opts.setIntraOpNumThreads(1);
      try (OrtSession s = env.createSession(model, opts)) {
        Map<String, OnnxTensor> in = new HashMap<>();
        try {
          for (Map.Entry<String, SafeTensors.Tensor> e : feeds.entrySet()) {
            SafeTensors.Tensor t = e.getValue();
            in.put(
                e.getKey(),
                t.dtype().equals("I64")
                    ? OnnxTensor.createTensor(env, java.nio.LongBuffer.wrap(t.longs()), t.shape())
                    : OnnxTensor.createTensor(env, FloatBuffer.wrap(t.floats()), t.shape()));
          }
          try (OrtSession.Result r = s.run(in)) {
            for (Map.Entry<String, ai.onnxruntime.OnnxValue> e : r) {
              FloatBuffer fb = ((OnnxTensor) e.getValue()).getFloatBuffer();
              float[] f = new float[fb.remaining()];
              fb.get(f);
              out.put(e.getKey(), f);
            }
          }
        } finally {
          for (OnnxTensor t : in.values()) {
            t.close();
          }
        }
      }
    }
    return out;
  }

  /** Equal up to float summation order: 1e-5 of the largest magnitude. */
  static void assertClose(float[] got, float[] want, String what) {
    assertThat(got).as(what).hasSameSizeAs(want);
    float max = 0;
    for (float w : want) {
      max = Math.max(max, Math.abs(w));
    }
    float tol = 1e-5f * Math.max(max, 1f);
    double worst = 0;
    for (int i = 0; i < want.length; i++) {
      worst = Math.max(worst, Math.abs(got[i] - want[i]));
    }
    System.out.printf("%s: max |diff| %.3g (largest |value| %.3g)%n", what, worst, max);
    assertThat(worst).as(what + " max |diff| (tolerance " + tol + ")").isLessThanOrEqualTo(tol);
  }
}
