package dev.edgellm.export;

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
 * @param method how a q4 export chooses each block's scale
 */
public record ExportRequest(
    Path checkpoint,
    Path output,
    Precision precision,
    Embeddings embeddings,
    QuantizeMethod method) {
  public ExportRequest {
    Objects.requireNonNull(checkpoint, "checkpoint");
    Objects.requireNonNull(output, "output");
    Objects.requireNonNull(precision, "precision");
    Objects.requireNonNull(embeddings, "embeddings");
    Objects.requireNonNull(method, "method");
  }

  /** A request with the default quantization method ({@link QuantizeMethod#DEFAULT}). */
  public ExportRequest(Path checkpoint, Path output, Precision precision, Embeddings embeddings) {
    this(checkpoint, output, precision, embeddings, QuantizeMethod.DEFAULT);
  }

  /** An fp32 export. */
  public static ExportRequest fp32(Path checkpoint, Path output) {
    return new ExportRequest(checkpoint, output, Precision.FP32, Embeddings.FP32);
  }
}
