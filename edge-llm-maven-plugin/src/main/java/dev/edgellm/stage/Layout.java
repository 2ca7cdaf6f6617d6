package dev.edgellm.stage;

import dev.edgellm.maven.Properties;
import java.util.Locale;

/**
 * How the model file is named and which {@code dtype} config.json tells Transformers.js to load.
 *
 * <p>Transformers.js appends a suffix for the dtype to {@code onnx/model}: {@code fp32} loads
 * {@code model.onnx}, {@code q4} loads {@code model_q4.onnx}; a model whose name does not match the
 * dtype fails at session creation.
 */
public enum Layout {
  /**
   * For serving from your own web app: {@code onnx/model.onnx} with {@code dtype: "fp32"}, so the
   * same file loads on WebGPU and on WASM (whose default dtype, q8, would look for {@code
   * model_quantized.onnx}). A 4-bit model loads fine under this name: the dtype only chooses the
   * file name.
   */
  LOCAL,
  /**
   * For publishing to the Hugging Face Hub: a 4-bit model as {@code onnx/model_q4.onnx} with {@code
   * dtype: "q4"}.
   */
  HUB;

  /** Parses {@code local} or {@code hub} (any case). */
  public static Layout parse(String value) throws StageException {
    if (value == null || value.isBlank()) {
      return LOCAL;
    }
    try {
      return valueOf(value.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new StageException(
          "Unknown layout '"
              + value
              + "'; set "
              + Properties.STAGE_LAYOUT
              + " to 'local' (your own web app) or 'hub' (publishing to the Hub)");
    }
  }

  /**
   * The Transformers.js dtype config.json declares for a model that is or is not 4-bit quantized.
   */
  public String dtype(boolean quantized) {
    return this == HUB && quantized ? "q4" : "fp32";
  }

  /** The model's file name under {@code onnx/}. */
  public String modelFileName(boolean quantized) {
    return modelFileNameForDtype(dtype(quantized));
  }

  /**
   * The file Transformers.js 4.x loads for the decoder at a dtype: {@code model} + suffix + {@code
   * .onnx}.
   */
  public static String modelFileNameForDtype(String dtype) {
    String suffix =
        switch (dtype) {
          case "fp32" -> "";
          case "fp16" -> "_fp16";
          case "int8" -> "_int8";
          case "uint8" -> "_uint8";
          case "q8" -> "_quantized";
          case "q4" -> "_q4";
          case "q2" -> "_q2";
          case "q1" -> "_q1";
          case "q4f16" -> "_q4f16";
          case "q2f16" -> "_q2f16";
          case "q1f16" -> "_q1f16";
          case "bnb4" -> "_bnb4";
          default -> null;
        };
    return suffix == null ? null : "model" + suffix + ".onnx";
  }

  /** Lower-case name as users write it. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }
}
