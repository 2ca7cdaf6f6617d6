package dev.edgellm.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.edgellm.util.UserErrorException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The two example formats: Edge-LLM fine-tuning JSON and JSONL of chat messages. */
class ExamplesTest {
  @TempDir Path tmp;

  @Test
  void edgeLlmExamplesBecomeACallTurnAndAnAnswerTurn() throws Exception {
    List<Example> examples =
        Examples.read(
            ChatTemplateTest.TOOLS.resolve("training-examples.json"),
            ChatTemplateTest.TOOLS.resolve("common-tools.json"),
            Examples.ToolContent.JSON_TEXT);
    assertEquals(75, examples.size());
    Example first = examples.get(0);
    assertEquals(6, first.tools().size());
    assertEquals(2, first.turns().size());
    assertEquals(
        List.of(new ToolCall("calculate", Map.of("expression", "15 + 27"))),
        first.turns().get(0).expectedCalls());
    List<Object> after = first.turns().get(1).messages();
    assertEquals(3, after.size());
    // JSON-in-text templates (Hermes, Qwen, Llama) get the tool's response as JSON text
    assertEquals("{\"result\": 42}", ((Map<?, ?>) after.get(2)).get("content"));
    assertEquals("15 plus 27 equals 42.", first.turns().get(1).expectedText());
  }

  @Test
  void jsonlChatMessagesWithTheLastAssistantMessageAsTheReply() throws Exception {
    Path file = tmp.resolve("held-out.jsonl");
    Files.writeString(
        file,
        "{\"messages\": [{\"role\": \"user\", \"content\": \"Weather in Oslo?\"}, {\"role\":"
            + " \"assistant\", \"tool_calls\": [{\"type\": \"function\", \"function\": {\"name\":"
            + " \"get_weather\", \"arguments\": \"{\\\"location\\\": \\\"Oslo\\\"}\"}}]}],"
            + " \"tools\": [{\"name\": \"get_weather\", \"description\": \"d\", \"parameters\": {}}]}\n"
            + "\n{\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}, {\"role\":"
            + " \"assistant\", \"content\": \"Hello!\"}]}\n");
    List<Example> examples = Examples.read(file, null, Examples.ToolContent.OBJECT);
    assertEquals(2, examples.size());
    Example.Turn call = examples.get(0).turns().get(0);
    assertEquals(
        List.of(new ToolCall("get_weather", Map.of("location", "Oslo"))), call.expectedCalls());
    assertEquals(1, call.messages().size());
    assertEquals("function", ((Map<?, ?>) examples.get(0).tools().get(0)).get("type"));
    Example.Turn text = examples.get(1).turns().get(0);
    assertEquals("Hello!", text.expectedText());
    assertNull(examples.get(1).tools());
    assertEquals("held-out.jsonl line 3", examples.get(1).id());

    Files.writeString(file, "{\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}]}\n");
    UserErrorException e =
        assertThrows(
            UserErrorException.class, () -> Examples.read(file, null, Examples.ToolContent.OBJECT));
    assertEquals(true, e.getMessage().contains("line 1 has no assistant message"));
  }
}
