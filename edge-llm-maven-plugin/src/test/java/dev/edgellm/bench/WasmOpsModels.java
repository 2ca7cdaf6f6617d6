package dev.edgellm.bench;

import dev.edgellm.export.Embeddings;
import dev.edgellm.export.ExportRequest;
import dev.edgellm.export.Exporter;
import dev.edgellm.export.Precision;
import dev.edgellm.onnx.NodeBuilder;
import dev.edgellm.onnx.OnnxWriter;
import dev.edgellm.onnx.proto.GraphProto;
import dev.edgellm.onnx.proto.ModelProto;
import dev.edgellm.onnx.proto.OperatorSetIdProto;
import dev.edgellm.onnx.proto.TensorProto;
import dev.edgellm.onnx.proto.TensorShapeProto;
import dev.edgellm.onnx.proto.TypeProto;
import dev.edgellm.quantize.Keep;
import dev.edgellm.quantize.ModelQuantizer;
import dev.edgellm.quantize.QuantizeRequest;
import dev.edgellm.util.Reporter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.stream.Stream;

/**
 * Measurement input (not a test): every kind of graph the plugin writes, for each tiny fixture, so
 * that {@code bench/wasm-ops/probe.mjs} can run them on onnxruntime-web's WASM backend (and
 * onnxruntime-node's CPU for the reference) and say which ops the WASM build lacks. Writes {@code
 * <out>/<fixture>/<variant>/model.onnx} and {@code config.json}; variants:
 *
 * <ul>
 *   <li>{@code fp32}: MatMul, Gather, plain ops, GroupQueryAttention, the norms;
 *   <li>{@code q4}: MatMulNBits bits 4, the embedding a GatherBlockQuantized (uint8, bits 4) over
 *       the tied lm_head (untied: int4 table) ({@code edgellm.quantize.keep=none});
 *   <li>{@code q4-auto}: the export's default ({@code keep=auto}: some weights at 8 bits);
 *   <li>{@code q4-lm8}: the lm_head at 8 bits, so MatMulNBits bits 8 and a GatherBlockQuantized
 *       bits 8;
 *   <li>{@code q4-fp32emb}: {@code edgellm.export.embeddings=fp32} (a float32 Gather);
 *   <li>{@code q4-auto-fp32emb}, {@code q4-all8-fp32emb}: the same with {@code keep=auto}, and with
 *       every weight at 8 bits (MatMulNBits bits 8 without a GatherBlockQuantized);
 *   <li>{@code q4f16}, {@code q4f16-fp32emb}: the float16 graph;
 *   <li>{@code quantize}, {@code quantize-emb}: {@code fp32} then the quantize goal (without and
 *       with {@code edgellm.quantize.embeddings}).
 * </ul>
 *
 * <p>And under {@code <out>/single-op/}: one-node models of ops the plugin does not write today but
 * might (com.microsoft RotaryEmbedding, ONNX RotaryEmbedding at opset 23, ONNX Gelu at opset 21,
 * float and float16), with the probe's generic inputs.
 *
 * <pre>
 * java -cp ... dev.edgellm.bench.WasmOpsModels OUTDIR [fixture,...]
 * </pre>
 */
public final class WasmOpsModels {
  private WasmOpsModels() {}

  public static void main(String[] args) throws Exception {
    Path out = Path.of(args.length > 0 ? args[0] : "target/wasm-ops-models");
    Path models = Path.of("src/test/resources/models");
    List<String> fixtures;
    if (args.length > 1) {
      fixtures = List.of(args[1].split(","));
    } else {
      try (Stream<Path> s = Files.list(models)) {
        fixtures =
            s.map(p -> p.getFileName().toString())
                .filter(n -> n.startsWith("tiny-"))
                .sorted()
                .toList();
      }
    }
    singleOps(out.resolve("single-op"));
    Exporter exporter = new Exporter(Reporter.silent());
    for (String fixture : fixtures) {
      Path ckpt = models.resolve(fixture);
      Path dir = out.resolve(fixture);
      export(exporter, ckpt, dir, "fp32", Precision.FP32, Embeddings.FP32, Keep.NONE);
      export(exporter, ckpt, dir, "q4", Precision.Q4, Embeddings.SHARED, Keep.NONE);
      export(exporter, ckpt, dir, "q4-auto", Precision.Q4, Embeddings.SHARED, Keep.AUTO);
      export(exporter, ckpt, dir, "q4-lm8", Precision.Q4, Embeddings.SHARED, Keep.parse("lm_head"));
      export(exporter, ckpt, dir, "q4-fp32emb", Precision.Q4, Embeddings.FP32, Keep.NONE);
      export(exporter, ckpt, dir, "q4-auto-fp32emb", Precision.Q4, Embeddings.FP32, Keep.AUTO);
      export(
          exporter,
          ckpt,
          dir,
          "q4-all8-fp32emb",
          Precision.Q4,
          Embeddings.FP32,
          Keep.parse("lm_head,proj"));
      export(exporter, ckpt, dir, "q4f16", Precision.Q4F16, Embeddings.SHARED, Keep.NONE);
      export(exporter, ckpt, dir, "q4f16-fp32emb", Precision.Q4F16, Embeddings.FP32, Keep.NONE);
      Path fp32 = dir.resolve("fp32/model.onnx");
      quantize(fp32, dir, "quantize", QuantizeRequest.of(fp32, dir.resolve("quantize/model.onnx")));
      quantize(
          fp32,
          dir,
          "quantize-emb",
          QuantizeRequest.of(fp32, dir.resolve("quantize-emb/model.onnx")).withEmbeddings(true));
    }
  }

