package dev.edgellm.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.edgellm.export.Embeddings;
import dev.edgellm.export.ExportException;
import dev.edgellm.export.ExportRequest;
import dev.edgellm.export.Exporter;
import dev.edgellm.export.Precision;
import dev.edgellm.onnx.ModelTensors;
import dev.edgellm.onnx.OnnxModel;
import dev.edgellm.onnx.proto.AttributeProto;
import dev.edgellm.onnx.proto.GraphProto;
import dev.edgellm.onnx.proto.ModelProto;
import dev.edgellm.onnx.proto.NodeProto;
import dev.edgellm.onnx.proto.StringStringEntryProto;
import dev.edgellm.onnx.proto.TensorProto;
import dev.edgellm.util.AtomicFiles;
import dev.edgellm.util.Half;
import dev.edgellm.util.Json;
import dev.edgellm.util.Reporter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Benchmark input (not a test): the 270M-shaped models of the WebGPU benchmark ({@code
 * bench/webgpu}) as small skeletons that travel where no Java runs. Exports the random checkpoint
 * with Gemma 3 270M's real config (the one {@code ./benchmarks.sh export} generates) at each
 * precision, then writes per variant {@code <out>/<variant>/model.onnx} in which every tensor of at
 * least {@link #THRESHOLD} bytes is external data in {@code bench_fill.bin}, a file that is not
 * written: {@code fill.json} beside it gives each tensor's offset, length, type and the mean and
 * standard deviation of its values, and {@code bench.mjs} regenerates random data of that type and
 * spread. Random 4-bit weights read like the export's, so the timing is the same; the tokens are
 * meaningless (they are with random weights anyway). Variants: {@code q4} (MatMulNBits, fp32
 * activations), {@code q4-acc4} (the same with {@code accuracy_level} 4 on every MatMulNBits, what
 * {@code edgellm.quantize.accuracyLevel=4} writes), {@code q4f16} (when this build's export knows
 * that precision), and {@code q4-wasm} / {@code q4-wasm-acc4} for the WASM backend (the embedding
 * as a float32 Gather: onnxruntime-web's WASM build has no GatherBlockQuantized kernel).
 *
 * <pre>
 * java -cp ... dev.edgellm.bench.WebGpuBenchModels WORKDIR OUTDIR [q4,q4-acc4,q4f16,q4-wasm,q4-wasm-acc4]
 * </pre>
 */
public final class WebGpuBenchModels {
  /** Tensors at least this large are regenerated on the device instead of carried. */
  static final int THRESHOLD = 16 * 1024;

  static final String FILL_FILE = "bench_fill.bin";
  private static final int ALIGN = 64;

  private WebGpuBenchModels() {}

  public static void main(String[] args) throws Exception {
    Path work = Path.of(args.length > 0 ? args[0] : "/tmp/edgellm-bench");
    Path out = Path.of(args.length > 1 ? args[1] : "target/webgpu-bench-models");
    String[] variants =
        (args.length > 2 ? args[2] : "q4,q4-acc4,q4f16,q4-wasm,q4-wasm-acc4").split(",");
    Path ckpt = work.resolve("gemma-3-270m-random");
    Path config = Path.of("src/test/resources/configs/gemma-3-270m-v4.json");
    if (!Files.exists(ckpt.resolve("model.safetensors"))) {
      RandomCheckpoint.writeGemma3(config, ckpt, 42);
      System.out.println("generated " + ckpt);
    }
    java.util.Map<Path, Path> exports = new java.util.HashMap<>();
    for (String variant : variants) {
      // NAME[-wasm][-acc4]: -wasm keeps the embedding a float32 Gather (onnxruntime-web's WASM
      // build has no GatherBlockQuantized kernel for the shared 4-bit table), -acc4 sets
      // accuracy_level 4
      String precision = variant.split("-")[0];
      Embeddings embeddings = variant.contains("-wasm") ? Embeddings.FP32 : Embeddings.SHARED;
      int accuracyLevel = variant.contains("-acc4") ? 4 : 0;
      Precision p;
      try {
        p = Precision.parse(precision);
      } catch (ExportException e) {
        System.out.println(
            "SKIPPED "
                + variant
                + ": this build's export does not know it ("
                + e.getMessage()
                + ")");
        continue;
      }
      Path exported =
          work.resolve("webgpu-" + precision + "-" + embeddings.name().toLowerCase(Locale.ROOT));
      long t0 = System.nanoTime();
      Path model = exports.get(exported);
      if (model == null) {
        model =
            new Exporter(Reporter.silent())
                .export(new ExportRequest(ckpt, exported, p, embeddings))
                .model();
        exports.put(exported, model);
      }
      System.out.printf(
          Locale.ROOT,
          "exported %s (embeddings %s): %s (%.1f MB) in %.1f s%n",
          precision,
          embeddings,
          model,
          Files.size(model) / 1e6,
          (System.nanoTime() - t0) / 1e9);
      Path dir = out.resolve(variant);
      Files.createDirectories(dir);
      skeleton(model, dir, accuracyLevel);
      Files.copy(
          ckpt.resolve("config.json"),
          dir.resolve("config.json"),
          java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /** Writes {@code dir/model.onnx} and {@code dir/fill.json} from {@code model}. */
  static void skeleton(Path model, Path dir, int accuracyLevel) throws Exception {
    ModelProto m;
    try (OnnxModel read = OnnxModel.read(model)) {
      m = read.proto();
    }
    if (accuracyLevel != 0) {
      m = withAccuracyLevel(m, accuracyLevel);
    }
    java.util.Map<String, Boolean> lookupOnly = lookupOnlyTensors(m.getGraph());
    ArrayNode tensors = Json.MAPPER.createArrayNode();
    long[] end = {0};
    long[] weightBytes = {0};
    ModelProto skeleton =
        ModelTensors.rewrite(
            m,
            (t, where) -> {
              if (!t.hasRawData() || t.getRawData().size() < THRESHOLD) {
                return t;
              }
              long length = t.getRawData().size();
              long offset = (end[0] + ALIGN - 1) / ALIGN * ALIGN;
              end[0] = offset + length;
              weightBytes[0] += length;
              ObjectNode e = tensors.addObject();
              e.put("name", t.getName());
              e.put("dataType", t.getDataType());
              e.put("offset", offset);
              e.put("length", length);
              // bytes one decoded token reads: a row of a table only looked up (rotary caches, an
              // unshared embedding), all of a weight a MatMul reads
              long rows = t.getDimsCount() > 0 ? Math.max(1, t.getDims(0)) : 1;
              e.put(
                  "readPerToken",
                  lookupOnly.getOrDefault(t.getName(), false) ? length / rows : length);
              double[] stats = stats(t);
              if (stats != null) {
                e.put("mean", stats[0]);
                e.put("std", stats[1]);
              }
              return t.toBuilder()
                  .clearRawData()
                  .setDataLocation(TensorProto.DataLocation.EXTERNAL)
                  .addExternalData(entry("location", FILL_FILE))
                  .addExternalData(entry("offset", Long.toString(offset)))
                  .addExternalData(entry("length", Long.toString(length)))
                  .build();
            });
    // OnnxWriter refuses external tensors whose data it does not hold: write the skeleton as is.
    byte[] proto = skeleton.toByteArray();
    AtomicFiles.write(
        dir.resolve("model.onnx"),
        ch -> {
          ByteBuffer buf = ByteBuffer.wrap(proto);
          while (buf.hasRemaining()) {
            ch.write(buf);
          }
        });
    long bytes = proto.length;
    ObjectNode fill = Json.MAPPER.createObjectNode();
    fill.put("file", FILL_FILE);
    fill.put("bytes", end[0]);
    fill.put("source", model.getFileName().toString());
    fill.put("accuracyLevel", accuracyLevel);
    fill.set("tensors", tensors);
    AtomicFiles.writeString(dir.resolve("fill.json"), Json.pretty(fill));
    System.out.printf(
        Locale.ROOT,
        "  %s: skeleton %.1f KB + %d tensors (%.1f MB) regenerated on the device%n",
        dir,
        bytes / 1e3,
        tensors.size(),
        weightBytes[0] / 1e6);
  }

  /**
   * For each initializer: true when every consumer only looks rows up in it (the data input of
   * Gather/GatherBlockQuantized, or GroupQueryAttention's cos/sin caches).
   */
  private static java.util.Map<String, Boolean> lookupOnlyTensors(GraphProto g) {
    java.util.Map<String, Boolean> out = new java.util.HashMap<>();
    for (NodeProto n : g.getNodeList()) {
      for (int i = 0; i < n.getInputCount(); i++) {
        String op = n.getOpType();
        boolean lookup =
            ((op.equals("Gather") || op.equals("GatherBlockQuantized")) && i == 0)
                || (op.equals("GroupQueryAttention") && (i == 7 || i == 8));
        out.merge(n.getInput(i), lookup, Boolean::logicalAnd);
      }
    }
    return out;
  }

  private static ModelProto withAccuracyLevel(ModelProto m, int level) {
    GraphProto.Builder g = m.getGraph().toBuilder();
    for (int i = 0; i < g.getNodeCount(); i++) {
      NodeProto n = g.getNode(i);
      if (!n.getOpType().equals("MatMulNBits")) {
        continue;
      }
      NodeProto.Builder b = n.toBuilder();
      b.clearAttribute();
      for (AttributeProto a : n.getAttributeList()) {
        if (!a.getName().equals("accuracy_level")) {
          b.addAttribute(a);
        }
      }
      b.addAttribute(
          AttributeProto.newBuilder()
              .setName("accuracy_level")
              .setType(AttributeProto.AttributeType.INT)
              .setI(level));
      g.setNode(i, b);
    }
    return m.toBuilder().setGraph(g).build();
  }

  /** Mean and standard deviation of a float32/float16 tensor's values; null for other types. */
  private static double[] stats(TensorProto t) {
    ByteBuffer b = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    double sum = 0;
    double sq = 0;
    long n = 0;
    if (t.getDataType() == TensorProto.DataType.FLOAT_VALUE) {
      while (b.remaining() >= 4) {
        double v = b.getFloat();
        sum += v;
        sq += v * v;
        n++;
      }
    } else if (t.getDataType() == TensorProto.DataType.FLOAT16_VALUE) {
      while (b.remaining() >= 2) {
        double v = Half.halfToFloat(b.getShort());
        sum += v;
        sq += v * v;
        n++;
      }
    } else {
      return null;
    }
    double mean = sum / n;
    return new double[] {mean, Math.sqrt(Math.max(0, sq / n - mean * mean))};
  }

  private static StringStringEntryProto entry(String key, String value) {
    return StringStringEntryProto.newBuilder().setKey(key).setValue(value).build();
  }
}
