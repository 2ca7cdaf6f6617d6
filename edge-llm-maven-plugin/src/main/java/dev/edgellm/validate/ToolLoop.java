package dev.edgellm.validate;

import ai.onnxruntime.OrtException;
import dev.edgellm.chat.CallFormat;
import dev.edgellm.chat.ChatTemplate;
import dev.edgellm.chat.Example;
import dev.edgellm.chat.Tokenizer;
import dev.edgellm.chat.ToolCall;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Replays examples on one model the way an app's tool loop runs them: render the conversation with
 * the chat template, tokenize, generate greedily through the KV cache until a stop token, parse the
 * calls; then, with the expected calls and the tools' responses appended, render again and generate
 * the final answer.
 */
final class ToolLoop implements AutoCloseable {
  /** What the model produced for one turn. */
  record TurnResult(
      Example.Turn turn,
      String prompt,
      int promptTokens,
      String reply,
      List<ToolCall> calls,
      boolean namesExact,
      boolean callsExact,
      String answer,
      boolean answerExact) {}

  private final DecoderSession session;
  private final Tokenizer tokenizer;
  private final ChatTemplate template;
  private final CallFormat format;
  private final Set<Long> stopIds;
  private final int maxNewTokens;

  ToolLoop(
      Path model,
      DecoderContract contract,
      Tokenizer tokenizer,
      ChatTemplate template,
      CallFormat format,
      Set<Long> stopIds,
      int maxNewTokens)
      throws OrtException {
    this.session = new DecoderSession(model, contract);
    this.tokenizer = tokenizer;
    this.template = template;
    this.format = format;
    this.stopIds = stopIds;
    this.maxNewTokens = maxNewTokens;
  }

  /** Runs every turn of an example. */
  List<TurnResult> run(Example example) throws OrtException {
    List<TurnResult> results = new ArrayList<>();
    for (Example.Turn turn : example.turns()) {
      results.add(turn(example, turn));
    }
    return results;
  }

  private TurnResult turn(Example example, Example.Turn turn) throws OrtException {
    String prompt = template.render(turn.messages(), example.tools(), true);
    long[] ids = tokenizer.encode(prompt);
    long[] generated = greedy(ids);
    String reply = tokenizer.decode(generated, false);
    List<ToolCall> calls = format.parse(reply);
    boolean names = calls.size() == turn.expectedCalls().size();
    boolean exact = names;
    for (int i = 0; names && i < calls.size(); i++) {
      ToolCall want = turn.expectedCalls().get(i);
      names = want.name().equals(calls.get(i).name());
      exact = names && exact && want.sameArguments(calls.get(i));
    }
    String answer = tokenizer.decode(generated, true).strip();
    boolean answerExact =
        turn.expectedText() != null
            && calls.isEmpty()
            && answer.equals(turn.expectedText().strip());
    return new TurnResult(
        turn, prompt, ids.length, reply, calls, names, names && exact, answer, answerExact);
  }

  /** Greedy ids after the prompt, the stop token included when one came. */
  long[] greedy(long[] prompt) throws OrtException {
    List<Long> out = new ArrayList<>();
    DecoderSession.Step step;
    try (DecoderSession.Cache empty = session.emptyCache()) {
      step = session.forward(prompt, empty);
    }
    DecoderSession.Cache cache = step.cache();
    try {
      long next = Logits.argmax(step.logits()[step.logits().length - 1]);
      while (true) {
        out.add(next);
        if (stopIds.contains(next) || out.size() >= maxNewTokens) {
          break;
        }
        DecoderSession.Step s = session.forward(new long[] {next}, cache);
        cache.close();
        cache = s.cache();
        next = Logits.argmax(s.logits()[s.logits().length - 1]);
      }
    } finally {
      cache.close();
    }
    return out.stream().mapToLong(Long::longValue).toArray();
  }

  @Override
  public void close() throws OrtException {
    session.close();
  }
}
