package dev.edgellm.export;

import dev.edgellm.maven.Properties;
import java.util.Locale;

/** Weight precision of the exported model. */
public enum Precision {
  /** float32 weights (MatMul, Gather). */
  FP32,
  /** 4-bit block-quantized projections (MatMulNBits), written directly from the checkpoint. */
  Q4;

  /** Parses {@code fp32} or {@code q4} (case-insensitive). */
  public static Precision parse(String s) {
    try {
      return valueOf(s.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new ExportException(Properties.EXPORT_PRECISION + " is '" + s + "'; use fp32 or q4");
    }
  }
}
