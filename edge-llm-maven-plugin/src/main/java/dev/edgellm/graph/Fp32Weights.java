package dev.edgellm.graph;

import com.google.protobuf.UnsafeByteOperations;
import dev.edgellm.checkpoint.Checkpoint;
import dev.edgellm.checkpoint.DType;
import dev.edgellm.checkpoint.DTypes;
import dev.edgellm.checkpoint.TensorInfo;
import dev.edgellm.onnx.proto.TensorProto;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;

/**
 * Float32 weights: MatMul over a transposed [K, N] copy of each projection, Gather over the [vocab,
 * hidden] table; a tied lm_head gets its own transposed copy (the layout of the reference exports).
 * F32 tables are wrapped zero-copy from the memory-mapped checkpoint; converted and transposed
 * copies go to {@link Scratch} space, one tensor at a time.
 */
public final class Fp32Weights implements WeightFormat {
  private static final int ROWS = 64;

  private final Checkpoint checkpoint;
  private final Scratch scratch;

  public Fp32Weights(Checkpoint checkpoint, Scratch scratch) {
    this.checkpoint = checkpoint;
    this.scratch = scratch;
  }

  @Override
  public String linear(GraphBuilder g, String nodeName, String x, TensorInfo w, TensorInfo bias) {
    String weight = transposed(g, w.name(), w);
    String y = g.op("MatMul", nodeName + "/MatMul").in(x, weight).out();
    if (bias != null) {
      String b = asIs(g, bias.name(), bias);
      y = g.op("Add", nodeName + "/Add").in(y, b).out();
    }
    return y;
  }

  @Override
  public String embedding(
      GraphBuilder g, String nodeName, String ids, TensorInfo table, boolean tied) {
    String t = asIs(g, "model.embed_tokens.weight", table);
    return g.op("Gather", nodeName).in(t, ids).attr("axis", 0L).out();
  }

  @Override
  public String lmHead(
      GraphBuilder g, String nodeName, String x, TensorInfo w, boolean tied, String output) {
    String weight = transposed(g, "lm_head.weight", w);
    return g.op("MatMul", nodeName).in(x, weight).outNamed(output)[0];
  }

  /** A float32 initializer with the tensor's values as stored (zero-copy for F32 checkpoints). */
  String asIs(GraphBuilder g, String name, TensorInfo t) {
    long bytes = t.elements() * 4;
    return g.lazy(
        name,
        TensorProto.DataType.FLOAT,
        t.shape(),
        bytes,
        () -> {
          ByteBuffer src = checkpoint.map(t);
          int n = Math.toIntExact(t.elements());
          float[] chunk = new float[Math.min(n, 1 << 16)];
          ByteBuffer dst = t.dtype() == DType.F32 ? null : scratch.allocate(bytes);
          FloatBuffer fd = dst == null ? null : dst.asFloatBuffer();
          for (int from = 0; from < n; from += chunk.length) {
            int len = Math.min(chunk.length, n - from);
            DTypes.read(src, t.dtype(), from, chunk, 0, len);
            Checkpoint.checkFinite(t, chunk, len, from);
            if (fd != null) {
              fd.put(from, chunk, 0, len);
            }
          }
          return UnsafeByteOperations.unsafeWrap(dst == null ? src : dst);
        });
  }

  /** A float32 [K, N] initializer holding the transpose of the [N, K] tensor. */
  String transposed(GraphBuilder g, String name, TensorInfo t) {
    int n = (int) t.shape()[0];
    int k = (int) t.shape()[1];
    long bytes = 4L * n * k;
    return g.lazy(
        name,
        TensorProto.DataType.FLOAT,
        new long[] {k, n},
        bytes,
        () -> {
          ByteBuffer src = checkpoint.map(t);
          ByteBuffer dst = scratch.allocate(bytes);
          FloatBuffer fd = dst.asFloatBuffer();
          float[] block = new float[ROWS * k];
          float[] column = new float[ROWS];
          for (int r0 = 0; r0 < n; r0 += ROWS) {
            int rows = Math.min(ROWS, n - r0);
            DTypes.read(src, t.dtype(), r0 * k, block, 0, rows * k);
            Checkpoint.checkFinite(t, block, rows * k, (long) r0 * k);
            for (int c = 0; c < k; c++) {
              for (int r = 0; r < rows; r++) {
                column[r] = block[r * k + c];
              }
              fd.put(c * n + r0, column, 0, rows);
            }
          }
          return UnsafeByteOperations.unsafeWrap(dst);
        });
  }
}
