package dev.edgellm.validate;

import dev.edgellm.onnx.ExternalDataWriter;
import java.util.List;
import java.util.Locale;

/**
 * {@code model.embedded}: every weight reaches the browser: it is inside the model file, or in
 * external data chunks config.json declares ({@code use_external_data_format}, checked in detail by
 * {@code model.external-data}); no other external data file lies beside it (browsers cannot mount
 * files Transformers.js does not fetch).
 */
final class ModelEmbeddedCheck implements Check {
  @Override
  public String id() {
    return "model.embedded";
  }

  @Override
  public String title() {
    return "Model weights are embedded or in declared external data";
  }

  @Override
  public void run(ValidationContext ctx, Findings out) throws SkipCheck {
    String file = ctx.modelFile();
    String base = ExternalDataWriter.dataBaseName(file.substring(file.lastIndexOf('/') + 1));
    int declared = ctx.declaredChunks();
    for (String f : ctx.listOnnxFolder()) {
      if (!f.endsWith(".onnx")) {
        String name = f.substring(f.lastIndexOf('/') + 1);
        int index = ExternalDataWriter.chunkIndex(name, base);
        if (index >= 0) {
          continue; // a chunk of the model: model.external-data checks it
        }
        String lower = f.toLowerCase(Locale.ROOT);
        if (lower.endsWith("data") || lower.contains(".onnx.") || lower.contains(".onnx_")) {
          out.error(
              f,
              f
                  + " looks like an external data file Transformers.js never fetches: the browser"
                  + " cannot mount it, so weights in it never load",
              "Stage the model again (stage writes the chunks Transformers.js fetches) and delete "
                  + f);
        }
      }
    }
    List<java.nio.file.Path> external = ctx.externalFiles();
    long bytes = ctx.externalDataBytes();
    out.detail("externalDataBytes", bytes);
    out.detail("declaredChunks", declared);
    if (!external.isEmpty() && declared == 0) {
      List<String> names = external.stream().map(p -> p.getFileName().toString()).toList();
      out.error(
          file,
          file
              + " keeps "
              + bytes
              + " bytes of weights in external data ("
              + String.join(", ", names)
              + ") but config.json declares no transformers.js_config.use_external_data_format"
              + " for it: the browser cannot mount external data files it is not told to fetch",
          "Stage the model again (stage copies the chunks and declares them), or write it as one"
              + " embedded file under 2 GiB");
    }
  }
}
