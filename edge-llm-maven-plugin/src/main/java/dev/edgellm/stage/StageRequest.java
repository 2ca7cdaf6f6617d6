package dev.edgellm.stage;

import java.nio.file.Path;
import java.util.Objects;

/**
 * What to stage: the checkpoint folder (config.json and tokenizer files), the ONNX model, the folder
 * the web app loads from ({@code public/models/<name>}) and the layout.
 */
public record StageRequest(Path checkpoint, Path model, Path directory, Layout layout) {
  public StageRequest {
    Objects.requireNonNull(checkpoint, "checkpoint");
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(directory, "directory");
    Objects.requireNonNull(layout, "layout");
  }
}
