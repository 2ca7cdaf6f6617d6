package dev.edgellm.chat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A model's chat template with the variables Hugging Face passes it: {@code messages}, {@code
 * tools}, {@code add_generation_prompt} and the special tokens of tokenizer_config.json ({@code
 * bos_token}, {@code eos_token}, ...).
 */
public final class ChatTemplate {
  private final JinjaTemplate template;
  private final JinjaTemplate toolTemplate;
  private final Map<String, Object> specialTokens;

  private ChatTemplate(
      JinjaTemplate template, JinjaTemplate toolTemplate, Map<String, Object> specialTokens) {
    this.template = template;
    this.toolTemplate = toolTemplate;
    this.specialTokens = specialTokens;
  }

  /**
   * The template of a model folder: {@code chat_template.jinja} when present, else tokenizer_config
   * .json's {@code chat_template} (a string, or named templates of which {@code default} and {@code
   * tool_use} are used).
   *
   * @throws TemplateException when there is none or it does not parse
   */
  public static ChatTemplate of(Path folder, JsonNode tokenizerConfig) throws IOException {
    return read(folder, tokenizerConfig);
  }

  /**
   * Whether the model in {@code folder} has a chat template at all ({@code chat_template.jinja}, or
   * {@code chat_template} in its tokenizer_config.json): a base model has none.
   */
  public static boolean present(Path folder, JsonNode tokenizerConfig) {
    JsonNode ct = tokenizerConfig.path("chat_template");
    return Files.isRegularFile(folder.resolve("chat_template.jinja"))
        || ct.isTextual()
        || ct.isArray();
  }

  private static ChatTemplate read(Path folder, JsonNode tokenizerConfig) throws IOException {
    Map<String, Object> tokens = new HashMap<>();
    for (String key :
        List.of("bos_token", "eos_token", "unk_token", "pad_token", "sep_token", "cls_token")) {
      JsonNode t = tokenizerConfig.path(key);
      if (t.isTextual()) {
        tokens.put(key, t.asText());
      } else if (t.path("content").isTextual()) {
        tokens.put(key, t.path("content").asText());
      }
    }
    Path jinja = folder.resolve("chat_template.jinja");
    if (Files.isRegularFile(jinja)) {
      JinjaTemplate t = parse(Files.readString(jinja, StandardCharsets.UTF_8), jinja.toString());
      return new ChatTemplate(t, t, tokens);
    }
    JsonNode ct = tokenizerConfig.path("chat_template");
    String where = folder.resolve("tokenizer_config.json") + " (chat_template)";
    if (ct.isTextual()) {
      JinjaTemplate t = parse(ct.asText(), where);
      return new ChatTemplate(t, t, tokens);
    }
    if (ct.isArray()) {
      JinjaTemplate def = null;
      JinjaTemplate tools = null;
      for (JsonNode named : ct) {
        String name = named.path("name").asText();
        if (name.equals("default")) {
          def = parse(named.path("template").asText(), where + " default");
        } else if (name.equals("tool_use")) {
          tools = parse(named.path("template").asText(), where + " tool_use");
        }
      }
      if (def != null || tools != null) {
        return new ChatTemplate(def != null ? def : tools, tools != null ? tools : def, tokens);
      }
    }
    throw new TemplateException(
        "The model has no chat template (neither "
            + jinja
            + " nor chat_template in tokenizer_config.json); add the template the model was"
            + " fine-tuned with");
  }

  /** A template from its source, with these special tokens. */
  public static ChatTemplate of(String source, Map<String, String> specialTokens) {
    JinjaTemplate t = parse(source, "chat template");
    return new ChatTemplate(t, t, new HashMap<>(specialTokens));
  }

  private static JinjaTemplate parse(String source, String where) {
    try {
      return JinjaTemplate.parse(source);
    } catch (TemplateException e) {
      throw new TemplateException(where + ": " + e.getMessage());
    }
  }

  /**
   * Renders a conversation.
   *
   * @param messages chat messages ({@code role}, {@code content}, {@code tool_calls}, ...)
   * @param tools tool declarations in the OpenAI form ({@code {type: function, function: {...}}}),
   *     or {@code null}
   * @param addGenerationPrompt open the assistant's turn at the end
   */
  public String render(List<?> messages, List<?> tools, boolean addGenerationPrompt) {
    Map<String, Object> vars = new HashMap<>(specialTokens);
    vars.put("messages", messages);
    vars.put("tools", tools);
    vars.put("add_generation_prompt", addGenerationPrompt);
    return (tools == null ? template : toolTemplate).render(vars);
  }
}
