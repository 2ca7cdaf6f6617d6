package dev.edgellm.validate;

import dev.edgellm.maven.Properties;
import java.nio.file.Files;

/**
 * {@code model.size}: the model is one file under protobuf's 2 GiB limit (larger files do not load
 * in the browser).
 */
final class ModelSizeCheck implements Check {
  @Override
  public String id() {
    return "model.size";
  }

  @Override
  public String title() {
    return "Model is under protobuf's 2 GiB limit";
  }

  @Override
  public void run(ValidationContext ctx, Findings out) throws Exception {
    String file = ctx.modelFile();
    long size = Files.size(ctx.file(file));
    out.detail("bytes", size);
    out.detail("megabytes", Math.round(size / 1048576.0));
    // the declared external data chunks count towards the download (model.external-data checks
    // them one by one)
    long total = size;
    String base =
        dev.edgellm.onnx.ExternalDataWriter.dataBaseName(file.substring(file.lastIndexOf('/') + 1));
    String folder = file.substring(0, file.lastIndexOf('/') + 1);
    int chunks = Math.min(ctx.declaredChunks(), dev.edgellm.onnx.ExternalDataWriter.MAX_CHUNKS);
    for (int i = 0; i < chunks; i++) {
      java.nio.file.Path c =
          ctx.file(folder + dev.edgellm.onnx.ExternalDataWriter.chunkName(base, i));
      if (Files.isRegularFile(c)) {
        total += Files.size(c);
      }
    }
    if (chunks > 0) {
      out.detail("totalBytes", total);
      out.detail("totalMegabytes", Math.round(total / 1048576.0));
    }
    if (size > dev.edgellm.onnx.OnnxModel.PROTOBUF_LIMIT) {
      out.error(
          file,
          file
              + " is "
              + Math.round(size / 1048576.0)
              + " MB, over protobuf's 2 GiB limit: it cannot be parsed"
              + " as one file, and browsers cannot mount external data instead",
          "Quantize it (the quantize goal writes 4-bit weights, about 1/7 of fp32) or pick a smaller checkpoint");
    } else if (total > ctx.request().maxModelBytes()
        && (chunks == 0
            || ctx.request().maxModelBytes() < dev.edgellm.onnx.OnnxModel.PROTOBUF_LIMIT)) {
      out.error(
          file,
          file
              + (chunks > 0 ? " with its external data" : "")
              + " is "
              + total
              + " bytes, over "
              + Properties.MAX_MODEL_BYTES
              + "="
              + ctx.request().maxModelBytes(),
          "Quantize it, pick a smaller checkpoint, or raise " + Properties.MAX_MODEL_BYTES);
    } else if (total > 1536L << 20) {
      out.warn(
          file,
          file
              + (chunks > 0 ? " with its external data" : "")
              + " is "
              + Math.round(total / 1048576.0)
              + " MB: a download this size is slow and may not fit a tab's memory",
          "Quantize it, or pick a smaller checkpoint");
    }
  }
}
