package dev.edgellm.quantize;

import dev.edgellm.util.UserErrorException;
import java.util.Locale;

/**
 * How each 4-bit block's scale (and zero point) is chosen. Both write the same format (MatMulNBits
 * 4-bit, GatherBlockQuantized), read by the same kernels.
 */
public enum QuantizeMethod {
  /**
   * Round to nearest from the block's extreme, bit-exact with onnxruntime 1.30's {@code
   * MatMulNBitsQuantizer} ({@link BlockQuantizer}). The default.
   */
  RTN,
  /**
   * A per-block search of the scale (and zero point) for the least weighted squared reconstruction
   * error ({@link ScaleSearch}); no calibration data. Opt-in: it lowers the KL divergence to fp32
   * by 8-15% but costs about 4 times rtn's time per weight and has not yet met issue 13's targets.
   */
  SEARCH;

  /** The default method. */
  public static final QuantizeMethod DEFAULT = RTN;

  /** Parses {@code rtn} or {@code search} (case-insensitive). */
  public static QuantizeMethod parse(String s) {
    try {
      return valueOf(s.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new UserErrorException(
          "edgellm.quantize.method is '" + s + "'; use search (the default) or rtn");
    }
  }

  /** The name users write: {@code rtn} or {@code search}. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Quantizes a MatMul B given as {@code [N, K]} (a Hugging Face Linear weight). */
  public MatMulNBitsWeight quantizeNxK(
      WeightSource w, int blockSize, boolean symmetric, boolean parallel) {
    return this == RTN
        ? BlockQuantizer.quantizeNxK(w, blockSize, symmetric, parallel)
        : ScaleSearch.quantizeNxK(w, blockSize, symmetric, parallel);
  }

  /** Quantizes a MatMul B given as ONNX stores it, {@code [K, N]}. */
  public MatMulNBitsWeight quantizeKxN(
      WeightSource b, int blockSize, boolean symmetric, boolean parallel) {
    return this == RTN
        ? BlockQuantizer.quantizeKxN(b, blockSize, symmetric, parallel)
        : ScaleSearch.quantizeKxN(b, blockSize, symmetric, parallel);
  }

  /** Quantizes a Gather table {@code [rows, cols]} in blocks along the columns. */
  public GatherBlockQuantizedTable quantizeTable(
      WeightSource table, int blockSize, boolean symmetric, boolean parallel) {
    return this == RTN
        ? BlockQuantizer.quantizeTable(table, blockSize, symmetric, parallel)
        : ScaleSearch.quantizeTable(table, blockSize, symmetric, parallel);
  }
}
