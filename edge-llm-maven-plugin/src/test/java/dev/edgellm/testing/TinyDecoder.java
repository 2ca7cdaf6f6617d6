package dev.edgellm.testing;

import com.google.protobuf.ByteString;
import dev.edgellm.onnx.proto.AttributeProto;
import dev.edgellm.onnx.proto.GraphProto;
import dev.edgellm.onnx.proto.ModelProto;
import dev.edgellm.onnx.proto.NodeProto;
import dev.edgellm.onnx.proto.OperatorSetIdProto;
import dev.edgellm.onnx.proto.StringStringEntryProto;
import dev.edgellm.onnx.proto.TensorProto;
import dev.edgellm.onnx.proto.TensorShapeProto;
import dev.edgellm.onnx.proto.TypeProto;
import dev.edgellm.onnx.proto.ValueInfoProto;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * Builds a small but real decoder ONNX model with the proto classes, shaped like tiny-llama (3
 * layers, 2 KV heads of 16, hidden 64, vocabulary 512) and wired the way Transformers.js feeds a
 * decoder: single-head-group causal attention over {@code past_key_values.N.*} concatenated with
 * the new keys, {@code present.N.*} out, {@code logits} out. Random weights from a seed. Switches
 * break it in the ways the validate checks must catch.
 */
public final class TinyDecoder {
  public int layers = 3;
  public int kvHeads = 2;
  public int headDim = 16;
  public int hidden = 64;
  public int vocab = 512;
  public long seed = 7;
  public int opset = 17;

  /** Name of the cache's first dim (Transformers.js needs "batch_size"). */
  public String batchDim = "batch_size";

  /** When false, the cache's head dims are symbolic. */
  public boolean numericHeadDims = true;

  /** When false, present.N.key is only the new keys (a cache wired wrong). */
  public boolean concatCache = true;

  /** The LM head as MatMulNBits (4-bit, block 32, symmetric) instead of MatMul. */
  public boolean quantizedHead = false;

  /** An extra, unused node of this ONNX op (e.g. one WebGPU has no kernel for). */
  public String extraOp = null;

  /**
   * When not 0, an input {@code num_logits_to_keep} of this ONNX type (scalar) that the graph
   * ignores: every position's logits come back whatever is fed.
   */
  public int ignoredLogitsToKeepType = 0;

  /** Keep the embedding in an external data file beside the model. */
  public boolean externalEmbedding = false;

  /** Perturbation of the weights relative to the seed's (for quality tests). */
  public double noise = 0;

  /**
   * The LM head leans on the embedding (like tied embeddings), so the model is confident; column c
   * follows embedding row c + headShift: a shifted head predicts other tokens (a "different
   * model").
   */
  public int headShift = 0;

  /** A decoder with some settings changed. */
  public static TinyDecoder with(java.util.function.Consumer<TinyDecoder> change) {
    TinyDecoder d = new TinyDecoder();
    change.accept(d);
    return d;
  }

  private final GraphProto.Builder g = GraphProto.newBuilder().setName("tiny_decoder");
  private int counter;

