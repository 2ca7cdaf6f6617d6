package dev.edgellm.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.edgellm.util.Json;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * FunctionGemma's chat template renders the 44 fixture conversations (turn 1 and turn 2) byte for
 * byte as transformers did.
 */
class ChatTemplateTest {
  static final Path MODEL = Path.of("src/test/resources/models/tiny-functiongemma");
  static final Path TOOLS = Path.of("src/test/resources/tools");

  @Test
  void rendersAll88FixturePromptsByteIdentical() throws Exception {
    ChatTemplate template =
        ChatTemplate.of(MODEL, Json.read(MODEL.resolve("tokenizer_config.json")));
    List<Example> examples =
        Examples.read(
            TOOLS.resolve("training-examples.json"),
            TOOLS.resolve("common-tools.json"),
            Examples.ToolContent.OBJECT);
    JsonNode fixture = Json.read(MODEL.resolve("tool-calls.json"));
    // The fixture declares the three tools the model was trained with.
    List<Object> tools = Examples.tools(fixture.get("tools"), "tool-calls.json");
    int rendered = 0;
    List<String> mismatches = new ArrayList<>();
    for (int i = 0; i < fixture.get("examples").size(); i++) {
      JsonNode expected = fixture.get("examples").get(i);
      Example example = examples.get(i);
      assertEquals(expected.get("userQuery").asText(), example.query());
      String turn1 = template.render(example.turns().get(0).messages(), tools, true);
      String turn2 = template.render(example.turns().get(1).messages(), tools, true);
      if (!turn1.equals(expected.get("prompt_turn1").asText())) {
        mismatches.add(
            "#"
                + i
                + " turn 1:\n"
                + turn1
                + "\n---- expected\n"
                + expected.get("prompt_turn1").asText());
      }
      if (!turn2.equals(expected.get("prompt_turn2").asText())) {
        mismatches.add(
            "#"
                + i
                + " turn 2:\n"
                + turn2
                + "\n---- expected\n"
                + expected.get("prompt_turn2").asText());
      }
      rendered += 2;
    }
    assertEquals(List.of(), mismatches.subList(0, Math.min(2, mismatches.size())));
    assertEquals(88, rendered);
  }
}
