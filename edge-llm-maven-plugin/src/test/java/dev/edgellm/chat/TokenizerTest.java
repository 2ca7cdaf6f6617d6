package dev.edgellm.chat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.edgellm.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;

/** Encoding equals the ids tokenizers recorded; decoding gives the text back. */
class TokenizerTest {
  static final Path MODEL = ChatTemplateTest.MODEL;

  private static long[] ids(JsonNode array) {
    return StreamSupport.stream(array.spliterator(), false).mapToLong(JsonNode::asLong).toArray();
  }

  @Test
  void encodesAll88FixturePromptsAndRepliesToTheRecordedIds() throws Exception {
    Tokenizer tokenizer = Tokenizer.read(MODEL.resolve("tokenizer.json"));
    JsonNode fixture = Json.read(MODEL.resolve("tool-calls.json"));
    int checked = 0;
    for (JsonNode e : fixture.get("examples")) {
      String prompt = e.get("prompt_turn1").asText();
      assertArrayEquals(ids(e.get("prompt_turn1_ids")), tokenizer.encode(prompt), prompt);
      String turn2 = e.get("prompt_turn2").asText();
      assertEquals(turn2, tokenizer.decode(tokenizer.encode(turn2), false));
      long[] call = ids(e.get("generated_call_ids"));
      assertArrayEquals(call, tokenizer.encode(e.get("generated_call").asText()));
      assertEquals(e.get("generated_call").asText(), tokenizer.decode(call, false));
      String answer = e.get("generated_final").asText();
      assertEquals(answer, tokenizer.decode(tokenizer.encode(answer), true));
      checked++;
    }
    assertEquals(44, checked);
  }

  @Test
  void goldenPromptsOfTheTinyCheckpointsEncodeToTheirIds() throws Exception {
    for (String name : new String[] {"tiny-functiongemma"}) {
      Path dir = Path.of("src/test/resources/models", name);
      Tokenizer tokenizer = Tokenizer.read(dir.resolve("tokenizer.json"));
      JsonNode golden = Json.read(dir.resolve("golden.json"));
      for (JsonNode p : golden.get("prompts")) {
        assertArrayEquals(ids(p.get("input_ids")), tokenizer.encode(p.get("text").asText()));
      }
    }
  }

  /** SentencePiece-style BPE (Prepend/Replace normalizer, ByteFallback/Fuse/Strip decoder). */
  @Test
  void tinyStoriesSentencePieceBpeWithByteFallback() throws Exception {
    Path dir = Path.of("../../shared/fixtures/models/tinystories-656k");
    assumeTrue(Files.isDirectory(dir), "skipped: " + dir + " is absent (it is never committed)");
    Tokenizer tokenizer = Tokenizer.read(dir.resolve("tokenizer.json"));
    JsonNode golden = Json.read(dir.resolve("golden.json"));
    for (JsonNode p : golden.get("prompts")) {
      assertArrayEquals(ids(p.get("input_ids")), tokenizer.encode(p.get("text").asText(), true));
      assertEquals(p.get("greedy_text").asText(), tokenizer.decode(ids(p.get("greedy")), true));
    }
    // its vocabulary has no <0xNN> tokens: a character it lacks becomes <unk> (id 0), as in
    // tokenizers, and decoding drops it
    long[] ids = tokenizer.encode("Lily saw a caf\u00e9.", false);
    assertEquals(true, java.util.Arrays.stream(ids).anyMatch(id -> id == 0));
    assertEquals("Lily saw a caf.", tokenizer.decode(ids, true));
  }
}
