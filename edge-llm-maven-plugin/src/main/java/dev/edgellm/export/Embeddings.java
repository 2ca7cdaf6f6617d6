package dev.edgellm.export;

import dev.edgellm.maven.Properties;
import java.util.Locale;

/** How the token embedding is stored in a q4 export. */
public enum Embeddings {
  /** 4-bit GatherBlockQuantized sharing the tied lm_head's weight (one copy in the file). */
  SHARED,
  /** float32 Gather table, the reference exports' layout. */
  FP32;

  /** Parses {@code shared} or {@code fp32} (case-insensitive). */
  public static Embeddings parse(String s) {
    try {
      return valueOf(s.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new ExportException(
          Properties.EXPORT_EMBEDDINGS + " is '" + s + "'; use shared or fp32");
    }
  }
}