  public ModelProto build() {
    Random random = new Random(seed);
    Random perturb = new Random(seed * 31 + 1);
    float[] embed = weights(random, perturb, vocab * hidden, 1.0);
    ByteString embedBytes = floats(embed);
    TensorProto.Builder embedTensor =
        TensorProto.newBuilder()
            .setName("embed")
            .setDataType(TensorProto.DataType.FLOAT_VALUE)
            .addDims(vocab)
            .addDims(hidden);
    if (externalEmbedding) {
      embedTensor
          .setDataLocation(TensorProto.DataLocation.EXTERNAL)
          .addExternalData(kv("location", "model.onnx.data"))
          .addExternalData(kv("offset", "0"))
          .addExternalData(kv("length", String.valueOf(embedBytes.size())));
    } else {
      embedTensor.setRawData(embedBytes);
    }
    g.addInitializer(embedTensor);

    g.addInput(
        value("input_ids", TensorProto.DataType.INT64_VALUE, "batch_size", "sequence_length"));
    g.addInput(
        value(
            "attention_mask",
            TensorProto.DataType.INT64_VALUE,
            "batch_size",
            "total_sequence_length"));
    g.addInput(
        value("position_ids", TensorProto.DataType.INT64_VALUE, "batch_size", "sequence_length"));
    if (ignoredLogitsToKeepType != 0) {
      g.addInput(value("num_logits_to_keep", ignoredLogitsToKeepType));
    }
    Object heads = numericHeadDims ? (Object) kvHeads : "num_heads";
    Object dim = numericHeadDims ? (Object) headDim : "head_dim";
    for (int i = 0; i < layers; i++) {
      for (String kind : new String[] {"key", "value"}) {
        g.addInput(
            value(
                "past_key_values." + i + "." + kind,
                TensorProto.DataType.FLOAT_VALUE,
                batchDim,
                heads,
                "past_sequence_length",
                dim));
      }
    }

    constant("shape_heads", new long[] {0, 0, kvHeads, headDim});
    constant("shape_merge", new long[] {0, 0, (long) kvHeads * headDim});
    constantScalar("idx1", 1);
    constantScalar("idx2", 2);
    constantScalar("one", 1);
    constantScalar("zero", 0);
    constantFloat("scale", (float) (1 / Math.sqrt(headDim)));
    constantFloat("f_zero", 0f);
    constantFloat("f_neg", -1e9f);
    constant("axes0", new long[] {0});
    constant("axes1", new long[] {1});

    node("Gather", new String[] {"embed", "input_ids"}, new String[] {"h0"});
    // causal mask from the lengths: key t is visible to query s when t <= past + s
    node("Shape", new String[] {"present.0.key"}, new String[] {"k_shape"});
    node("Gather", new String[] {"k_shape", "idx2"}, new String[] {"total"});
    node("Shape", new String[] {"input_ids"}, new String[] {"ids_shape"});
    node("Gather", new String[] {"ids_shape", "idx1"}, new String[] {"seq"});
    node("Sub", new String[] {"total", "seq"}, new String[] {"past"});
    node("Range", new String[] {"zero", "total", "one"}, new String[] {"key_pos"});
    node("Range", new String[] {"past", "total", "one"}, new String[] {"query_pos"});
    node("Unsqueeze", new String[] {"key_pos", "axes0"}, new String[] {"key_row"});
    node("Unsqueeze", new String[] {"query_pos", "axes1"}, new String[] {"query_col"});
    node("LessOrEqual", new String[] {"key_row", "query_col"}, new String[] {"visible"});
    node("Where", new String[] {"visible", "f_zero", "f_neg"}, new String[] {"mask"});

    String h = "h0";
    int width = kvHeads * headDim;
    for (int i = 0; i < layers; i++) {
      String p = "l" + i + ".";
      for (String w : new String[] {"q", "k", "v"}) {
        g.addInitializer(
            floatTensor(p + "W" + w, weights(random, perturb, hidden * width, 0.1), hidden, width));
        node("MatMul", new String[] {h, p + "W" + w}, new String[] {p + w});
        node("Reshape", new String[] {p + w, "shape_heads"}, new String[] {p + w + "_r"});
        node(
            "Transpose",
            new String[] {p + w + "_r"},
            new String[] {p + w + "_t"},
            ints("perm", 0, 2, 1, 3));
      }
      String presentKey = "present." + i + ".key";
      String presentValue = "present." + i + ".value";
      if (concatCache) {
        node(
            "Concat",
            new String[] {"past_key_values." + i + ".key", p + "k_t"},
            new String[] {presentKey},
            intAttr("axis", 2));
      } else {
        node("Identity", new String[] {p + "k_t"}, new String[] {presentKey});
      }
      if (concatCache) {
        node(
            "Concat",
            new String[] {"past_key_values." + i + ".value", p + "v_t"},
            new String[] {presentValue},
            intAttr("axis", 2));
      } else {
        node("Identity", new String[] {p + "v_t"}, new String[] {presentValue});
      }
      node(
          "Transpose",
          new String[] {presentKey},
          new String[] {p + "kT"},
          ints("perm", 0, 1, 3, 2));
      node("MatMul", new String[] {p + "q_t", p + "kT"}, new String[] {p + "scores"});
      node("Mul", new String[] {p + "scores", "scale"}, new String[] {p + "scaled"});
      node("Add", new String[] {p + "scaled", "mask"}, new String[] {p + "masked"});
      node("Softmax", new String[] {p + "masked"}, new String[] {p + "probs"}, intAttr("axis", -1));
      node("MatMul", new String[] {p + "probs", presentValue}, new String[] {p + "ctx"});
      node(
          "Transpose",
          new String[] {p + "ctx"},
          new String[] {p + "ctx_t"},
          ints("perm", 0, 2, 1, 3));
      node("Reshape", new String[] {p + "ctx_t", "shape_merge"}, new String[] {p + "ctx_m"});
      g.addInitializer(
          floatTensor(p + "Wo", weights(random, perturb, width * hidden, 0.1), width, hidden));
      node("MatMul", new String[] {p + "ctx_m", p + "Wo"}, new String[] {p + "o"});
      node("Add", new String[] {h, p + "o"}, new String[] {p + "h"});
      h = p + "h";
    }
    float[] head = weights(random, perturb, hidden * vocab, 0.2);
    for (int r = 0; r < hidden; r++) {
      for (int c = 0; c < vocab; c++) {
        head[r * vocab + c] += 1.0f * embed[((c + headShift) % vocab) * hidden + r];
      }
    }
    if (quantizedHead) {
      quantizedMatMul(h, head, "logits");
    } else {
      g.addInitializer(floatTensor("lm_head", head, hidden, vocab));
      node("MatMul", new String[] {h, "lm_head"}, new String[] {"logits"});
    }
    if (extraOp != null) {
      constantScalar("extra_a", 7);
      node(extraOp, new String[] {"extra_a", "extra_a"}, new String[] {"extra_out"});
    }

    g.addOutput(
        value("logits", TensorProto.DataType.FLOAT_VALUE, "batch_size", "sequence_length", vocab));
    for (int i = 0; i < layers; i++) {
      for (String kind : new String[] {"key", "value"}) {
        g.addOutput(
            value(
                "present." + i + "." + kind,
                TensorProto.DataType.FLOAT_VALUE,
                batchDim,
                heads,
                "total_sequence_length",
                dim));
      }
    }
    ModelProto.Builder m =
        ModelProto.newBuilder()
            .setIrVersion(8)
            .setProducerName("edge-llm-tests")
            .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset))
            .setGraph(g);
    if (quantizedHead) {
      m.addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("com.microsoft").setVersion(1));
    }
    return m.build();
  }

  /** Writes the model (and the external data file when {@link #externalEmbedding}). */
  public Path write(Path file) throws IOException {
    ModelProto model = build();
    Files.createDirectories(file.toAbsolutePath().getParent());
    try (OutputStream out = Files.newOutputStream(file)) {
      model.writeTo(out);
    }
    if (externalEmbedding) {
      Random random = new Random(seed);
      Random perturb = new Random(seed * 31 + 1);
      Files.write(
          file.resolveSibling("model.onnx.data"),
          floats(weights(random, perturb, vocab * hidden, 1.0)).toByteArray());
    }
    return file;
  }

  // ---- 4-bit head: what onnxruntime's quantizer writes (symmetric, block 32, low nibble = even
  // row) ----

  private void quantizedMatMul(String input, float[] w, String output) {
    int k = hidden;
    int n = vocab;
    int bs = 32;
    int blocks = (k + bs - 1) / bs;
    byte[] packed = new byte[n * blocks * bs / 2];
    float[] scales = new float[n * blocks];
    for (int col = 0; col < n; col++) {
      for (int b = 0; b < blocks; b++) {
        float big = 0;
        for (int r = b * bs; r < Math.min(k, (b + 1) * bs); r++) {
          float v = w[r * n + col];
          if (Math.abs(v) > Math.abs(big)) {
            big = v;
          }
        }
        float scale = -big / 8;
        scales[col * blocks + b] = scale;
        float inv = scale == 0 ? 0 : 1 / scale;
        for (int j = 0; j < bs; j++) {
          int r = b * bs + j;
          int q = 8;
          if (r < k) {
            double x = w[r * n + col] * inv;
            q = (int) Math.max(0, Math.min(15, Math.signum(x) * Math.floor(Math.abs(x) + 0.5) + 8));
          }
          int at = (col * blocks + b) * (bs / 2) + j / 2;
          packed[at] |= (byte) (j % 2 == 0 ? q : q << 4);
        }
      }
    }
    g.addInitializer(
        TensorProto.newBuilder()
            .setName("lm_head_Q4")
            .setDataType(TensorProto.DataType.UINT8_VALUE)
            .addDims(n)
            .addDims(blocks)
            .addDims(bs / 2)
            .setRawData(ByteString.copyFrom(packed)));
    g.addInitializer(floatTensor("lm_head_scales", scales, n, blocks));
    NodeProto.Builder node =
        NodeProto.newBuilder()
            .setOpType("MatMulNBits")
            .setDomain("com.microsoft")
            .setName("lm_head_MatMulNBits")
            .addInput(input)
            .addInput("lm_head_Q4")
            .addInput("lm_head_scales")
            .addOutput(output)
            .addAttribute(intAttr("K", k))
            .addAttribute(intAttr("N", n))
            .addAttribute(intAttr("bits", 4))
            .addAttribute(intAttr("block_size", bs));
    g.addNode(node);
  }

  // ---- helpers ---------------------------------------------------------------------------------

  private float[] weights(Random random, Random perturb, int count, double std) {
    float[] w = new float[count];
    for (int i = 0; i < count; i++) {
      w[i] =
          (float)
              (random.nextGaussian() * std
                  + (noise == 0 ? 0 : perturb.nextGaussian() * std * noise));
    }
    return w;
  }

  private void node(String op, String[] inputs, String[] outputs, AttributeProto... attributes) {
    NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setName(op + "_" + (counter++));
    for (String i : inputs) {
      n.addInput(i);
    }
    for (String o : outputs) {
      n.addOutput(o);
    }
    for (AttributeProto a : attributes) {
      n.addAttribute(a);
    }
    g.addNode(n);
  }

  private void constant(String name, long[] values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    for (long v : values) {
      b.putLong(v);
    }
    g.addInitializer(
        TensorProto.newBuilder()
            .setName(name)
            .setDataType(TensorProto.DataType.INT64_VALUE)
            .addDims(values.length)
            .setRawData(ByteString.copyFrom(b.array())));
  }

  private void constantScalar(String name, long value) {
    ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(value);
    g.addInitializer(
        TensorProto.newBuilder()
            .setName(name)
            .setDataType(TensorProto.DataType.INT64_VALUE)
            .setRawData(ByteString.copyFrom(b.array())));
  }

  private void constantFloat(String name, float value) {
    g.addInitializer(
        TensorProto.newBuilder()
            .setName(name)
            .setDataType(TensorProto.DataType.FLOAT_VALUE)
            .setRawData(floats(new float[] {value})));
  }

  private static TensorProto floatTensor(String name, float[] values, long... dims) {
    TensorProto.Builder t =
        TensorProto.newBuilder()
            .setName(name)
            .setDataType(TensorProto.DataType.FLOAT_VALUE)
            .setRawData(floats(values));
    for (long d : dims) {
      t.addDims(d);
    }
    return t.build();
  }

  private static ByteString floats(float[] values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      b.putFloat(v);
    }
    return ByteString.copyFrom(b.array());
  }

  private static StringStringEntryProto kv(String key, String value) {
    return StringStringEntryProto.newBuilder().setKey(key).setValue(value).build();
  }

  static AttributeProto intAttr(String name, long value) {
    return AttributeProto.newBuilder()
        .setName(name)
        .setType(AttributeProto.AttributeType.INT)
        .setI(value)
        .build();
  }

  private static AttributeProto ints(String name, long... values) {
    AttributeProto.Builder a =
        AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
    for (long v : values) {
      a.addInts(v);
    }
    return a.build();
  }

  private static ValueInfoProto value(String name, int type, Object... dims) {
    TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
    for (Object d : dims) {
      if (d instanceof Integer i) {
        shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(i));
      } else {
        shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimParam((String) d));
      }
    }
    return ValueInfoProto.newBuilder()
        .setName(name)
        .setType(
            TypeProto.newBuilder()
                .setTensorType(TypeProto.Tensor.newBuilder().setElemType(type).setShape(shape)))
        .build();
  }
}
