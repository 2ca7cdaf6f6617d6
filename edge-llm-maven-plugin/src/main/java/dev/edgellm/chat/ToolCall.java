package dev.edgellm.chat;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A function call: the tool's name and its arguments (JSON-like values: String, Long, Double,
 * Boolean, null, List, Map).
 */
public record ToolCall(String name, Map<String, Object> arguments) {
  public ToolCall {
    arguments = arguments == null ? Map.of() : new LinkedHashMap<>(arguments);
  }

  /** Same name and arguments; numbers compare by value (1 equals 1.0). */
  public boolean sameArguments(ToolCall other) {
    return Py.eq(
        new LinkedHashMap<Object, Object>(arguments),
        new LinkedHashMap<Object, Object>(other.arguments));
  }

  /** The call as compact JSON: {@code name{"key": value}}. */
  @Override
  public String toString() {
    return name
        + Py.json(new LinkedHashMap<Object, Object>(arguments), false, null, ", ", ": ", false);
  }
}
