package dev.edgellm.stage;

import com.fasterxml.jackson.databind.JsonNode;
import dev.edgellm.util.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds a checkpoint's chat template. Transformers.js reads it only from {@code
 * tokenizer_config.json}; newer checkpoints keep it in {@code chat_template.jinja} (transformers
 * 4.43+) or {@code chat_template.json} (processor-style), which stage inlines.
 */
public final class ChatTemplates {
  private ChatTemplates() {}

  /**
   * What is wrong with a {@code chat_template} value, or {@code null} when it is one Hugging Face
   * accepts: a string, or a non-empty list of {@code {"name": ..., "template": ...}} objects with
   * string values and distinct names (Transformers.js uses the one named {@code default}).
   */
  public static String problem(JsonNode template) {
    if (template.isTextual()) {
      return null;
    }
    if (!template.isArray()) {
      String type = template.getNodeType().toString().toLowerCase(java.util.Locale.ROOT);
      return (type.startsWith("o") ? "is an " : "is a ") + type;
    }
    if (template.isEmpty()) {
      return "is an empty list";
    }
    java.util.Set<String> names = new java.util.HashSet<>();
    for (int i = 0; i < template.size(); i++) {
      JsonNode e = template.get(i);
      if (!e.isObject() || !e.path("name").isTextual() || !e.path("template").isTextual()) {
        return "has entry " + i + " that is not a {\"name\": string, \"template\": string} object";
      }
      if (!names.add(e.get("name").asText())) {
        return "names the template '" + e.get("name").asText() + "' twice";
      }
    }
    return null;
  }

  /** Whether a list of named templates has the {@code default} one Transformers.js takes. */
  public static boolean hasDefault(JsonNode template) {
    for (JsonNode e : template) {
      if ("default".equals(e.path("name").asText(null))) {
        return true;
      }
    }
    return !template.isArray();
  }

  /** Throws naming {@code file} when its {@code chat_template} is not one Hugging Face accepts. */
  static void check(JsonNode template, Path file) throws StageException {
    String problem = problem(template);
    if (problem != null) {
      throw new StageException(
          "chat_template in "
              + file
              + " "
              + problem
              + "; a chat template is a Jinja string, or a list of {\"name\", \"template\"}"
              + " entries (Transformers.js uses \"default\"): fix it, or copy it from the base model");
    }
  }

  /** Where a template was found. */
  public record Found(String source, JsonNode template) {}

  /**
   * The template to inline into tokenizer_config.json, or {@code null} when tokenizer_config.json
   * already has one or the checkpoint has none.
   */
  public static Found toInline(Path checkpoint, JsonNode tokenizerConfig)
      throws IOException, StageException {
    JsonNode existing = tokenizerConfig.get("chat_template");
    if (existing != null && !existing.isNull()) {
      check(existing, checkpoint.resolve("tokenizer_config.json"));
      return null;
    }
    Path jinja = checkpoint.resolve("chat_template.jinja");
    if (Files.isRegularFile(jinja)) {
      String text = Files.readString(jinja, StandardCharsets.UTF_8);
      return new Found("chat_template.jinja", Json.MAPPER.getNodeFactory().textNode(text));
    }
    Path json = checkpoint.resolve("chat_template.json");
    if (Files.isRegularFile(json)) {
      JsonNode node;
      try {
        node = Json.read(json);
      } catch (IOException e) {
        throw new StageException(
            json + " is not valid JSON (" + e.getMessage() + "); fix or delete it", e);
      }
      JsonNode template = node == null ? null : node.get("chat_template");
      if (template == null || template.isNull()) {
        throw new StageException(
            json
                + " has no \"chat_template\" string; fix it, or put the template in chat_template.jinja");
      }
      check(template, json);
      return new Found("chat_template.json", template);
    }
    return null;
  }
}
