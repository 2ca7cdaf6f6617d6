package dev.edgellm.graph;

import dev.edgellm.checkpoint.Checkpoint;
import dev.edgellm.checkpoint.ModelConfig;
import dev.edgellm.checkpoint.TensorInfo;

/**
 * The decoder's projections, looked up in the checkpoint by their standard names, a part of a
 * {@link DecoderSpec.Fused} tensor as a row-slice view, and added in the weight format.
 */
final class Projections {
  private final Checkpoint ckpt;
  private final ModelConfig c;
  private final DecoderSpec spec;
  private final WeightFormat weights;
  private final GraphBuilder g;

  Projections(Checkpoint ckpt, DecoderSpec spec, WeightFormat weights, GraphBuilder g) {
    this.ckpt = ckpt;
    this.c = ckpt.config();
    this.spec = spec;
    this.weights = weights;
    this.g = g;
  }

  /**
   * A projection of the checkpoint ({@code prefix + part + ".weight"}, [N, K]) with its bias when
   * {@code bias}; a part of a fused tensor is read as a row-slice view of it.
   */
  String linear(String prefix, String node, String x, String part, int in, boolean bias) {
    int rows = rowsOf(part);
    TensorInfo w = null;
    TensorInfo b = null;
    for (DecoderSpec.Fused f : spec.fused()) {
      int at = f.parts().indexOf(part);
      if (at >= 0) {
        int from = 0;
        int all = 0;
        for (int j = 0; j < f.parts().size(); j++) {
          from += j < at ? rowsOf(f.parts().get(j)) : 0;
          all += rowsOf(f.parts().get(j));
        }
        String name = prefix + f.name();
        w =
            ckpt.rows(
                name + ".weight", new long[] {all, in}, prefix + part + ".weight", from, rows);
        if (bias) {
          b = ckpt.rows(name + ".bias", new long[] {all}, prefix + part + ".bias", from, rows);
        }
      }
    }
    if (w == null) {
      w = ckpt.require(prefix + part + ".weight", rows, in);
      b = bias ? ckpt.require(prefix + part + ".bias", rows) : null;
    }
    return weights.linear(g, node, x, w, b);
  }

  /** Output rows of each projection. */
  private int rowsOf(String part) {
    return switch (part) {
      case "self_attn.q_proj" -> c.numHeads() * c.headDim();
      case "self_attn.k_proj", "self_attn.v_proj" -> c.numKvHeads() * c.headDim();
      case "self_attn.o_proj", "mlp.down_proj" -> c.hiddenSize();
      case "mlp.gate_proj", "mlp.up_proj" -> c.intermediateSize();
      default -> throw new IllegalArgumentException("unknown projection " + part);
    };
  }
}
