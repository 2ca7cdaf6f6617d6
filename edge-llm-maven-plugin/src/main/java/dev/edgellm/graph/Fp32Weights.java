package dev.edgellm.graph;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import dev.edgellm.checkpoint.Checkpoint;
import dev.edgellm.checkpoint.DType;
import dev.edgellm.checkpoint.TensorInfo;
import dev.edgellm.onnx.proto.TensorProto;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Float32 weights: MatMul over a transposed [K, N] copy of each projection, Gather over the [vocab,
 * hidden] table; a tied lm_head gets its own transposed copy (the layout of the reference exports).
 */
public final class Fp32Weights implements WeightFormat {
  private final Checkpoint checkpoint;

  public Fp32Weights(Checkpoint checkpoint) {
    this.checkpoint = checkpoint;
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
  public String embedding(GraphBuilder g, String nodeName, String ids, TensorInfo table) {
    String t = asIs(g, "model.embed_tokens.weight", table);
    return g.op("Gather", nodeName).in(t, ids).attr("axis", 0L).out();
  }

  @Override
  public String lmHead(GraphBuilder g, String nodeName, String x, TensorInfo w, boolean tied, String output) {
    String weight = transposed(g, "lm_head.weight", w);
    return g.op("MatMul", nodeName).in(x, weight).outNamed(output)[0];
  }

  /** A float32 initializer with the tensor's values as stored (zero-copy for F32 checkpoints). */
  String asIs(GraphBuilder g, String name, TensorInfo t) {
    long bytes = t.elements() * 4;
    return g.lazy(name, TensorProto.DataType.FLOAT, t.shape(), bytes, () -> {
      if (t.dtype() == DType.F32) {
        ByteBuffer mapped = checkpoint.map(t);
        checkFinite(mapped, t);
        return UnsafeByteOperations.unsafeWrap(mapped);
      }
      return floatsToBytes(checkpoint.floats(t));
    });
  }

  /** A float32 [K, N] initializer holding the transpose of the [N, K] tensor. */
  String transposed(GraphBuilder g, String name, TensorInfo t) {
    int n = (int) t.shape()[0];
    int k = (int) t.shape()[1];
    return g.lazy(name, TensorProto.DataType.FLOAT, new long[] {k, n}, 4L * n * k, () -> {
      float[] src = checkpoint.floats(t);
      float[] dst = new float[src.length];
      for (int r = 0; r < n; r++) {
        int base = r * k;
        for (int c = 0; c < k; c++) {
          dst[c * n + r] = src[base + c];
        }
      }
      return floatsToBytes(dst);
    });
  }

  private static void checkFinite(ByteBuffer mapped, TensorInfo t) {
    java.nio.FloatBuffer f = mapped.duplicate().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
    float[] chunk = new float[Math.min(f.remaining(), 1 << 16)];
    int base = 0;
    while (f.hasRemaining()) {
      int len = Math.min(chunk.length, f.remaining());
      f.get(chunk, 0, len);
      for (int i = 0; i < len; i++) {
        if (!Float.isFinite(chunk[i])) {
          throw Checkpoint.nonFinite(t, (long) base + i, chunk[i]);
        }
      }
      base += len;
    }
  }

  static ByteString floatsToBytes(float[] v) {
    return UnsafeByteOperations.unsafeWrap(GraphBuilder.floatBytes(v));
  }
}
