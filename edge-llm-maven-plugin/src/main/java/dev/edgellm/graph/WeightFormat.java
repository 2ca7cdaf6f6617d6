package dev.edgellm.graph;

import dev.edgellm.checkpoint.TensorInfo;

/**
 * How the large weights go into the graph: float32 MatMul/Gather, or 4-bit MatMulNBits/
 * GatherBlockQuantized. The decoder builder asks for projections and lookups; the format adds the
 * nodes and (lazy) initializers.
 */
public interface WeightFormat {

  /**
   * Adds {@code y = x · Wᵀ + b} for a checkpoint weight {@code W} stored as [N, K] (Hugging Face
   * layout).
   *
   * @param bias the [N] bias, or null
   * @return the output's name
   */
  String linear(GraphBuilder g, String nodeName, String x, TensorInfo w, TensorInfo bias);

  /**
   * Adds the token-embedding lookup of {@code ids} in {@code table} [vocab, hidden]; returns [b, s,
   * hidden]. {@code tied}: the lm_head will be this same table.
   */
  String embedding(GraphBuilder g, String nodeName, String ids, TensorInfo table, boolean tied);

  /**
   * Adds the language-model head (logits = x · Wᵀ), {@code w} [vocab, hidden]; {@code tied} when it
   * is the embedding table itself; the node's output is named {@code output}.
   */
  String lmHead(
      GraphBuilder g, String nodeName, String x, TensorInfo w, boolean tied, String output);

  /**
   * Weights that go after all others, in this order (the quantizer appends its 4-bit initializers
   * after the model's own, in node order; a q4 export does the same to write identical bytes).
   */
  default java.util.List<LazyTensor> trailing() {
    return java.util.List.of();
  }
}
