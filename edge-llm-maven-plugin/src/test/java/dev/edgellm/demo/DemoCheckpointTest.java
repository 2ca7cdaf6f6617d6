package dev.edgellm.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.edgellm.util.Json;
import dev.edgellm.util.Sha256;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoCheckpointTest {
  @TempDir static Path tmp;
  private static Path dir;

  @BeforeAll
  static void writeOnce() throws IOException {
    dir = DemoCheckpoint.write(tmp.resolve("demo"));
  }

  @Test
  void writesEveryFileAndNoTemporaryOnes() throws IOException {
    try (var files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrderElementsOf(DemoCheckpoint.FILES);
    }
  }

  @Test
  void filesAreTheTrainedTinyFunctionGemmaWithTheDemoFlag() throws IOException {
    // SHA-256 of ../shared/fixtures/models/tiny-functiongemma's files; config.json differs from the
    // fixture's only by the added "edge_llm_demo": true. Update only on purpose: the app's browser
    // test and the archetype IT rely on what this model answers.
    Map<String, String> pinned =
        Map.of(
            "model.safetensors",
            "f441a95ae11d40432171e754a49a5fe1c5097ead6f141786d8a2fca911d93124",
            "tokenizer.json",
            "e588d9198c1c30191909b28050dfc25a61956e9ce67ef05f3b7ec6ae9fb853b3",
            "tokenizer_config.json",
            "0fb60154f815da54f761aab4a8ebcfb627a14a50dde1b111205662c7c06f4560",
            "generation_config.json",
            "b49487c99e459f0f1f4d0b164b2965f7c7e8604cba572b36073869ff35b1f728",
            "config.json",
            "41737742761f8a625528a6e616e2a1b911fb7c8d6c354b21ccd1d8a7ef2db2fd");
    for (var e : pinned.entrySet()) {
      assertThat(Sha256.of(dir.resolve(e.getKey()))).as(e.getKey()).isEqualTo(e.getValue());
    }
  }

  @Test
  void sameCallWritesByteIdenticalFilesAndLeavesGoodFilesAlone() throws IOException {
    Path again = DemoCheckpoint.write(tmp.resolve("again"));
    for (String name : DemoCheckpoint.FILES) {
      assertThat(Files.readAllBytes(again.resolve(name)))
          .as(name)
          .isEqualTo(Files.readAllBytes(dir.resolve(name)));
    }
    // Writing it again leaves the files as they are, modification times included.
    FileTime old = FileTime.fromMillis(1_000_000L);
    for (String name : DemoCheckpoint.FILES) {
      Files.setLastModifiedTime(again.resolve(name), old);
    }
    DemoCheckpoint.write(again);
    for (String name : DemoCheckpoint.FILES) {
      assertThat(Files.getLastModifiedTime(again.resolve(name))).as(name).isEqualTo(old);
    }
    // A damaged file is rewritten; the others keep their modification time.
    Files.writeString(again.resolve("config.json"), "{}");
    DemoCheckpoint.write(again);
    assertThat(Files.readAllBytes(again.resolve("config.json")))
        .isEqualTo(Files.readAllBytes(dir.resolve("config.json")));
    assertThat(Files.getLastModifiedTime(again.resolve("model.safetensors"))).isEqualTo(old);
    try (var files = Files.list(again)) {
      assertThat(files.filter(p -> p.getFileName().toString().endsWith(".tmp"))).isEmpty();
    }
  }

  @Test
  void configIsAGemma3TextToolCallerThatStopsBeforeAFunctionResponse() throws IOException {
    JsonNode config = Json.read(dir.resolve("config.json"));
    assertThat(config.path("model_type").asText()).isEqualTo("gemma3_text");
    assertThat(config.path(DemoCheckpoint.DEMO_FLAG).asBoolean()).isTrue();
    JsonNode tokenizer = Json.read(dir.resolve("tokenizer.json"));
    List<String> specials = new ArrayList<>();
    tokenizer.path("added_tokens").forEach(t -> specials.add(t.path("content").asText()));
    assertThat(specials)
        .contains(
            "<start_function_call>",
            "<end_function_call>",
            "<start_function_response>",
            "<escape>");
    int response = specials.indexOf("<start_function_response>");
    int responseId = tokenizer.path("added_tokens").get(response).path("id").asInt();
    List<Integer> eos = new ArrayList<>();
    Json.read(dir.resolve("generation_config.json"))
        .path("eos_token_id")
        .forEach(n -> eos.add(n.asInt()));
    assertThat(eos).contains(responseId);
    String template =
        Json.read(dir.resolve("tokenizer_config.json")).path("chat_template").asText();
    assertThat(template).contains("<start_function_declaration>", "tool_calls");
    for (String tool : DemoCheckpoint.TOOLS) {
      assertThat(tool).matches("[a-z_]+");
    }
  }

  @Test
  void knowsItsOwnCheckpointAndSaysSoLoudly() throws IOException {
    assertThat(DemoCheckpoint.isDemo(dir)).isTrue();
    Path other = tmp.resolve("other");
    Files.createDirectories(other);
    assertThat(DemoCheckpoint.isDemo(other)).isFalse();
    Files.writeString(other.resolve("config.json"), "{\"model_type\": \"llama\"}");
    assertThat(DemoCheckpoint.isDemo(other)).isFalse();
    Files.writeString(other.resolve("config.json"), "not json");
    assertThat(DemoCheckpoint.isDemo(other)).isFalse();
    assertThat(String.join("\n", DemoCheckpoint.warning(dir)))
        .contains("DEMO model")
        .contains("MEMORIZED")
        .contains("calculate, get_weather and search_web")
        .contains("edgellm.checkpoint")
        .contains(dir.toString());
    assertThat(DemoCheckpoint.BUILD_SUBDIRECTORY).isEqualTo("edge-llm/demo-checkpoint");
  }
}
