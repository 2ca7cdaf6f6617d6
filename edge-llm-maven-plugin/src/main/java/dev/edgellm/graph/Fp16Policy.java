package dev.edgellm.graph;

/**
 * Which activations of a q4f16 graph stay float32, as an architecture declares it ({@link
 * dev.edgellm.graph.arch.Architecture#fp16Policy()}); {@link HalfPrecision} applies it.
 */
public enum Fp16Policy {
  /** Every activation, the KV cache and the logits in float16 (onnx-community's q4f16 layout). */
  ALL_FP16,
  /**
   * As {@link #ALL_FP16}, but the RMSNorms (their inputs, weights and outputs) in float32, which
   * keeps the residual stream that the fused skip-norms carry float32 too: for models whose hidden
   * states outgrow float16's 65504 (Gemma: onnxruntime issue 26732, garbage from Gemma 3 270M q4f16
   * on WebGPU). Each norm costs a Cast of its input and output.
   */
  FP32_NORMS_AND_RESIDUAL;

  /** How the export log names what stays float32. */
  public String id() {
    return this == ALL_FP16
        ? "the rotary angles"
        : "the rotary angles, the norms and the residual stream";
  }

  /** Whether a node of this op stays float32 under this policy. */
  boolean keepsFp32(String opType) {
    return this == FP32_NORMS_AND_RESIDUAL
        && (opType.equals("SimplifiedLayerNormalization")
            || opType.equals("SkipSimplifiedLayerNormalization"));
  }
}
