package dev.edgellm.chat;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A function call: the tool's name and its arguments (JSON-like values: String, Long, Double,
 * Boolean, null, List, Map; Integer and Float are widened).
 */
public record ToolCall(String name, Map<String, Object> arguments) {
  public ToolCall {
    Map<String, Object> copy = new LinkedHashMap<>();
    if (arguments != null) {
      arguments.forEach((k, v) -> copy.put(k, JinjaTemplate.normalize(v)));
    }
    arguments = java.util.Collections.unmodifiableMap(copy);
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
