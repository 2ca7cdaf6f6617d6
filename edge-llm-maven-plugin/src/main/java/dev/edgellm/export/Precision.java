package dev.edgellm.export;

import dev.edgellm.maven.Properties;
import java.util.Locale;

/** Weight precision of the exported model. */
public enum Precision {
  /** float32 weights (MatMul, Gather). */
  FP32,
  /** 4-bit block-quantized projections (MatMulNBits), written directly from the checkpoint. */
  Q4,
  /**
   * As {@link #Q4} with float16 activations, KV cache, scales and logits (Transformers.js dtype
   * {@code q4f16}, for WebGPU adapters with {@code shader-f16}); the architecture decides what
   * stays float32 ({@link dev.edgellm.graph.Fp16Policy}).
   */
  Q4F16;

  /** Parses {@code fp32}, {@code q4} or {@code q4f16} (case-insensitive). */
  public static Precision parse(String s) {
    try {
      return valueOf(s.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new ExportException(
          Properties.EXPORT_PRECISION + " is '" + s + "'; use fp32, q4 or q4f16");
    }
  }
}
