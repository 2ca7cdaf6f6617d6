package dev.edgellm.export;

import java.nio.file.Path;
import java.util.List;

/**
 * What an export wrote.
 *
 * @param files the files written (model.onnx first)
 * @param bytes their total size
 * @param modelType the checkpoint's model_type
 * @param tensors number of weight tensors written
 */
public record ExportResult(List<Path> files, long bytes, String modelType, int tensors) {
  /** The model file. */
  public Path model() {
    return files.get(0);
  }
}
