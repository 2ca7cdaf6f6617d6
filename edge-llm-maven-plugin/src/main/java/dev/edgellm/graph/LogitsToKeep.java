package dev.edgellm.graph;

import dev.edgellm.onnx.proto.TensorProto;

/**
 * The {@code num_logits_to_keep} input Transformers.js 4.x feeds a decoder that declares it (an
 * int64 scalar: {@code 1} in {@code generate()}, so the prefill computes the next token's logits
 * only; {@code 0} in a plain forward call, meaning every position). The final hidden states are
 * sliced to their last {@code num_logits_to_keep} positions before the lm_head, so a prefill of
 * {@code n} tokens does not materialise {@code [n, vocab]} logits. {@code Slice} with start {@code
 * -N} keeps the last N positions; {@code -0} is 0 and keeps all of them, and N beyond the sequence
 * is clamped to it.
 */
final class LogitsToKeep {
  static final String INPUT = "num_logits_to_keep";

  /** The logits' sequence dim: the kept positions, not the input's sequence_length. */
  static final String LOGITS_DIM = "logits_sequence_length";

  private LogitsToKeep() {}

  /** Declares the input and returns {@code hidden} [batch, seq, h] sliced to the kept positions. */
  static String slice(GraphBuilder g, String hidden) {
    g.input(INPUT, TensorProto.DataType.INT64);
    String n = "/model/logits_to_keep";
    String neg = g.op("Neg", n + "/Neg").in(INPUT).out();
    String zero = g.int64(n + "/axes0", false, 0);
    String starts = g.op("Unsqueeze", n + "/Unsqueeze").in(neg, zero).out();
    String ends = g.int64(n + "/ends", false, Long.MAX_VALUE);
    String axes = g.int64(n + "/axes", false, 1);
    return g.op("Slice", n + "/Slice").in(hidden, starts, ends, axes).out();
  }
}
