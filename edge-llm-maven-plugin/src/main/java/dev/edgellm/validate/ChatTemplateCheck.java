package dev.edgellm.validate;

import com.fasterxml.jackson.databind.JsonNode;
import dev.edgellm.stage.ChatTemplates;
import java.nio.file.Files;

/**
 * {@code tokenizer.chat-template}: tokenizer_config.json carries a chat template (Transformers.js
 * reads it only from there); a template left in chat_template.jinja/json is an error, none at all a
 * warning (a base model).
 */
final class ChatTemplateCheck implements Check {
  @Override
  public String id() {
    return "tokenizer.chat-template";
  }

  @Override
  public String title() {
    return "Chat template is in tokenizer_config.json";
  }

  @Override
  public void run(ValidationContext ctx, Findings out) throws SkipCheck {
    JsonNode template = ctx.json("tokenizer_config.json").get("chat_template");
    if (template != null && !template.isNull() && ChatTemplates.problem(template) != null) {
      out.error(
          "tokenizer_config.json",
          "chat_template "
              + ChatTemplates.problem(template)
              + "; Transformers.js needs a Jinja string or a list of {name, template} entries",
          "Copy the chat template from the base model and stage again");
      return;
    }
    if (template != null && template.isTextual() && !template.asText().isBlank()) {
      String text = template.asText();
      out.detail("length", text.length());
      if (!text.contains("{{") && !text.contains("{%")) {
        out.warn(
            "tokenizer_config.json",
            "chat_template contains no Jinja tags; apply_chat_template returns it unchanged",
            "Copy the chat template from the base model");
      }
      return;
    }
    if (template != null && template.isArray()) {
      out.detail("templates", template.size());
      if (!ChatTemplates.hasDefault(template)) {
        out.warn(
            "tokenizer_config.json",
            "chat_template lists named templates but none named 'default', the one"
                + " Transformers.js uses: apply_chat_template needs a chat_template name",
            "Name one template 'default', or pass its name to apply_chat_template");
      }
      return;
    }
    for (String f : new String[] {"chat_template.jinja", "chat_template.json"}) {
      if (Files.isRegularFile(ctx.file(f))) {
        out.error(
            f,
            "The chat template is in "
                + f
                + ", but Transformers.js reads it only from tokenizer_config.json:"
                + " apply_chat_template fails",
            "Stage again: stage inlines the template into tokenizer_config.json");
        return;
      }
    }
    out.warn(
        "tokenizer_config.json",
        "No chat template: a base model; apply_chat_template fails, so prompt it with plain text",
        "Use an instruction-tuned checkpoint for chat, or add a chat_template to tokenizer_config.json");
  }
}
