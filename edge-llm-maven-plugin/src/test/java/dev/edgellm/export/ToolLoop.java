package dev.edgellm.export;

import com.fasterxml.jackson.databind.JsonNode;
import dev.edgellm.chat.Tokenizer;
import dev.edgellm.util.Json;
import dev.edgellm.validate.OrtDecoder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The tool loop of {@code tiny-functiongemma/tool-calls.json}, run greedily with ONNX Runtime on an
 * exported model: turn 1 from the recorded prompt ids must give the recorded call (ids), turn 2
 * (the recorded conversation after the call and the tool's response) the recorded final answer
 * (text). Generation stops at generation_config.json's eos ids.
 */
final class ToolLoop {
  /** Calls and answers reproduced, out of {@code total}; {@code failures} names the misses. */
  record Result(int calls, int answers, int total, List<String> failures) {
    @Override
    public String toString() {
      return calls + "/" + total + " calls, " + answers + "/" + total + " answers";
    }
  }

  private static final int MAX_NEW = 96;

  private ToolLoop() {}

  static Result run(Path model, Path fixture) throws Exception {
    JsonNode calls = Json.read(fixture.resolve("tool-calls.json"));
    JsonNode gen = Json.read(fixture.resolve("generation_config.json"));
    Set<Long> stop = new HashSet<>();
    for (JsonNode e : gen.path("eos_token_id")) {
      stop.add(e.asLong());
    }
    Tokenizer tokenizer = Tokenizer.read(fixture.resolve("tokenizer.json"));
    int okCalls = 0;
    int okAnswers = 0;
    int total = 0;
    List<String> failures = new ArrayList<>();
    try (OrtDecoder d = new OrtDecoder(model)) {
      for (JsonNode ex : calls.path("examples")) {
        total++;
        List<Long> p1 = longs(ex.path("prompt_turn1_ids"));
        List<Long> callIds = longs(ex.path("generated_call_ids"));
        List<Long> got = generate(d, p1, stop);
        if (got.equals(callIds)) {
          okCalls++;
        } else {
          failures.add(
              "call of '" + ex.path("userQuery").asText() + "': " + decode(tokenizer, got));
        }
        String t1 = ex.path("prompt_turn1").asText();
        String t2 = ex.path("prompt_turn2").asText();
        String call = ex.path("generated_call").asText();
        if (!t2.startsWith(t1 + call)) {
          throw new IllegalStateException("turn 2 does not extend turn 1 and the call");
        }
        List<Long> p2 = new ArrayList<>(p1);
        p2.addAll(callIds);
        for (long id : tokenizer.encode(t2.substring(t1.length() + call.length()))) {
          p2.add(id);
        }
        List<Long> answer = generate(d, p2, stop);
        if (!answer.isEmpty() && stop.contains(answer.get(answer.size() - 1))) {
          answer = answer.subList(0, answer.size() - 1);
        }
        String text = decode(tokenizer, answer);
        if (text.equals(ex.path("generated_final").asText())) {
          okAnswers++;
        } else {
          failures.add("answer to '" + ex.path("userQuery").asText() + "': " + text);
        }
      }
    }
    return new Result(okCalls, okAnswers, total, failures);
  }

  /** Greedy ids after {@code prompt}, the stop id included when reached. */
  private static List<Long> generate(OrtDecoder d, List<Long> prompt, Set<Long> stop)
      throws Exception {
    d.reset();
    long[] ids = prompt.stream().mapToLong(Long::longValue).toArray();
    float[][] logits = d.step(ids);
    List<Long> out = new ArrayList<>();
    for (int i = 0; i < MAX_NEW; i++) {
      long next = OrtDecoder.argmax(logits[logits.length - 1]);
      out.add(next);
      if (stop.contains(next)) {
        break;
      }
      logits = d.step(new long[] {next});
    }
    return out;
  }

  /** The text of {@code ids}, added tokens as their content. */
  private static String decode(Tokenizer tokenizer, List<Long> ids) {
    return tokenizer.decode(ids.stream().mapToLong(Long::longValue).toArray(), false);
  }

  private static List<Long> longs(JsonNode a) {
    List<Long> out = new ArrayList<>();
    a.forEach(v -> out.add(v.asLong()));
    return out;
  }
}
