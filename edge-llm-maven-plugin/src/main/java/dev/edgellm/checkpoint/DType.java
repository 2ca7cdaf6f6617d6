package dev.edgellm.checkpoint;

import java.util.Locale;

/** The element types a safetensors header may name, with their size in bytes. */
public enum DType {
  F64(8),
  F32(4),
  F16(2),
  BF16(2),
  I64(8),
  I32(4),
  I16(2),
  I8(1),
  U64(8),
  U32(4),
  U16(2),
  U8(1),
  BOOL(1),
  F8_E4M3(1),
  F8_E5M2(1);

  private final int bytes;

  DType(int bytes) {
    this.bytes = bytes;
  }

  /** Size of one element in bytes. */
  public int bytes() {
    return bytes;
  }

  /** Whether weights of this type can be exported (converted to float32 exactly). */
  public boolean isExportableFloat() {
    return this == F32 || this == F16 || this == BF16;
  }

  /** Parses a safetensors dtype string; returns null when unknown. */
  public static DType parse(String s) {
    try {
      return valueOf(s.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
