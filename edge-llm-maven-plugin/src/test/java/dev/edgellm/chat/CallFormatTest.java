package dev.edgellm.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.edgellm.util.Json;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Tool calls in the FunctionGemma, Hermes/Qwen and Llama 3.x formats. */
class CallFormatTest {
  private static Map<String, Object> args(Object... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return m;
  }

  @Test
  void functionGemmaRepliesOfTheFixtureParseToTheirExpectedCalls() throws Exception {
    JsonNode fixture = Json.read(ChatTemplateTest.MODEL.resolve("tool-calls.json"));
    int n = 0;
    for (JsonNode e : fixture.get("examples")) {
      List<ToolCall> got = CallFormat.FUNCTION_GEMMA.parse(e.get("generated_call").asText());
      JsonNode expected = e.get("expected_calls");
      assertEquals(expected.size(), got.size(), e.get("generated_call").asText());
      for (int i = 0; i < got.size(); i++) {
        ToolCall want =
            new ToolCall(
                expected.get(i).get("name").asText(),
                Json.MAPPER.convertValue(expected.get(i).get("arguments"), Map.class));
        assertEquals(want.name(), got.get(i).name());
        assertTrue(want.sameArguments(got.get(i)), got.get(i) + " vs " + want);
      }
      n++;
    }
    assertEquals(44, n);
  }

  @Test
  void functionGemmaValues() {
    List<ToolCall> calls =
        CallFormat.FUNCTION_GEMMA.parse(
            "<start_function_call>call:search_web{num_results:3,query:<escape>a, b: {c}<escape>}"
                + "<end_function_call><start_function_call>call:set{on:true,ratio:0.5,tags:"
                + "[<escape>x<escape>,<escape>y<escape>],where:{city:<escape>Paris<escape>},n:-2}"
                + "<end_function_call>");
    assertEquals(2, calls.size());
    assertEquals(
        new ToolCall("search_web", args("num_results", 3L, "query", "a, b: {c}")), calls.get(0));
    assertEquals(
        new ToolCall(
            "set",
            args(
                "on",
                true,
                "ratio",
                0.5,
                "tags",
                List.of("x", "y"),
                "where",
                args("city", "Paris"),
                "n",
                -2L)),
        calls.get(1));
    // numbers compare by value
    assertTrue(new ToolCall("f", args("n", 3L)).sameArguments(new ToolCall("f", args("n", 3.0))));
    // text, a truncated call, or no call at all: nothing
    assertEquals(List.of(), CallFormat.FUNCTION_GEMMA.parse("15 plus 27 equals 42."));
    assertEquals(
        List.of(),
        CallFormat.FUNCTION_GEMMA.parse(
            "<start_function_call>call:calculate{expression:<escape>15"));
  }

  @Test
  void hermesAndQwenToolCallTags() {
    List<ToolCall> calls =
        CallFormat.HERMES.parse(
            "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"location\": \"Tokyo\","
                + " \"units\": \"celsius\"}}\n</tool_call>\n<tool_call>\n{\"name\": \"calculate\","
                + " \"arguments\": \"{\\\"expression\\\": \\\"2 + 2\\\"}\"}\n</tool_call><|im_end|>");
    assertEquals(
        List.of(
            new ToolCall("get_weather", args("location", "Tokyo", "units", "celsius")),
            new ToolCall("calculate", args("expression", "2 + 2"))),
        calls);
    assertEquals(List.of(), CallFormat.HERMES.parse("It is sunny in Tokyo."));
    assertEquals(List.of(), CallFormat.HERMES.parse("<tool_call>\n{\"name\": \"get_wea"));
  }

  @Test
  void llamaJsonCalls() {
    assertEquals(
        List.of(new ToolCall("get_weather", args("location", "Tokyo"))),
        CallFormat.LLAMA.parse(
            "{\"name\": \"get_weather\", \"parameters\": {\"location\": \"Tokyo\"}}<|eot_id|>"));
    assertEquals(
        List.of(
            new ToolCall("calculate", args("expression", "8 * 9")),
            new ToolCall("search_web", args("query", "rome", "num_results", 3L))),
        CallFormat.LLAMA.parse(
            "<|python_tag|>{\"name\": \"calculate\", \"parameters\": {\"expression\": \"8 * 9\"}};"
                + " {\"name\": \"search_web\", \"parameters\": {\"query\": \"rome\","
                + " \"num_results\": 3}}<|eom_id|>"));
    assertEquals(List.of(), CallFormat.LLAMA.parse("8 times 9 is 72."));
  }

  @Test
  void detectsTheFormatFromTokensAndTemplate() {
    assertEquals(CallFormat.FUNCTION_GEMMA, CallFormat.detect("<start_function_call>"::equals, ""));
    assertEquals(CallFormat.HERMES, CallFormat.detect(t -> false, "... <tool_call> ..."));
    assertEquals(CallFormat.LLAMA, CallFormat.detect(t -> false, "{{- tool | tojson }}"));
  }
}
