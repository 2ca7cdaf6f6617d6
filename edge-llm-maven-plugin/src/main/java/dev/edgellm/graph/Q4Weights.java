package dev.edgellm.graph;

import dev.edgellm.checkpoint.Checkpoint;
import dev.edgellm.checkpoint.TensorInfo;
import dev.edgellm.onnx.proto.TensorProto;
import dev.edgellm.quantize.GatherBlockQuantizedTable;
import dev.edgellm.quantize.MatMulNBitsWeight;
import dev.edgellm.quantize.QuantizeMethod;
import dev.edgellm.quantize.QuantizedWeight;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * 4-bit weights written straight from the checkpoint: each projection becomes {@code MatMulNBits}
 * (block 32, symmetric), quantized from the Hugging Face [N, K] tensor while the model is written;
 * no float32 copy is made. Names, node and initializer order are those the quantize stage gives the
 * fp32 export, so {@code export q4} with fp32 embeddings is byte-identical to {@code export fp32}
 * then {@code quantize}.
 *
 * <p>Embeddings: with {@code shareEmbeddings} and tied weights, the token embedding is a {@code
 * GatherBlockQuantized} over the lm_head's 4-bit weight (one copy in the file); untied tables are
 * quantized on their own ({@code quantize} with embeddings). Without it, the table stays float32.
 */
public final class Q4Weights implements WeightFormat {
  public static final int BLOCK_SIZE = 32;

  private final Checkpoint checkpoint;
  private final QuantizeMethod method;
  private final Fp32Weights fp32;
  private final boolean shareEmbeddings;
  private final List<LazyTensor> trailing = new ArrayList<>();
  private boolean sharedLmHead;

  public Q4Weights(Checkpoint checkpoint, Scratch scratch, boolean shareEmbeddings) {
    this(checkpoint, scratch, shareEmbeddings, QuantizeMethod.RTN);
  }

  /** With {@code method} choosing each block's scale. */
  public Q4Weights(
      Checkpoint checkpoint, Scratch scratch, boolean shareEmbeddings, QuantizeMethod method) {
    this.method = method;
    this.checkpoint = checkpoint;
    this.fp32 = new Fp32Weights(checkpoint, scratch);
    this.shareEmbeddings = shareEmbeddings;
  }

  @Override
  public String linear(GraphBuilder g, String nodeName, String x, TensorInfo w, TensorInfo bias) {
    String y =
        matMulNBits(
            g,
            QuantizedWeight.nodeName(nodeName + "/MatMul"),
            x,
            w.name(),
            w,
            nodeName + "/MatMul/output_0");
    if (bias != null) {
      String b = fp32.asIs(g, bias.name(), bias);
      y = g.op("Add", nodeName + "/Add").in(y, b).out();
    }
    return y;
  }

  @Override
  public String embedding(
      GraphBuilder g, String nodeName, String ids, TensorInfo table, boolean tied) {
    String out = nodeName + "/output_0";
    if (!shareEmbeddings) {
      return fp32.embedding(g, nodeName, ids, table, tied);
    }
    int vocab = (int) table.shape()[0];
    int hidden = (int) table.shape()[1];
    if (tied && hidden % BLOCK_SIZE == 0) {
      // the lm_head's [vocab, hidden/2] nibbles, reshaped, looked up row by row
      MatMulNBitsWeight shape =
          new MatMulNBitsWeight(hidden, vocab, BLOCK_SIZE, true, false, null, null, null);
      g.add(shape.gatherReshapeShape("lm_head.weight"));
      shape.gatherReshapeNodes("lm_head.weight").forEach(g::add);
      g.add(shape.gatherNode(QuantizedWeight.nodeName(nodeName), ids, out, "lm_head.weight"));
      sharedLmHead = true;
      return out;
    }
    String name = "model.embed_tokens.weight";
    Memo<GatherBlockQuantizedTable> q =
        new Memo<>(
            () ->
                method.quantizeTable(WeightSources.of(checkpoint, table), BLOCK_SIZE, true, true));
    GatherBlockQuantizedTable shape =
        new GatherBlockQuantizedTable(vocab, hidden, BLOCK_SIZE, true, false, null, null, null);
    int kb = shape.blocksPerRow();
    trailing.add(
        new LazyTensor(
            QuantizedWeight.q4Name(name),
            TensorProto.DataType.INT4_VALUE,
            new long[] {vocab, hidden},
            ((long) vocab * hidden + 1) / 2,
            () -> q.get().initializers(name).get(0).getRawData()));
    trailing.add(
        new LazyTensor(
            QuantizedWeight.scalesName(name),
            TensorProto.DataType.FLOAT_VALUE,
            new long[] {vocab, kb},
            4L * vocab * kb,
            () -> q.release().initializers(name).get(1).getRawData()));
    g.add(shape.node(QuantizedWeight.nodeName(nodeName), ids, out, name, 0));
    return out;
  }

  @Override
  public String lmHead(
      GraphBuilder g, String nodeName, String x, TensorInfo w, boolean tied, String output) {
    return matMulNBits(g, QuantizedWeight.nodeName(nodeName), x, "lm_head.weight", w, output);
  }

  @Override
  public List<LazyTensor> trailing() {
    return trailing;
  }

  /** Whether the embedding reads the lm_head's 4-bit weight. */
  public boolean sharesLmHead() {
    return sharedLmHead;
  }

  private String matMulNBits(
      GraphBuilder g, String nodeName, String x, String name, TensorInfo w, String output) {
    int n = (int) w.shape()[0];
    int k = (int) w.shape()[1];
    MatMulNBitsWeight shape =
        new MatMulNBitsWeight(k, n, BLOCK_SIZE, true, false, null, null, null);
    int kb = shape.blocksPerColumn();
    Memo<MatMulNBitsWeight> q =
        new Memo<>(
            () -> method.quantizeNxK(WeightSources.of(checkpoint, w), BLOCK_SIZE, true, true));
    trailing.add(
        new LazyTensor(
            MatMulNBitsWeight.q4Name(name),
            TensorProto.DataType.UINT8_VALUE,
            new long[] {n, kb, BLOCK_SIZE / 2},
            (long) n * kb * (BLOCK_SIZE / 2),
            () -> q.get().q4Tensor(name).getRawData()));
    trailing.add(
        new LazyTensor(
            MatMulNBitsWeight.scalesName(name),
            TensorProto.DataType.FLOAT_VALUE,
            new long[] {n, kb},
            4L * n * kb,
            () -> q.release().scalesTensor(name).getRawData()));
    g.add(shape.node(nodeName, x, output, name, 0));
    return output;
  }

  /** Computes once for the first of a weight's initializers, forgets after the last. */
  private static final class Memo<T> {
    private final Supplier<T> compute;
    private T value;

    Memo(Supplier<T> compute) {
      this.compute = compute;
    }

    T get() {
      if (value == null) {
        value = compute.get();
      }
      return value;
    }

    T release() {
      T v = get();
      value = null;
      return v;
    }
  }
}
