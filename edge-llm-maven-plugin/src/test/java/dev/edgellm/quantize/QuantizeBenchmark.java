package dev.edgellm.quantize;

import com.google.protobuf.UnsafeByteOperations;
import dev.edgellm.bench.Measured;
import dev.edgellm.onnx.OnnxWriter;
import dev.edgellm.onnx.Tensors;
import dev.edgellm.onnx.proto.GraphProto;
import dev.edgellm.onnx.proto.ModelProto;
import dev.edgellm.onnx.proto.NodeProto;
import dev.edgellm.onnx.proto.OperatorSetIdProto;
import dev.edgellm.onnx.proto.TensorProto.DataType;
import dev.edgellm.onnx.proto.TensorShapeProto;
import dev.edgellm.onnx.proto.TypeProto;
import dev.edgellm.onnx.proto.ValueInfoProto;
import dev.edgellm.util.Reporter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Benchmark (not a test): quantizes a Gemma-3-270M-shaped fp32 graph (18 layers of q 640x1024, k
 * and v 640x256, o 1024x640, gate/up 640x2048, down 2048x640, plus a 640x262144 lm_head; 1.07 GB)
 * and prints wall time of read + quantize + write, GB/s, peak RSS and heap.
 *
 * <pre>
 * ./mvnw -q -pl edge-llm-maven-plugin test-compile exec:exec -Dexec.classpathScope=test \
 *   -Dexec.executable=java \
 *   -Dexec.args="-Xmx512m -cp %classpath dev.edgellm.quantize.QuantizeBenchmark"
 * </pre>
 *
 * Arguments (optional): {@code [folder] [runs]}; the generated model is kept in the folder (default
 * {@code /tmp/edgellm-bench}) and reused by later runs.
 */
public final class QuantizeBenchmark {
  private QuantizeBenchmark() {}

  static final int HIDDEN = 640;
  static final int LAYERS = 18;
  static final int VOCAB = 262144;

  public static void main(String[] args) throws Exception {
    Path folder = Path.of(args.length > 0 ? args[0] : "/tmp/edgellm-bench");
    int runs = args.length > 1 ? Integer.parseInt(args[1]) : 1;
    boolean verbose = args.length > 2 && args[2].equals("verbose");
    Path model = folder.resolve("gemma3-270m-shaped-fp32.onnx");
    long expected = expectedDataBytes();
    if (!Files.exists(model) || Files.size(model) < expected) {
      System.out.printf(Locale.ROOT, "generating %s (%.2f GB)...%n", model, expected / 1e9);
      generate(model);
    }
    Path out = folder.resolve("gemma3-270m-shaped-q4.onnx");
    System.out.printf(
        Locale.ROOT,
        "input %s: %.3f GB; %d cores, max heap %d MB%n",
        model,
        Files.size(model) / 1e9,
        Runtime.getRuntime().availableProcessors(),
        Runtime.getRuntime().maxMemory() >> 20);
    for (int r = 1; r <= runs; r++) {
      Files.deleteIfExists(out);
      resetVmHwm();
      Measured<QuantizeResult> m =
          Measured.run(() -> ModelQuantizer.run(QuantizeRequest.of(model, out), reporter(verbose)));
      QuantizeResult res = m.result();
      double secs = m.wallSeconds();
      double cpu = m.cpuSeconds();
      System.out.printf(
          Locale.ROOT,
          "run %d: wall %.3f s (read + quantize + write), %.2f GB/s, process CPU %.2f s, load"
              + " average %s, %d tensors quantized, output %.1f MB, peak RSS %.0f MB (VmHWM; %s),"
              + " peak heap used %.0f MB, max heap %d MB%n",
          r,
          secs,
          res.inputBytes() / 1e9 / secs,
          cpu,
          Files.readString(Path.of("/proc/loadavg")).split(" ")[0],
          res.tensorsQuantized(),
          res.outputBytes() / 1e6,
          vmHwmKb() / 1024.0,
          rssSplit(),
          m.peakHeapBytes() / 1048576.0,
          Runtime.getRuntime().maxMemory() >> 20);
    }
  }

  /** Silent, or printing the core's progress and phase times. */
  static Reporter reporter(boolean verbose) {
    if (!verbose) {
      return Reporter.silent();
    }
    Reporter out = Reporter.to(System.out);
    return new Reporter() {
      @Override
      public void info(String m) {
        out.info(m);
      }

      @Override
      public void warn(String m) {
        out.warn(m);
      }

      @Override
      public void debug(String m) {
        out.info(m);
      }
    };
  }

  static long expectedDataBytes() {
    long perLayer =
        (long) HIDDEN * 1024
            + 2L * HIDDEN * 256
            + 1024L * HIDDEN
            + 2L * HIDDEN * 2048
            + 2048L * HIDDEN;
    return (perLayer * LAYERS + (long) HIDDEN * VOCAB) * 4;
  }

