package dev.edgellm.validate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.edgellm.testing.Fixtures;
import dev.edgellm.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.junit.jupiter.api.Test;

/**
 * The sample ids come out as the real tokenizers' ids where greedy matching and BPE agree
 * (transformers' goldens).
 */
class SampleTextTest {
  private static long[] ids(Path checkpoint, String text) throws Exception {
    JsonNode tokenizer = Json.read(checkpoint.resolve("tokenizer.json"));
    JsonNode config = Json.read(checkpoint.resolve("tokenizer_config.json"));
    return SampleText.ids(text, Vocabulary.of(tokenizer), tokenizer, config, 64);
  }

  @Test
  void byteLevelBpeGivesTheGoldenIdsOfTheTinyModels() throws Exception {
    Path tiny = Paths.get("src/test/resources/models/tiny-llama");
    // golden.json: "Hello" -> [2, 45, 389, 362]; the code prompt -> 19 ids
    assertThat(ids(tiny, "Hello")).containsExactly(2, 45, 389, 362);
    assertThat(ids(tiny, "def parse(text):\n    return json.loads(text)"))
        .containsExactly(
            2, 434, 315, 425, 13, 470, 328, 285, 372, 451, 88, 267, 19, 362, 435, 88, 13, 470, 14);
    assertThat(Vocabulary.of(Json.read(tiny.resolve("tokenizer.json"))).style())
        .isEqualTo(Vocabulary.Style.BYTE_LEVEL);
  }

  @Test
  void sentencePieceStyleBpeGivesTheGoldenIdsOfTinyStories() throws Exception {
    Path stories = Fixtures.sharedFixtures().resolve("models/tinystories-656k");
    assumeTrue(
        Files.isDirectory(stories),
        "tinystories-656k is read from ../shared/fixtures only; absent here");
    assertThat(ids(stories, "Once upon a time, ")).containsExactly(1, 80, 147, 201, 282, 215);
    assertThat(ids(stories, "Lily and Tom went to the park. They saw a big"))
        .containsExactly(1, 80, 669, 388, 1844, 144, 328, 428);
    assertThat(Vocabulary.of(Json.read(stories.resolve("tokenizer.json"))).style())
        .isEqualTo(Vocabulary.Style.METASPACE);
    long[] sample =
        SampleText.ids(
            Vocabulary.of(Json.read(stories.resolve("tokenizer.json"))),
            Json.read(stories.resolve("tokenizer.json")),
            Json.read(stories.resolve("tokenizer_config.json")),
            64);
    assertThat(sample[0]).isEqualTo(1);
    assertThat(sample.length).isBetween(40, 64);
  }
}
