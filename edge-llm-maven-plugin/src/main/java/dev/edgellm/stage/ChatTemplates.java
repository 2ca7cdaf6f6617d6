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
final class ChatTemplates {
  private ChatTemplates() {}

  /** Where a template was found. */
  record Found(String source, JsonNode template) {}

  /**
   * The template to inline into tokenizer_config.json, or {@code null} when tokenizer_config.json
   * already has one or the checkpoint has none.
   */
  static Found toInline(Path checkpoint, JsonNode tokenizerConfig)
      throws IOException, StageException {
    JsonNode existing = tokenizerConfig.get("chat_template");
    if (existing != null && !existing.isNull()) {
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
      JsonNode template = node.get("chat_template");
      if (template == null || !(template.isTextual() || template.isArray())) {
        throw new StageException(
            json
                + " has no \"chat_template\" string; fix it, or put the template in chat_template.jinja");
      }
      return new Found("chat_template.json", template);
    }
    return null;
  }
}
