package dev.edgellm.chat;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import dev.edgellm.util.Json;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * How a model writes its tool calls, and the parser for each:
 *
 * <ul>
 *   <li>{@link #FUNCTION_GEMMA}: {@code
 *       <start_function_call>call:NAME{key:<escape>text<escape>,n:42}<end_function_call>}
 *   <li>{@link #HERMES} (Hermes, Qwen 2.5/3): {@code <tool_call>{"name": ..., "arguments":
 *       {...}}</tool_call>}
 *   <li>{@link #LLAMA} (Llama 3.x): a JSON object {@code {"name": ..., "parameters": {...}}},
 *       optionally after {@code <|python_tag|>}, several separated by {@code ;}
 * </ul>
 */
public enum CallFormat {
  FUNCTION_GEMMA,
  HERMES,
  LLAMA;

  private static final String ESCAPE = "<escape>";

  /** The format a tokenizer's tokens and chat template imply. */
  public static CallFormat detect(Predicate<String> hasToken, String template) {
    if (hasToken.test("<start_function_call>")) {
      return FUNCTION_GEMMA;
    }
    if (hasToken.test("<tool_call>") || (template != null && template.contains("<tool_call>"))) {
      return HERMES;
    }
    return LLAMA;
  }

  /**
   * The calls in a reply (decoded with its special tokens); empty when the reply calls no tool.
   * Text that looks like a call but does not parse is no call.
   */
  public List<ToolCall> parse(String reply) {
    return switch (this) {
      case FUNCTION_GEMMA -> functionGemma(reply);
      case HERMES -> hermes(reply);
      case LLAMA -> llama(reply);
    };
  }

  // ---- FunctionGemma
  // -----------------------------------------------------------------------------

  private static List<ToolCall> functionGemma(String reply) {
    List<ToolCall> calls = new ArrayList<>();
    String start = "<start_function_call>call:";
    int at = reply.indexOf(start);
    while (at >= 0) {
      int nameStart = at + start.length();
      int brace = reply.indexOf('{', nameStart);
      if (brace < 0) {
        break;
      }
      String name = reply.substring(nameStart, brace).strip();
      int[] pos = {brace};
      Object args;
      try {
        args = gemmaValue(reply, pos);
      } catch (RuntimeException e) {
        break; // unterminated or malformed: no call
      }
      if (!(args instanceof Map<?, ?> map) || name.isEmpty()) {
        break;
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> arguments = (Map<String, Object>) map;
      calls.add(new ToolCall(name, arguments));
      at = reply.indexOf(start, pos[0]);
    }
    return calls;
  }

  /** Parses one value at {@code pos[0]}, leaving {@code pos[0]} after it. */
  private static Object gemmaValue(String s, int[] pos) {
    int i = pos[0];
    if (s.startsWith(ESCAPE, i)) {
      int end = s.indexOf(ESCAPE, i + ESCAPE.length());
      if (end < 0) {
        throw new IllegalArgumentException("unterminated <escape>");
      }
      pos[0] = end + ESCAPE.length();
      return s.substring(i + ESCAPE.length(), end);
    }
    char c = s.charAt(i);
    if (c == '{') {
      Map<String, Object> map = new LinkedHashMap<>();
      pos[0] = i + 1;
      if (s.charAt(pos[0]) == '}') {
        pos[0]++;
        return map;
      }
      while (true) {
        String key;
        if (s.startsWith(ESCAPE, pos[0])) {
          key = (String) gemmaValue(s, pos);
        } else {
          int colon = s.indexOf(':', pos[0]);
          if (colon < 0) {
            throw new IllegalArgumentException("key without ':'");
          }
          key = s.substring(pos[0], colon).strip();
          pos[0] = colon;
        }
        if (s.charAt(pos[0]) != ':') {
          throw new IllegalArgumentException("expected ':'");
        }
        pos[0]++;
        map.put(key, gemmaValue(s, pos));
        char next = s.charAt(pos[0]);
        pos[0]++;
        if (next == '}') {
          return map;
        }
        if (next != ',') {
          throw new IllegalArgumentException("expected ',' or '}'");
        }
      }
    }
    if (c == '[') {
      List<Object> list = new ArrayList<>();
      pos[0] = i + 1;
      if (s.charAt(pos[0]) == ']') {
        pos[0]++;
        return list;
      }
      while (true) {
        list.add(gemmaValue(s, pos));
        char next = s.charAt(pos[0]);
        pos[0]++;
        if (next == ']') {
          return list;
        }
        if (next != ',') {
          throw new IllegalArgumentException("expected ',' or ']'");
        }
      }
    }
    int end = i;
    while (end < s.length() && ",}]".indexOf(s.charAt(end)) < 0 && s.charAt(end) != '<') {
      end++;
    }
    if (end >= s.length()) {
      throw new IllegalArgumentException("unterminated value");
    }
    pos[0] = end;
    String raw = s.substring(i, end).strip();
    switch (raw) {
      case "true":
        return Boolean.TRUE;
      case "false":
        return Boolean.FALSE;
      case "null":
      case "None":
        return null;
      default:
        break;
    }
    try {
      return Long.parseLong(raw);
    } catch (NumberFormatException e) {
      // not an integer
    }
    try {
      return Double.parseDouble(raw);
    } catch (NumberFormatException e) {
      return raw;
    }
  }

  // ---- Hermes / Qwen
  // -----------------------------------------------------------------------------

  private static List<ToolCall> hermes(String reply) {
    List<ToolCall> calls = new ArrayList<>();
    int at = reply.indexOf("<tool_call>");
    while (at >= 0) {
      int end = reply.indexOf("</tool_call>", at);
      String body = reply.substring(at + "<tool_call>".length(), end < 0 ? reply.length() : end);
      ToolCall call = jsonCall(body.strip());
      if (call == null) {
        break;
      }
      calls.add(call);
      if (end < 0) {
        break;
      }
      at = reply.indexOf("<tool_call>", end);
    }
    return calls;
  }

  // ---- Llama 3.x
  // ---------------------------------------------------------------------------------

  private static List<ToolCall> llama(String reply) {
    String text = reply;
    int tag = text.indexOf("<|python_tag|>");
    if (tag >= 0) {
      text = text.substring(tag + "<|python_tag|>".length());
    }
    for (String stop : List.of("<|eom_id|>", "<|eot_id|>", "<|end_of_text|>")) {
      text = text.replace(stop, "");
    }
    text = text.strip().replaceAll("}\\s*;\\s*\\{", "} {");
    if (!text.startsWith("{")) {
      return List.of();
    }
    List<ToolCall> calls = new ArrayList<>();
    try (JsonParser parser = Json.MAPPER.getFactory().createParser(text);
        MappingIterator<JsonNode> it = Json.MAPPER.readValues(parser, JsonNode.class)) {
      while (it.hasNextValue()) {
        ToolCall c = jsonCall(it.nextValue());
        if (c == null) {
          return List.of();
        }
        calls.add(c);
      }
    } catch (IOException | RuntimeException e) {
      // a reply that is not (only) JSON calls
      if (calls.isEmpty()) {
        return List.of();
      }
    }
    return calls;
  }

  private static ToolCall jsonCall(String json) {
    try {
      return jsonCall(Json.MAPPER.readTree(json));
    } catch (IOException e) {
      return null;
    }
  }

  private static ToolCall jsonCall(JsonNode n) {
    if (n == null || !n.path("name").isTextual()) {
      return null;
    }
    JsonNode args = n.has("arguments") ? n.get("arguments") : n.path("parameters");
    if (args.isTextual()) {
      try {
        args = Json.MAPPER.readTree(args.asText());
      } catch (IOException e) {
        return null;
      }
    }
    if (!args.isObject() && !args.isMissingNode()) {
      return null;
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> map =
        args.isObject() ? (Map<String, Object>) (Map<?, ?>) Py.fromJson(args) : Map.of();
    return new ToolCall(n.get("name").asText(), map);
  }
}
