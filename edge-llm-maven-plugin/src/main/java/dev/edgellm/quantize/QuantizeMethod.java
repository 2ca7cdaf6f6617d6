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
   * MatMulNBitsQuantizer} ({@link BlockQuantizer}): the one to use for output identical to
   * onnxruntime's.
   */
  RTN,
  /**
   * A per-block search of the scale (and zero point) for the least squared reconstruction error
   * ({@link ScaleSearch}); no calibration data. The default: against rtn it lowers the KL
   * divergence to the fp32 model by 8-15% on the trained fixtures (README, "Quantization methods"),
   * in the same format; not bit-exact with any other tool.
   */
  SEARCH;

  /** The default method. */
  public static final QuantizeMethod DEFAULT = SEARCH;

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
