package dev.edgellm.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.edgellm.onnx.proto.GraphProto;
import dev.edgellm.onnx.proto.ModelProto;
import dev.edgellm.onnx.proto.OperatorSetIdProto;
import dev.edgellm.onnx.proto.TensorProto.DataType;
import dev.edgellm.onnx.proto.TensorShapeProto;
import dev.edgellm.onnx.proto.TypeProto;
import dev.edgellm.onnx.proto.ValueInfoProto;
import dev.edgellm.quantize.BlockQuantizer;
import dev.edgellm.quantize.GatherBlockQuantizedTable;
import dev.edgellm.quantize.Int8Blocks;
import dev.edgellm.quantize.MatMulNBitsWeight;
import dev.edgellm.quantize.ScaleSearch;
import dev.edgellm.quantize.WeightSource;
import dev.edgellm.util.AtomicFiles;
import dev.edgellm.util.Json;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Input of the kernel check (not a test): single-op models of every quantized layout the plugin
 * writes, built with the plugin's own quantizers and node builders, for {@code bench/kernels} to
 * run on onnxruntime-web (WebGPU in Chromium, WASM) and onnxruntime-node. Per case it writes {@code
 * <case>.onnx}, the input ({@code <case>.in.bin}: float32 activations or int64 ids), the exact
 * product of the dequantized weight computed in double ({@code <case>.ref.bin}, float32) and the
 * Java ONNX Runtime's (CPU) output ({@code <case>.java.bin}); {@code cases.json} lists them.
 *
 * <p>Cases: {@code MatMulNBits} at 4 bits (block 32, symmetric as the export writes it, and with
 * zero points) and at 8 bits (blocks 16, 32, 64, 128, symmetric: {@link Int8Blocks}), each with M =
 * 1 (a decoded token) and M = 9 (a prefill), on the demo model's shapes (lm_head K 128 x N 512,
 * down K 384 x N 128) and a 270M-like one (K 640 x N 1024); {@code GatherBlockQuantized} over the
 * tied lm_head's weight (UINT8 data, bits 4 and 8, {@link MatMulNBitsWeight#gatherNode}) and over a
 * table of its own (INT4 / UINT4, {@link GatherBlockQuantizedTable}).
 *
 * <pre>
 * java -cp ... dev.edgellm.bench.KernelCheckModels OUTDIR
 * </pre>
 */
public final class KernelCheckModels {
  private KernelCheckModels() {}

  /** A MatMulNBits layout: bits, block size, zero points, how the 4-bit scales are chosen. */
  private record Layout(String id, int bits, int blockSize, boolean symmetric, boolean search) {}

  private static final List<Layout> LAYOUTS =
      List.of(
          new Layout("q4-b32-search", 4, 32, true, true),
          new Layout("q4-b32-rtn", 4, 32, true, false),
          new Layout("q4-b32-zp", 4, 32, false, false),
          new Layout("q8-b16", 8, 16, true, false),
          new Layout("q8-b32", 8, 32, true, false),
          new Layout("q8-b64", 8, 64, true, false),
          new Layout("q8-b128", 8, 128, true, false));

  /** B's {@code [K, N]}. */
  private static final int[][] SHAPES = {{128, 512}, {384, 128}, {640, 1024}};

  private static final int[] MS = {1, 9};

