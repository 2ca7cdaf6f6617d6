package dev.edgellm.hub;

import com.fasterxml.jackson.databind.JsonNode;
import dev.edgellm.util.Json;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

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

  /** The files of {@code selection} that {@code available} holds; missing required ones fail. */
  List<String> select(HubId id, Set<String> available, String where) {
    Set<String> chosen = new LinkedHashSet<>();
    List<String> missing = new ArrayList<>();
    for (String f : required) {
      if (available.contains(f)) {
        chosen.add(f);
      } else {
        missing.add(f);
      }
    }
    for (List<String> group : alternatives) {
      Optional<String> first = group.stream().filter(available::contains).findFirst();
      if (first.isPresent()) {
        chosen.add(first.get());
      } else {
        missing.add(String.join(" or ", group));
      }
    }
    if (!missing.isEmpty()) {
      throw new HubException(
          id
              + " is not a "
              + what
              + " edge-llm can read: "
              + where
              + " has no "
              + String.join(", no ", missing)
              + " (it has: "
              + summary(available)
              + "). Only safetensors checkpoints in the Hugging Face layout are supported;"
              + " pick a repository (or revision) that has them");
    }
    for (String f : optional) {
      if (available.contains(f)) {
        chosen.add(f);
      }
    }
    return List.copyOf(chosen);
  }

  private static String summary(Set<String> files) {
    if (files.isEmpty()) {
      return "no files";
    }
    List<String> list = new ArrayList<>(files);
    return list.size() <= 12
        ? String.join(", ", list)
        : String.join(", ", list.subList(0, 12)) + ", ... " + (list.size() - 12) + " more";
  }

  /** The shard files a safetensors index names, in order, each once. */
  static List<String> shards(Path index, HubId id) throws IOException {
    JsonNode map;
    try {
      map = Json.read(index).path("weight_map");
    } catch (IOException e) {
      throw new HubException(
          index.getFileName() + " of " + id + " is not valid JSON: " + e.getMessage(), e);
    }
    Set<String> shards = new LinkedHashSet<>();
    map.elements().forEachRemaining(v -> shards.add(v.asText()));
    for (String s : shards) {
      if (s.isEmpty() || s.startsWith("/") || s.contains("..") || s.contains("\\")) {
        throw new HubException(
            index.getFileName() + " of " + id + " names an unusable shard '" + s + "'");
      }
    }
    return List.copyOf(shards);
  }

  /** Every file the selection names, alternatives and optional ones included. */
  List<String> names() {
    List<String> names = new ArrayList<>(required);
    alternatives.forEach(names::addAll);
    names.addAll(optional);
    return names;
  }

  /** What of the selection {@code present} lacks, for a message. */
  String missing(Set<String> present) {
    List<String> missing = new ArrayList<>();
    for (String f : required) {
      if (!present.contains(f)) {
        missing.add(f);
      }
    }
    for (List<String> group : alternatives) {
      if (group.stream().noneMatch(present::contains)) {
        missing.add(String.join(" or ", group));
      }
    }
    return String.join(", ", missing);
  }
}