  /** Weights as [K, N] shapes, in graph order. */
  static List<Object[]> weights() {
    List<Object[]> w = new ArrayList<>();
    for (int l = 0; l < LAYERS; l++) {
      String p = "model.layers." + l + ".";
      w.add(new Object[] {p + "self_attn.q_proj", HIDDEN, 1024});
      w.add(new Object[] {p + "self_attn.k_proj", HIDDEN, 256});
      w.add(new Object[] {p + "self_attn.v_proj", HIDDEN, 256});
      w.add(new Object[] {p + "self_attn.o_proj", 1024, HIDDEN});
      w.add(new Object[] {p + "mlp.gate_proj", HIDDEN, 2048});
      w.add(new Object[] {p + "mlp.up_proj", HIDDEN, 2048});
      w.add(new Object[] {p + "mlp.down_proj", 2048, HIDDEN});
    }
    w.add(new Object[] {"lm_head", HIDDEN, VOCAB});
    return w;
  }

  /**
   * Writes random weights (normal-ish, std 0.02) into a scratch file, maps it and streams the model
   * through {@link OnnxWriter}, so that generating needs no 1 GB heap either.
   */
  static void generate(Path model) throws IOException, Exception {
    Files.createDirectories(model.getParent());
    Path raw = model.resolveSibling("weights.raw");
    long total = expectedDataBytes();
    try (FileChannel ch =
        FileChannel.open(
            raw,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.READ,
            StandardOpenOption.WRITE)) {
      ByteBuffer buf = ByteBuffer.allocateDirect(1 << 22).order(ByteOrder.LITTLE_ENDIAN);
      FloatBuffer fb = buf.asFloatBuffer();
      SplittableRandom rnd = new SplittableRandom(42);
      long written = 0;
      while (written < total) {
        fb.clear();
        int n = (int) Math.min(fb.capacity(), (total - written) / 4);
        for (int i = 0; i < n; i++) {
          // sum of uniforms: cheap, bell-shaped
          fb.put((float) ((rnd.nextDouble() + rnd.nextDouble() + rnd.nextDouble() - 1.5) * 0.02));
        }
        buf.clear().limit(n * 4);
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
        written += n * 4L;
      }
      MappedByteBuffer map = ch.map(FileChannel.MapMode.READ_ONLY, 0, total);
      GraphProto.Builder g = GraphProto.newBuilder().setName("gemma3_270m_shaped");
      int offset = 0;
      for (int k : new int[] {HIDDEN, 1024, 2048}) {
        g.addInput(value("x" + k, k));
      }
      for (Object[] w : weights()) {
        String name = (String) w[0];
        int k = (Integer) w[1];
        int n = (Integer) w[2];
        int bytes = k * n * 4;
        g.addInitializer(
            Tensors.raw(
                name + ".weight",
                DataType.FLOAT_VALUE,
                new long[] {k, n},
                UnsafeByteOperations.unsafeWrap(map.slice(offset, bytes))));
        offset += bytes;
        g.addNode(
            NodeProto.newBuilder()
                .setName(name + "/MatMul")
                .setOpType("MatMul")
                .addInput("x" + k)
                .addInput(name + ".weight")
                .addOutput(name + ".out"));
        g.addOutput(value(name + ".out", n));
      }
      ModelProto m =
          ModelProto.newBuilder()
              .setIrVersion(8)
              .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(17))
              .setProducerName("edgellm-benchmark")
              .setGraph(g)
              .build();
      OnnxWriter.writeEmbedded(m, model);
    } finally {
      Files.deleteIfExists(raw);
    }
  }

  static ValueInfoProto value(String name, int last) {
    return ValueInfoProto.newBuilder()
        .setName(name)
        .setType(
            TypeProto.newBuilder()
                .setTensorType(
                    TypeProto.Tensor.newBuilder()
                        .setElemType(DataType.FLOAT_VALUE)
                        .setShape(
                            TensorShapeProto.newBuilder()
                                .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam("S"))
                                .addDim(
                                    TensorShapeProto.Dimension.newBuilder().setDimValue(last)))))
        .build();
  }

  /** Current RSS split into anonymous (heap, buffers) and file-backed (the mapped input) pages. */
  static String rssSplit() throws IOException {
    String anon = "?";
    String file = "?";
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("RssAnon:")) {
        anon = Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024 + " MB";
      } else if (line.startsWith("RssFile:")) {
        file = Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024 + " MB";
      }
    }
    return "now anonymous " + anon + ", file-backed " + file;
  }

  static long vmHwmKb() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmHWM:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    return -1;
  }

  /** Resets VmHWM to the current RSS (Linux 4.0 and later); keeps the process-wide peak if not. */
  static void resetVmHwm() {
    try {
      Files.writeString(Path.of("/proc/self/clear_refs"), "5");
    } catch (IOException | RuntimeException e) {
      // keep the process-wide peak
    }
  }
}