  public static void main(String[] args) throws Exception {
    Path out = Path.of(args.length > 0 ? args[0] : "target/kernel-check");
    Files.createDirectories(out);
    ArrayNode cases = Json.MAPPER.createArrayNode();
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    Random rnd = new Random(13);
    for (int[] shape : SHAPES) {
      int k = shape[0];
      int n = shape[1];
      float[] w = gaussian(rnd, n * k, 0.05);
      for (Layout layout : LAYOUTS) {
        MatMulNBitsWeight q = quantize(layout, WeightSource.of(w, n, k));
        double[][] deq = dequantize(q);
        for (int m : MS) {
          String name = String.format(Locale.ROOT, "matmul-%s-k%d-n%d-m%d", layout.id(), k, n, m);
          float[] x = gaussian(rnd, m * k, 1.0);
          GraphProto g =
              GraphProto.newBuilder()
                  .setName(name)
                  .addAllInitializer(q.initializers("w"))
                  .addNode(q.node("mm", "x", "y", "w", 0))
                  .addInput(value("x", DataType.FLOAT_VALUE, m, k))
                  .addOutput(value("y", DataType.FLOAT_VALUE, m, n))
                  .build();
          float[] ref = new float[m * n];
          for (int r = 0; r < m; r++) {
            for (int c = 0; c < n; c++) {
              double dot = 0;
              for (int i = 0; i < k; i++) {
                dot += x[r * k + i] * deq[c][i];
              }
              ref[r * n + c] = (float) dot;
            }
          }
          ObjectNode e = write(out, name, model(g), floats(x), new long[] {m, k}, "float32", ref);
          e.put("op", "MatMulNBits");
          e.put("layout", layout.id());
          e.put("bits", layout.bits());
          e.put("blockSize", layout.blockSize());
          e.put("zeroPoints", !layout.symmetric());
          e.put("K", k);
          e.put("N", n);
          e.put("M", m);
          e.set("outDims", Json.MAPPER.valueToTree(new long[] {m, n}));
          float[] java;
          try (OrtSession s = env.createSession(model(g).toByteArray(), opts());
              OnnxTensor tx = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {m, k});
              OrtSession.Result r = s.run(Map.of("x", tx))) {
            java = flat((float[][]) r.get(0).getValue());
          }
          Files.write(out.resolve(name + ".java.bin"), floats(java));
          cases.add(e);
        }
      }
    }
    gathers(out, cases, env, rnd);
    attention(out, cases, env, rnd);
    AtomicFiles.writeString(out.resolve("cases.json"), Json.pretty(cases));
    System.out.println("wrote " + cases.size() + " cases to " + out);
  }

  /** GatherBlockQuantized over the tied lm_head's weight (bits 4, 8) and over an INT4 table. */
  private static void gathers(Path out, ArrayNode cases, OrtEnvironment env, Random rnd)
      throws Exception {
    int vocab = 512;
    int hidden = 128;
    long[] ids = {7, 0, 511, 42, 300};
    float[] w = gaussian(rnd, vocab * hidden, 0.05);
    List<Object[]> shared = new ArrayList<>();
    shared.add(
        new Object[] {
          "gather-shared-q4-b32",
          ScaleSearch.quantizeNxK(WeightSource.of(w, vocab, hidden), 32, true, false)
        });
    shared.add(
        new Object[] {
          "gather-shared-q4-b32-zp",
          BlockQuantizer.quantizeNxK(WeightSource.of(w, vocab, hidden), 32, false, false)
        });
    for (int bs : new int[] {32, 128}) {
      shared.add(
          new Object[] {
            "gather-shared-q8-b" + bs,
            Int8Blocks.quantizeNxK(WeightSource.of(w, vocab, hidden), bs, false)
          });
    }
    for (Object[] c : shared) {
      String name = (String) c[0];
      MatMulNBitsWeight q = (MatMulNBitsWeight) c[1];
      GraphProto g =
          GraphProto.newBuilder()
              .setName(name)
              .addAllInitializer(q.initializers("lm_head.weight"))
              .addInitializer(q.gatherReshapeShape("lm_head.weight"))
              .addAllNode(q.gatherReshapeNodes("lm_head.weight"))
              .addNode(q.gatherNode("embed", "ids", "y", "lm_head.weight"))
              .addInput(value("ids", DataType.INT64_VALUE, 1, ids.length))
              .addOutput(value("y", DataType.FLOAT_VALUE, 1, ids.length, hidden))
              .build();
      double[][] deq = dequantize(q);
      gatherCase(
          out, cases, env, name, g, ids, deq, hidden, q.bits(), q.blockSize(), q.symmetric());
    }
    for (boolean symmetric : new boolean[] {true, false}) {
      GatherBlockQuantizedTable t =
          BlockQuantizer.quantizeTable(WeightSource.of(w, vocab, hidden), 32, symmetric, false);
      String name = "gather-table-" + (symmetric ? "int4" : "uint4-zp") + "-b32";
      GraphProto g =
          GraphProto.newBuilder()
              .setName(name)
              .addAllInitializer(t.initializers("embed"))
              .addNode(t.node("embed", "ids", "y", "embed", 0))
              .addInput(value("ids", DataType.INT64_VALUE, 1, ids.length))
              .addOutput(value("y", DataType.FLOAT_VALUE, 1, ids.length, hidden))
              .build();
      gatherCase(out, cases, env, name, g, ids, dequantize(t), hidden, 4, 32, symmetric);
    }
  }

  private static void gatherCase(
      Path out,
      ArrayNode cases,
      OrtEnvironment env,
      String name,
      GraphProto g,
      long[] ids,
      double[][] deq,
      int hidden,
      int bits,
      int blockSize,
      boolean symmetric)
      throws Exception {
    float[] ref = new float[ids.length * hidden];
    for (int i = 0; i < ids.length; i++) {
      for (int j = 0; j < hidden; j++) {
        ref[i * hidden + j] = (float) deq[(int) ids[i]][j];
      }
    }
    ByteBuffer in = ByteBuffer.allocate(ids.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    for (long id : ids) {
      in.putLong(id);
    }
    ObjectNode e = write(out, name, model(g), in.array(), new long[] {1, ids.length}, "int64", ref);
    e.put("op", "GatherBlockQuantized");
    e.put("layout", name.substring("gather-".length()));
    e.put("bits", bits);
    e.put("blockSize", blockSize);
    e.put("zeroPoints", !symmetric);
    e.set("outDims", Json.MAPPER.valueToTree(new long[] {1, ids.length, hidden}));
    float[] java;
    try (OrtSession s = env.createSession(model(g).toByteArray(), opts());
        OnnxTensor t =
            OnnxTensor.createTensor(env, LongBuffer.wrap(ids), new long[] {1, ids.length});
        OrtSession.Result r = s.run(Map.of("ids", t))) {
      float[][][] y = (float[][][]) r.get(0).getValue();
      java = flat(y[0]);
    }
    Files.write(out.resolve(name + ".java.bin"), floats(java));
    cases.add(e);
  }

  /**
   * {@code GroupQueryAttention} as the export writes it for the demo model (4 query heads, 1 KV
   * head, head size 32, rotary inside with cos/sin caches, {@code local_window_size} 512 as on a
   * sliding layer, or none), on a prefill of L tokens with an empty cache. Not quantized: the
   * reference is the Java ONNX Runtime's CPU output.
   */
  private static void attention(Path out, ArrayNode cases, OrtEnvironment env, Random rnd)
      throws Exception {
    int heads = 4;
    int hd = 32;
    int maxPos = 512;
    float[] cos = new float[maxPos * hd / 2];
    float[] sin = new float[maxPos * hd / 2];
    for (int p = 0; p < maxPos; p++) {
      for (int i = 0; i < hd / 2; i++) {
        double a = p * Math.pow(10000, -2.0 * i / hd);
        cos[p * hd / 2 + i] = (float) Math.cos(a);
        sin[p * hd / 2 + i] = (float) Math.sin(a);
      }
    }
    for (boolean rotary : new boolean[] {true, false}) {
      for (int window : new int[] {512, 0}) {
        for (int len : new int[] {16, 31, 32, 64, 270}) {
          String name =
              String.format(
                  Locale.ROOT,
                  "gqa-%s-%s-l%d",
                  rotary ? "rotary" : "norotary",
                  window > 0 ? "window" + window : "full",
                  len);
          dev.edgellm.onnx.NodeBuilder gqa =
              dev.edgellm.onnx.NodeBuilder.op("GroupQueryAttention", "attn")
                  .ms()
                  .in("q", "k", "v", "past_key", "past_value", "seqlens_k", "total");
          if (rotary) {
            gqa.in("cos", "sin");
          }
          gqa.attr("kv_num_heads", 1L).attr("num_heads", (long) heads);
          if (rotary) {
            gqa.attr("do_rotary", 1L).attr("rotary_interleaved", 0L);
          }
          if (window > 0) {
            gqa.attr("local_window_size", (long) window);
          }
          GraphProto.Builder g =
              GraphProto.newBuilder()
                  .setName(name)
                  .addNode(gqa.build("y", "present_key", "present_value"))
                  .addInput(value("q", DataType.FLOAT_VALUE, 1, len, heads * hd))
                  .addInput(value("k", DataType.FLOAT_VALUE, 1, len, hd))
                  .addInput(value("v", DataType.FLOAT_VALUE, 1, len, hd))
                  .addInput(value("past_key", DataType.FLOAT_VALUE, 1, 1, 0, hd))
                  .addInput(value("past_value", DataType.FLOAT_VALUE, 1, 1, 0, hd))
                  .addInput(value("seqlens_k", DataType.INT32_VALUE, 1))
                  .addInput(value("total", DataType.INT32_VALUE))
                  .addOutput(value("y", DataType.FLOAT_VALUE, 1, len, heads * hd))
                  .addOutput(value("present_key", DataType.FLOAT_VALUE, 1, 1, len, hd))
                  .addOutput(value("present_value", DataType.FLOAT_VALUE, 1, 1, len, hd));
          if (rotary) {
            g.addInitializer(
                    dev.edgellm.onnx.Tensors.floats("cos", new long[] {maxPos, hd / 2}, cos))
                .addInitializer(
                    dev.edgellm.onnx.Tensors.floats("sin", new long[] {maxPos, hd / 2}, sin));
          }
          float[] q = gaussian(rnd, len * heads * hd, 1.0);
          float[] k = gaussian(rnd, len * hd, 1.0);
          float[] v = gaussian(rnd, len * hd, 1.0);
          ModelProto m = model(g.build());
          float[] java;
          try (OrtSession s = env.createSession(m.toByteArray(), opts());
              OnnxTensor tq =
                  OnnxTensor.createTensor(env, FloatBuffer.wrap(q), dims(1, len, heads * hd));
              OnnxTensor tk = OnnxTensor.createTensor(env, FloatBuffer.wrap(k), dims(1, len, hd));
              OnnxTensor tv = OnnxTensor.createTensor(env, FloatBuffer.wrap(v), dims(1, len, hd));
              OnnxTensor pk =
                  OnnxTensor.createTensor(env, FloatBuffer.allocate(0), dims(1, 1, 0, hd));
              OnnxTensor pv =
                  OnnxTensor.createTensor(env, FloatBuffer.allocate(0), dims(1, 1, 0, hd));
              OnnxTensor sk =
                  OnnxTensor.createTensor(env, IntBuffer.wrap(new int[] {len - 1}), dims(1));
              OnnxTensor tt =
                  OnnxTensor.createTensor(env, IntBuffer.wrap(new int[] {len}), dims());
              OrtSession.Result r =
                  s.run(
                      Map.of(
                          "q",
                          tq,
                          "k",
                          tk,
                          "v",
                          tv,
                          "past_key",
                          pk,
                          "past_value",
                          pv,
                          "seqlens_k",
                          sk,
                          "total",
                          tt))) {
            java = flat(((float[][][]) r.get(0).getValue())[0]);
          }
          ObjectNode e = write(out, name, m, java);
          addInput(out, e, "q", "float32", dims(1, len, heads * hd), floats(q));
          addInput(out, e, "k", "float32", dims(1, len, hd), floats(k));
          addInput(out, e, "v", "float32", dims(1, len, hd), floats(v));
          addInput(out, e, "past_key", "float32", dims(1, 1, 0, hd), new byte[0]);
          addInput(out, e, "past_value", "float32", dims(1, 1, 0, hd), new byte[0]);
          addInput(out, e, "seqlens_k", "int32", dims(1), ints(len - 1));
          addInput(out, e, "total", "int32", dims(), ints(len));
          e.put("op", "GroupQueryAttention");
          e.put("layout", rotary ? "do_rotary" : "no rotary");
          e.put("M", len);
          e.set("outDims", Json.MAPPER.valueToTree(dims(1, len, heads * hd)));
          Files.write(out.resolve(name + ".java.bin"), floats(java));
          cases.add(e);
        }
      }
    }
  }

  private static long[] dims(long... d) {
    return d;
  }

  private static byte[] ints(int... v) {
    ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    b.asIntBuffer().put(v);
    return b.array();
  }

  private static MatMulNBitsWeight quantize(Layout l, WeightSource w) {
    if (l.bits() == 8) {
      return Int8Blocks.quantizeNxK(w, l.blockSize(), false);
    }
    return l.search()
        ? ScaleSearch.quantizeNxK(w, l.blockSize(), l.symmetric(), false)
        : BlockQuantizer.quantizeNxK(w, l.blockSize(), l.symmetric(), false);
  }

  /** The weight as MatMulNBits reads it, {@code [N][K]}: scale * (code - zero point). */
  static double[][] dequantize(MatMulNBitsWeight q) {
    int kb = q.blocksPerColumn();
    int bs = q.blockSize();
    double[][] out = new double[q.n()][q.k()];
    for (int c = 0; c < q.n(); c++) {
      for (int i = 0; i < q.k(); i++) {
        int blk = i / bs;
        int base = (c * kb + blk) * q.blockBytes();
        int code;
        int zp;
        if (q.bits() == 8) {
          code = q.q4()[base + i % bs] & 0xff;
          zp = 128;
        } else {
          code = (q.q4()[base + (i % bs) / 2] >> ((i % 2) * 4)) & 0xf;
          zp =
              q.symmetric()
                  ? 8
                  : (q.zeroPoints()[c * ((kb + 1) / 2) + blk / 2] >> ((blk % 2) * 4)) & 0xf;
        }
        out[c][i] = (double) q.scales()[c * kb + blk] * (code - zp);
      }
    }
    return out;
  }

  /** The table as GatherBlockQuantized reads it: INT4 values, or UINT4 minus the zero point. */
  static double[][] dequantize(GatherBlockQuantizedTable t) {
    int kb = t.blocksPerRow();
    double[][] out = new double[t.rows()][t.cols()];
    for (int r = 0; r < t.rows(); r++) {
      for (int c = 0; c < t.cols(); c++) {
        int flat = r * t.cols() + c;
        int nib = (t.data()[flat / 2] >> ((flat % 2) * 4)) & 0xf;
        int blk = c / t.blockSize();
        int zp;
        if (t.symmetric()) {
          nib = nib >= 8 ? nib - 16 : nib;
          zp = 0;
        } else {
          int z = r * kb + blk;
          zp = (t.zeroPoints()[z / 2] >> ((z % 2) * 4)) & 0xf;
        }
        out[r][c] = (double) t.scales()[r * kb + blk] * (nib - zp);
      }
    }
    return out;
  }

  private static ObjectNode write(
      Path out, String name, ModelProto m, byte[] input, long[] inDims, String inType, float[] ref)
      throws Exception {
    ObjectNode e = write(out, name, m, ref);
    addInput(out, e, inType.equals("int64") ? "ids" : "x", inType, inDims, input);
    return e;
  }

  /** Writes the model and the reference; the inputs are added with {@link #addInput}. */
  private static ObjectNode write(Path out, String name, ModelProto m, float[] ref)
      throws Exception {
    Files.write(out.resolve(name + ".onnx"), m.toByteArray());
    Files.write(out.resolve(name + ".ref.bin"), floats(ref));
    ObjectNode e = Json.MAPPER.createObjectNode();
    e.put("name", name);
    e.putArray("inputs");
    return e;
  }

  /** Adds input {@code input} ({@code <case>.<input>.bin}, little-endian) to case {@code e}. */
  private static void addInput(
      Path out, ObjectNode e, String input, String type, long[] dims, byte[] data)
      throws Exception {
    String file = e.get("name").asText() + "." + input + ".bin";
    Files.write(out.resolve(file), data);
    ObjectNode i = ((ArrayNode) e.get("inputs")).addObject();
    i.put("name", input);
    i.put("type", type);
    i.set("dims", Json.MAPPER.valueToTree(dims));
    i.put("file", file);
  }

  private static ModelProto model(GraphProto g) {
    return ModelProto.newBuilder()
        .setIrVersion(10)
        .setProducerName("edge-llm kernel check")
        .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(21))
        .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("com.microsoft").setVersion(1))
        .setGraph(g)
        .build();
  }

  private static OrtSession.SessionOptions opts() throws Exception {
    OrtSession.SessionOptions o = new OrtSession.SessionOptions();
    o.setIntraOpNumThreads(1);
    return o;
  }

  private static float[] gaussian(Random rnd, int count, double std) {
    float[] v = new float[count];
    for (int i = 0; i < count; i++) {
      v[i] = (float) (rnd.nextGaussian() * std);
    }
    return v;
  }

  private static float[] flat(float[][] a) {
    int cols = a[0].length;
    float[] out = new float[a.length * cols];
    for (int i = 0; i < a.length; i++) {
      System.arraycopy(a[i], 0, out, i * cols, cols);
    }
    return out;
  }

  private static byte[] floats(float[] v) {
    ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(v);
    return b.array();
  }

  private static ValueInfoProto value(String name, int type, long... dims) {
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
