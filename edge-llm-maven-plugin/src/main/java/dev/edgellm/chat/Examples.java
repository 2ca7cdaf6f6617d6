package dev.edgellm.chat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.edgellm.util.Json;
import dev.edgellm.util.UserErrorException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the examples a team fine-tuned on: Edge-LLM's fine-tuning format (a JSON array of {@code
 * {userQuery, expectedToolCalls: [{name, arguments}], toolResponses: {name: response},
 * expectedFinalResponse}}, with the tools from Edge-LLM's tool-definitions file) or JSONL of chat
 * {@code messages} (+ optional {@code tools}) whose last assistant message is the expected reply.
 */
public final class Examples {
  private Examples() {}

  /**
   * How tool responses go into the conversation: FunctionGemma's template takes the response object
   * itself, the JSON-in-text templates (Hermes, Qwen, Llama) a JSON string.
   */
  public enum ToolContent {
    OBJECT,
    JSON_TEXT
  }

  /**
   * @param file the examples
   * @param toolsFile Edge-LLM tool definitions ({@code [{name, description, parameters}]}), or
   *     {@code null} (JSONL lines may carry their own {@code tools})
   */
  public static List<Example> read(Path file, Path toolsFile, ToolContent toolContent)
      throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new UserErrorException(
          "The examples file " + file + " does not exist; fix edgellm.validate.examples");
    }
    List<Object> tools = null;
    if (toolsFile != null) {
      if (!Files.isRegularFile(toolsFile)) {
        throw new UserErrorException(
            "The tool definitions " + toolsFile + " do not exist; fix edgellm.validate.tools");
      }
      tools = tools(Json.read(toolsFile), toolsFile.toString());
    }
    String text = Files.readString(file, StandardCharsets.UTF_8).strip();
    if (text.startsWith("[")) {
      JsonNode array = Json.MAPPER.readTree(text);
      List<Example> out = new ArrayList<>();
      for (int i = 0; i < array.size(); i++) {
        out.add(edgeLlm(array.get(i), file.getFileName() + " #" + (i + 1), tools, toolContent));
      }
      return out;
    }
    List<Example> out = new ArrayList<>();
    String[] lines = text.split("\r?\n");
    for (int i = 0; i < lines.length; i++) {
      if (lines[i].isBlank()) {
        continue;
      }
      JsonNode line;
      try {
        line = Json.MAPPER.readTree(lines[i]);
      } catch (IOException e) {
        throw new UserErrorException(
            file
                + " line "
                + (i + 1)
                + " is not JSON: "
                + e.getMessage().lines().findFirst().orElse(""));
      }
      out.add(chat(line, file.getFileName() + " line " + (i + 1), tools));
    }
    return out;
  }

  /** Edge-LLM tool definitions (or OpenAI-style ones) as the template's {@code tools}. */
  public static List<Object> tools(JsonNode definitions, String where) {
    if (!definitions.isArray()) {
      throw new UserErrorException(where + " is not a JSON array of tool definitions");
    }
    List<Object> tools = new ArrayList<>();
    for (JsonNode d : definitions) {
      if (d.has("function")) {
        tools.add(Py.fromJson(d));
        continue;
      }
      if (!d.path("name").isTextual()) {
        throw new UserErrorException(where + ": a tool definition has no \"name\": " + d);
      }
      Map<Object, Object> tool = new LinkedHashMap<>();
      tool.put("type", "function");
      tool.put("function", Py.fromJson(d));
      tools.add(tool);
    }
    return tools;
  }

  private static Example edgeLlm(
      JsonNode e, String id, List<Object> tools, ToolContent toolContent) {
    if (!e.path("userQuery").isTextual()) {
      throw new UserErrorException(
          id
              + " has no \"userQuery\"; an example is {userQuery, expectedToolCalls, toolResponses,"
              + " expectedFinalResponse} (or use JSONL of chat messages)");
    }
    String query = e.get("userQuery").asText();
    List<ToolCall> calls = new ArrayList<>();
    for (JsonNode c : e.path("expectedToolCalls")) {
      calls.add(call(c, id));
    }
    List<Object> messages = new ArrayList<>();
    messages.add(message("user", query));
    List<Example.Turn> turns = new ArrayList<>();
    String finalText =
        e.path("expectedFinalResponse").isTextual()
            ? e.get("expectedFinalResponse").asText()
            : null;
    if (!calls.isEmpty()) {
      turns.add(new Example.Turn(List.copyOf(messages), calls, null));
      messages.add(assistantCalls(calls));
      JsonNode responses = e.path("toolResponses");
      for (ToolCall c : calls) {
        Object response = Py.fromJson(responses.get(c.name()));
        Map<Object, Object> tool = new LinkedHashMap<>();
        tool.put("role", "tool");
        tool.put("name", c.name());
        tool.put(
            "content",
            toolContent == ToolContent.OBJECT
                ? response
                : Py.json(response, false, null, ", ", ": ", false));
        messages.add(tool);
      }
    }
    if (finalText != null) {
      turns.add(new Example.Turn(List.copyOf(messages), List.of(), finalText));
    }
    if (turns.isEmpty()) {
      throw new UserErrorException(
          id + " expects neither tool calls nor a final response: nothing to check");
    }
    return new Example(id, query, tools, turns);
  }

  private static Example chat(JsonNode line, String id, List<Object> fileTools) {
    JsonNode messages = line.path("messages");
    if (!messages.isArray() || messages.isEmpty()) {
      throw new UserErrorException(id + " has no \"messages\" array");
    }
    int last = messages.size() - 1;
    while (last >= 0 && !"assistant".equals(messages.get(last).path("role").asText())) {
      last--;
    }
    if (last < 1) {
      throw new UserErrorException(
          id + " has no assistant message after the prompt: the last one is the expected reply");
    }
    List<Object> before = new ArrayList<>();
    String query = "";
    for (int i = 0; i < last; i++) {
      before.add(Py.fromJson(messages.get(i)));
      if ("user".equals(messages.get(i).path("role").asText())) {
        query = messages.get(i).path("content").asText();
      }
    }
    JsonNode reply = messages.get(last);
    List<ToolCall> calls = new ArrayList<>();
    for (JsonNode c : reply.path("tool_calls")) {
      calls.add(call(c.has("function") ? c.get("function") : c, id));
    }
    List<Object> tools = line.has("tools") ? tools(line.get("tools"), id) : fileTools;
    Example.Turn turn =
        new Example.Turn(before, calls, calls.isEmpty() ? reply.path("content").asText("") : null);
    return new Example(id, query, tools, List.of(turn));
  }

  private static ToolCall call(JsonNode c, String id) {
    if (!c.path("name").isTextual()) {
      throw new UserErrorException(id + ": an expected tool call has no \"name\": " + c);
    }
    JsonNode args = c.path("arguments");
    if (args.isTextual()) {
      try {
        args = Json.MAPPER.readTree(args.asText());
      } catch (IOException e) {
        throw new UserErrorException(id + ": the arguments of " + c.get("name") + " are not JSON");
      }
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> map =
        args.isObject() ? (Map<String, Object>) (Map<?, ?>) Py.fromJson(args) : Map.of();
    return new ToolCall(c.get("name").asText(), map);
  }

  /** The assistant's message that makes these calls. */
  public static Map<Object, Object> assistantCalls(List<ToolCall> calls) {
    List<Object> list = new ArrayList<>();
    for (ToolCall c : calls) {
      Map<Object, Object> function = new LinkedHashMap<>();
      function.put("name", c.name());
      function.put("arguments", new LinkedHashMap<Object, Object>(c.arguments()));
      Map<Object, Object> call = new LinkedHashMap<>();
      call.put("type", "function");
      call.put("function", function);
      list.add(call);
    }
    Map<Object, Object> m = new LinkedHashMap<>();
    m.put("role", "assistant");
    m.put("tool_calls", list);
    return m;
  }

  private static Map<Object, Object> message(String role, String content) {
    Map<Object, Object> m = new LinkedHashMap<>();
    m.put("role", role);
    m.put("content", content);
    return m;
  }
}
