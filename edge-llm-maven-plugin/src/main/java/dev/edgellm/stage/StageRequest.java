package dev.edgellm.stage;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * What to stage: the checkpoint folder (config.json, generation_config.json and, unless {@code
 * tokenizer} is set, the tokenizer files), the ONNX model, the folder the web app loads from
 * ({@code public/models/<name>}), the layout, and optionally another folder to take the tokenizer
 * files from ({@code tokenizer.json}, {@code tokenizer_config.json}, {@code chat_template.*}: e.g.
 * the base model's, when a fine-tuning tool wrote only the weights), and the adapter folder the
 * export merged (recorded with its SHA-256 in {@code edge-llm.json}), or null; and the dtype
 * variants to stage side by side ({@code edgellm.stage.variants}, e.g. {@code [q4f16, q4]}; empty:
 * the model alone, named by the layout).
 */
public record StageRequest(
    Path checkpoint,
    Path model,
    Path directory,
    Layout layout,
    Path tokenizer,
    Path adapter,
    List<String> variants) {
  public StageRequest {
    Objects.requireNonNull(checkpoint, "checkpoint");
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(directory, "directory");
    Objects.requireNonNull(layout, "layout");
    variants = variants == null ? List.of() : List.copyOf(variants);
  }

  /** A request with the model alone (no variants). */
  public StageRequest(
      Path checkpoint, Path model, Path directory, Layout layout, Path tokenizer, Path adapter) {
    this(checkpoint, model, directory, layout, tokenizer, adapter, List.of());
  }

  /** The same request staging {@code variants} (e.g. {@code [q4f16, q4]}) side by side. */
  public StageRequest withVariants(List<String> variants) {
    return new StageRequest(checkpoint, model, directory, layout, tokenizer, adapter, variants);
  }

  /** A request without an adapter. */
  public StageRequest(Path checkpoint, Path model, Path directory, Layout layout, Path tokenizer) {
    this(checkpoint, model, directory, layout, tokenizer, null);
  }

  /** The same request recording {@code adapter} (null: none). */
  public StageRequest withAdapter(Path adapter) {
    return new StageRequest(checkpoint, model, directory, layout, tokenizer, adapter, variants);
  }

  /** A request that takes the tokenizer files from the checkpoint folder. */
  public StageRequest(Path checkpoint, Path model, Path directory, Layout layout) {
    this(checkpoint, model, directory, layout, null);
  }

  /**
   * The folder the tokenizer files come from: {@link #tokenizer()} when set, else the checkpoint.
   */
  public Path tokenizerFolder() {
    return tokenizer != null ? tokenizer : checkpoint;
  }
}
