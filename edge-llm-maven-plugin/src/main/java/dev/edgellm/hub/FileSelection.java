package dev.edgellm.hub;

import java.util.List;

/**
 * Which files of a repository to fetch: only what export and stage read, never the whole repository
 * (a PyTorch {@code .bin}, GGUF or ONNX copy can be many times the model).
 *
 * @param what what the files make up, for messages ({@code "checkpoint"}, {@code "adapter"})
 * @param required files that must exist
 * @param alternatives groups of which the first existing file is taken; a group where none exists
 *     is an error. A {@code *.safetensors.index.json} taken this way brings the shards its {@code
 *     weight_map} names.
 * @param optional files taken when the repository has them
 */
public record FileSelection(
    String what, List<String> required, List<List<String>> alternatives, List<String> optional) {

  public FileSelection {
    required = List.copyOf(required);
    alternatives = alternatives.stream().map(List::copyOf).toList();
    optional = List.copyOf(optional);
  }

  /** The tokenizer and chat template files stage copies, and the generation settings. */
  private static final List<String> TOKENIZER_FILES =
      List.of(
          "generation_config.json",
          "tokenizer.json",
          "tokenizer_config.json",
          "special_tokens_map.json",
          "chat_template.jinja",
          "chat_template.json");

  /**
   * What export and stage need: {@code config.json}, the weights ({@code model.safetensors}, or
   * {@code model.safetensors.index.json} and its shards), {@code generation_config.json}, the
   * tokenizer files and the chat template files.
   */
  public static final FileSelection CHECKPOINT =
      new FileSelection(
          "checkpoint",
          List.of("config.json"),
          List.of(List.of("model.safetensors", "model.safetensors.index.json")),
          TOKENIZER_FILES);

  /** What stage alone reads: {@code config.json}, generation settings, tokenizer, chat template. */
  public static final FileSelection CONFIG_AND_TOKENIZER =
      new FileSelection("checkpoint", List.of("config.json"), List.of(), TOKENIZER_FILES);

  /**
   * A fine-tuning adapter: {@code adapter_config.json} and {@code adapter_model.safetensors} (PEFT)
   * or {@code adapters.safetensors} (mlx_lm).
   */
  public static final FileSelection ADAPTER =
      new FileSelection(
          "adapter",
          List.of("adapter_config.json"),
          List.of(List.of("adapter_model.safetensors", "adapters.safetensors")),
          List.of());

  /** Whether {@code file} is a safetensors index whose shards come with it. */
  static boolean isIndex(String file) {
    return file.endsWith(".safetensors.index.json");
  }
}
