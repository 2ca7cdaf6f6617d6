package dev.edgellm.maven;

/**
 * Every user property of the Edge-LLM goals, in one place. Each constant is the name users pass with
 * {@code -D} on the command line or set in a pom's {@code <properties>}; all share the {@code edgellm.}
 * prefix. The mojos reference these names in their {@code @Parameter(property = ...)} annotations.
 */
public final class Properties {
  private Properties() {}

  /** Prefix shared by every property. */
  public static final String PREFIX = "edgellm.";

  // ---- quantize --------------------------------------------------------------------------------
  /** The ONNX model to quantize (one file, or {@code model.onnx} with external data beside it). */
  public static final String QUANTIZE_INPUT = "edgellm.quantize.input";
  /** Where the 4-bit model is written, as one embedded file. */
  public static final String QUANTIZE_OUTPUT = "edgellm.quantize.output";
  /** Elements per quantization block along K: 16, 32, 64, 128 or 256. */
  public static final String QUANTIZE_BLOCK_SIZE = "edgellm.quantize.blockSize";
  /** Symmetric (signed scale, implicit zero point 8) or asymmetric (explicit zero points). */
  public static final String QUANTIZE_SYMMETRIC = "edgellm.quantize.symmetric";
  /** MatMulNBits {@code accuracy_level} (0 = unset, 1 = fp32, 2 = fp16, 3 = bf16, 4 = int8). */
  public static final String QUANTIZE_ACCURACY_LEVEL = "edgellm.quantize.accuracyLevel";
  /** Comma-separated node names left unquantized. */
  public static final String QUANTIZE_EXCLUDE_NODES = "edgellm.quantize.excludeNodes";
  /** Also quantize Gather tables (embeddings) to GatherBlockQuantized. */
  public static final String QUANTIZE_EMBEDDINGS = "edgellm.quantize.embeddings";
  /** Skip the quantize goal. */
  public static final String QUANTIZE_SKIP = "edgellm.quantize.skip";
}