  private static final int F = TensorProto.DataType.FLOAT_VALUE;
  private static final int H = TensorProto.DataType.FLOAT16_VALUE;
  private static final int I64 = TensorProto.DataType.INT64_VALUE;

  /**
   * One-node models: x [1, 4, 2 heads x 16] (or [1, 2 heads, 4, 16]), cos/sin [8, 8], positions.
   */
  static void singleOps(Path dir) throws java.io.IOException {
    for (int t : new int[] {F, H}) {
      String suffix = t == F ? "" : "-fp16";
      one(
          dir.resolve("ms-RotaryEmbedding" + suffix),
          NodeBuilder.op("RotaryEmbedding", "rope").ms().attr("num_heads", 2L),
          21,
          List.of(
              value("x", t, 1, 4, 32),
              value("position_ids", I64, 1, 4),
              value("cos_cache", t, 8, 8),
              value("sin_cache", t, 8, 8)),
          value("y", t, 1, 4, 32));
      one(
          dir.resolve("onnx23-RotaryEmbedding" + suffix),
          NodeBuilder.op("RotaryEmbedding", "rope"),
          23,
          List.of(
              value("x", t, 1, 2, 4, 16),
              value("cos_cache", t, 1, 4, 8),
              value("sin_cache", t, 1, 4, 8)),
          value("y", t, 1, 2, 4, 16));
      one(
          dir.resolve("onnx21-Gelu" + suffix),
          NodeBuilder.op("Gelu", "gelu"),
          21,
          List.of(value("x", t, 1, 4, 32)),
          value("y", t, 1, 4, 32));
    }
  }

  private static void one(
      Path dir,
      NodeBuilder node,
      int opset,
      List<dev.edgellm.onnx.proto.ValueInfoProto> inputs,
      dev.edgellm.onnx.proto.ValueInfoProto output)
      throws java.io.IOException {
    List<String> names = inputs.stream().map(v -> v.getName()).toList();
    GraphProto g =
        GraphProto.newBuilder()
            .setName("one")
            .addNode(node.in(names).build(output.getName()))
            .addAllInput(inputs)
            .addOutput(output)
            .build();
    ModelProto m =
        ModelProto.newBuilder()
            .setIrVersion(10)
            .setProducerName("edge-llm-bench")
            .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset))
            .addOpsetImport(
                OperatorSetIdProto.newBuilder().setDomain(NodeBuilder.MS_DOMAIN).setVersion(1))
            .setGraph(g)
            .build();
    Files.createDirectories(dir);
    OnnxWriter.writeEmbedded(m, dir.resolve("model.onnx"));
    System.out.println("wrote " + dir);
  }

  private static dev.edgellm.onnx.proto.ValueInfoProto value(String name, int type, int... dims) {
    TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
    for (int d : dims) {
      shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
    }
    return dev.edgellm.onnx.proto.ValueInfoProto.newBuilder()
        .setName(name)
        .setType(
            TypeProto.newBuilder()
                .setTensorType(TypeProto.Tensor.newBuilder().setElemType(type).setShape(shape)))
        .build();
  }

  private static void export(
      Exporter exporter,
      Path ckpt,
      Path dir,
      String variant,
      Precision precision,
      Embeddings embeddings,
      Keep keep) {
    Path target = dir.resolve(variant);
    try {
      exporter.export(new ExportRequest(ckpt, target, precision, embeddings).withKeep(keep));
      Files.copy(
          ckpt.resolve("config.json"),
          target.resolve("config.json"),
          StandardCopyOption.REPLACE_EXISTING);
      System.out.println("wrote " + target + ": " + ops(target.resolve("model.onnx")));
    } catch (Exception e) {
      System.out.println("SKIPPED " + target + ": " + e.getMessage());
    }
  }

  /** The model's ops as {@code domain.Op[bits=N]}, sorted, with the element types of its inputs. */
  static java.util.Set<String> ops(Path model) throws java.io.IOException {
    java.util.Set<String> ops = new java.util.TreeSet<>();
    try (dev.edgellm.onnx.OnnxModel m = dev.edgellm.onnx.OnnxModel.read(model)) {
      for (dev.edgellm.onnx.proto.NodeProto n : m.proto().getGraph().getNodeList()) {
        String label = (n.getDomain().isEmpty() ? "" : n.getDomain() + ".") + n.getOpType();
        for (dev.edgellm.onnx.proto.AttributeProto a : n.getAttributeList()) {
          if (a.getName().equals("bits")) {
            label += "[bits=" + a.getI() + "]";
          }
        }
        ops.add(label);
      }
    }
    return ops;
  }

  private static void quantize(Path fp32, Path dir, String variant, QuantizeRequest req) {
    Path target = dir.resolve(variant);
    try {
      Files.createDirectories(target);
      ModelQuantizer.run(req, Reporter.silent());
      Files.copy(
          fp32.resolveSibling("config.json"),
          target.resolve("config.json"),
          StandardCopyOption.REPLACE_EXISTING);
      System.out.println("wrote " + target + ": " + ops(target.resolve("model.onnx")));
    } catch (Exception e) {
      System.out.println("SKIPPED " + target + ": " + e.getMessage());
    }
  }
}
