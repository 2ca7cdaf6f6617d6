package dev.edgellm.export;

import dev.edgellm.quantize.Keep;
import dev.edgellm.quantize.QuantizeMethod;
import java.nio.file.Path;
import java.util.Objects;

/**
 * What to export.
 *
 * @param checkpoint the Hugging Face checkpoint folder (config.json + safetensors)
 * @param output the folder that receives {@code model.onnx} (and {@code model.onnx_data} when
 *     large)
 * @param precision fp32 or q4
 * @param embeddings how a q4 export stores the token embedding
 * @param adapter a fine-tuning adapter folder (PEFT or mlx_lm) merged into the checkpoint's weights
 *     while they stream, or null
 * @param method how a q4 export chooses each block's scale
 * @param keep which weights a q4 export keeps at 8 bits
 */
public record ExportRequest(
    Path checkpoint,
    Path output,
    Precision precision,
    Embeddings embeddings,
    Path adapter,
    QuantizeMethod method,
    Keep keep) {
  public ExportRequest {
    Objects.requireNonNull(checkpoint, "checkpoint");
    Objects.requireNonNull(output, "output");
    Objects.requireNonNull(precision, "precision");
    Objects.requireNonNull(embeddings, "embeddings");
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(keep, "keep");
  }

  /**
   * A request with {@code adapter} (or null), the default method ({@link QuantizeMethod#DEFAULT})
   * and {@link Keep#AUTO}.
   */
  public ExportRequest(
      Path checkpoint, Path output, Precision precision, Embeddings embeddings, Path adapter) {
    this(checkpoint, output, precision, embeddings, adapter, QuantizeMethod.DEFAULT, Keep.AUTO);
  }

  /** A request without an adapter, with the default method. */
  public ExportRequest(Path checkpoint, Path output, Precision precision, Embeddings embeddings) {
    this(checkpoint, output, precision, embeddings, (Path) null);
  }

  /** The same request with {@code adapter} merged (null: none). */
  public ExportRequest withAdapter(Path adapter) {
    return new ExportRequest(checkpoint, output, precision, embeddings, adapter, method, keep);
  }

  /** The same request with {@code method} choosing each 4-bit block's scale. */
  public ExportRequest withMethod(QuantizeMethod method) {
    return new ExportRequest(checkpoint, output, precision, embeddings, adapter, method, keep);
  }

  /** The same request with {@code keep} choosing the weights kept at 8 bits. */
  public ExportRequest withKeep(Keep keep) {
    return new ExportRequest(checkpoint, output, precision, embeddings, adapter, method, keep);
  }

  /** An fp32 export. */
  public static ExportRequest fp32(Path checkpoint, Path output) {
    return new ExportRequest(checkpoint, output, Precision.FP32, Embeddings.FP32);
  }
}
