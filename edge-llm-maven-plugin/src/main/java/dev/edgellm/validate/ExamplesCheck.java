package dev.edgellm.validate;

import ai.onnxruntime.OrtException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.edgellm.chat.CallFormat;
import dev.edgellm.chat.ChatTemplate;
import dev.edgellm.chat.Example;
import dev.edgellm.chat.Examples;
import dev.edgellm.chat.Tokenizer;
import dev.edgellm.chat.ToolCall;
import dev.edgellm.util.UserErrorException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code quality.examples}: replays the user's own examples (edgellm.validate.examples) through the
 * whole tool loop, greedily, on the staged model and on the fp32 reference, and gates on what the
 * user fine-tuned for: the share of examples whose tool calls (name and arguments) and final
 * answers are exact, against the reference's share. Names the examples that regressed.
 */
final class ExamplesCheck implements Check {
  static final String ID = "quality.examples";

  @Override
  public String id() {
    return ID;
  }

  @Override
  public String title() {
    return "The user's examples: tool calls and answers, staged model vs fp32 reference";
  }

  /** Counts and per-example outcomes of one model. */
  private record Run(String label, List<List<ToolLoop.TurnResult>> results, double seconds) {
    int callExamples() {
      return (int) results.stream().filter(r -> callTurn(r) != null).count();
    }

    int answerExamples() {
      return (int) results.stream().filter(r -> answerTurn(r) != null).count();
    }

    boolean namesOk(int i) {
      ToolLoop.TurnResult t = callTurn(results.get(i));
      return t != null && t.namesExact();
    }

    boolean callsOk(int i) {
      ToolLoop.TurnResult t = callTurn(results.get(i));
      return t != null && t.callsExact();
    }

    boolean answerOk(int i) {
      ToolLoop.TurnResult t = answerTurn(results.get(i));
      return t != null && t.answerExact();
    }

    int count(java.util.function.IntPredicate ok) {
      int n = 0;
      for (int i = 0; i < results.size(); i++) {
        n += ok.test(i) ? 1 : 0;
      }
      return n;
    }

    double callRate() {
      return rate(count(this::callsOk), callExamples());
    }

    double answerRate() {
      return rate(count(this::answerOk), answerExamples());
    }

    Map<String, Object> rates() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("toolCallExamples", callExamples());
      m.put("callsExact", count(this::namesOk));
      m.put("argumentsExact", count(this::callsOk));
      m.put("answerExamples", answerExamples());
      m.put("answersExact", count(this::answerOk));
      m.put("callRate", round(rate(count(this::namesOk), callExamples())));
      m.put("argumentRate", round(callRate()));
      m.put("answerRate", round(answerRate()));
      return m;
    }
  }

  static ToolLoop.TurnResult callTurn(List<ToolLoop.TurnResult> turns) {
    return turns.stream().filter(t -> t.turn().isToolCall()).findFirst().orElse(null);
  }

  static ToolLoop.TurnResult answerTurn(List<ToolLoop.TurnResult> turns) {
    return turns.stream().filter(t -> t.turn().expectedText() != null).findFirst().orElse(null);
  }

  private static double rate(int ok, int n) {
    return n == 0 ? 1.0 : (double) ok / n;
  }

  private static double round(double v) {
    return Math.round(v * 10000) / 10000.0;
  }

  @Override
  public void run(ValidationContext ctx, Findings out) throws Exception {
    ExampleGate gate = ctx.request().examples();
    if (gate == null) {
      throw new SkipCheck(
          "no examples (set edgellm.validate.examples to the examples you fine-tuned on)");
    }
    ctx.requirePassed("model.size", "model.parses", "model.embedded", "contract.io", "run.greedy");
    if (QualityCheck.isDemo(ctx)) {
      throw new SkipCheck(
          "the DEMO model has random weights: it cannot reproduce examples (set edgellm.checkpoint"
              + " to your fine-tuned model)");
    }
    DecoderContract contract = ctx.contract();
    Path model = ctx.modelPath();
    Tokenizer tokenizer;
    ChatTemplate template;
    try {
      tokenizer = Tokenizer.of(ctx.json("tokenizer.json"));
    } catch (IllegalArgumentException e) {
      out.error("tokenizer.json", e.getMessage(), "Stage the tokenizer.json of the base model");
      return;
    }
    JsonNode tokenizerConfig = ctx.json("tokenizer_config.json");
    try {
      template = ChatTemplate.of(ctx.directory(), tokenizerConfig);
    } catch (UserErrorException e) {
      out.error(
          "tokenizer_config.json",
          e.getMessage(),
          "Stage the chat template the model was fine-tuned with");
      return;
    }
    CallFormat format =
        CallFormat.detect(
            t -> tokenizer.id(t) != null, tokenizerConfig.path("chat_template").toString());
    List<Example> examples;
    try {
      examples =
          Examples.read(
              gate.examples(),
              gate.tools(),
              format == CallFormat.FUNCTION_GEMMA
                  ? Examples.ToolContent.OBJECT
                  : Examples.ToolContent.JSON_TEXT);
    } catch (UserErrorException | IOException e) {
      out.error(
          gate.examples().toString(),
          "The examples do not load: " + e.getMessage(),
          "Fix edgellm.validate.examples / edgellm.validate.tools");
      return;
    }
    int total = examples.size();
    if (examples.size() > gate.maxExamples()) {
      examples = examples.subList(0, gate.maxExamples());
    }
    out.detail("examples", gate.examples().toString());
    if (gate.tools() != null) {
      out.detail("tools", gate.tools().toString());
    }
    out.detail("callFormat", format.name());
    out.detail("examplesRun", examples.size() + " of " + total);
    Set<Long> stops = stopIds(ctx);
    out.detail("stopTokenIds", List.copyOf(stops));

    Path reference = ctx.request().reference();
    boolean withReference =
        reference != null
            && Files.isRegularFile(reference)
            && !Files.isSameFile(reference, model)
            && !(Files.size(model) == Files.size(reference)
                && Files.mismatch(model, reference) == -1);
    Run staged;
    Run ref = null;
    try {
      staged =
          replay(
              ctx, "staged", model, contract, tokenizer, template, format, stops, gate, examples);
    } catch (OrtException e) {
      out.error(
          ctx.modelFile(),
          "ONNX Runtime could not run the staged model: "
              + ValidationContext.firstLine(e.getMessage()),
          "Export again");
      return;
    }
    if (withReference) {
      try {
        ref =
            replay(
                ctx, "fp32", reference, contract, tokenizer, template, format, stops, gate,
                examples);
      } catch (OrtException e) {
        out.warn(
            reference.toString(),
            "ONNX Runtime could not run the reference: "
                + ValidationContext.firstLine(e.getMessage()),
            "Point edgellm.validate.reference at the fp32 export of this checkpoint");
      }
    }
    Map<String, Object> rates = new LinkedHashMap<>();
    rates.put("staged", staged.rates());
    if (ref != null) {
      rates.put("reference", ref.rates());
      out.detail("reference", reference.toString());
    }
    out.detail("rates", rates);
    out.detail("perExample", perExample(examples, staged, ref));
    gate(ctx, out, gate, examples, staged, ref);
  }

  private static Run replay(
      ValidationContext ctx,
      String label,
      Path model,
      DecoderContract contract,
      Tokenizer tokenizer,
      ChatTemplate template,
      CallFormat format,
      Set<Long> stops,
      ExampleGate gate,
      List<Example> examples)
      throws OrtException {
    long start = System.nanoTime();
    List<List<ToolLoop.TurnResult>> results = new ArrayList<>();
    ctx.log()
        .info(
            "  examples: replaying "
                + examples.size()
                + " on the "
                + label
                + " model ("
                + model.getFileName()
                + ")");
    try (ToolLoop loop =
        new ToolLoop(model, contract, tokenizer, template, format, stops, gate.maxNewTokens())) {
      for (int i = 0; i < examples.size(); i++) {
        Example e = examples.get(i);
        List<ToolLoop.TurnResult> r = loop.run(e);
        results.add(r);
        ToolLoop.TurnResult call = callTurn(r);
        ToolLoop.TurnResult answer = answerTurn(r);
        ctx.log()
            .info(
                String.format(
                    "  examples [%s] %d/%d %s: %s%s",
                    label,
                    i + 1,
                    examples.size(),
                    e.id(),
                    call == null ? "" : "call " + (call.callsExact() ? "ok" : "WRONG") + " ",
                    answer == null ? "" : "answer " + (answer.answerExact() ? "ok" : "differs")));
      }
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    Run run = new Run(label, results, seconds);
    ctx.log()
        .info(
            String.format(
                "  examples [%s]: calls %d/%d exact, answers %d/%d exact (%.1f s)",
                label,
                run.count(run::callsOk),
                run.callExamples(),
                run.count(run::answerOk),
                run.answerExamples(),
                seconds));
    return run;
  }

  private static void gate(
      ValidationContext ctx,
      Findings out,
      ExampleGate gate,
      List<Example> examples,
      Run staged,
      Run ref) {
    String file = gate.examples().toString();
    double requiredCalls = gate.minToolCallAccuracy() * (ref == null ? 1.0 : ref.callRate());
    double requiredAnswers = gate.minAnswerAccuracy() * (ref == null ? 1.0 : ref.answerRate());
    out.detail("requiredCallRate", round(requiredCalls));
    out.detail("requiredAnswerRate", round(requiredAnswers));
    List<String> callRegressions = new ArrayList<>();
    List<String> answerRegressions = new ArrayList<>();
    for (int i = 0; i < examples.size(); i++) {
      String name = examples.get(i).id() + " (\"" + examples.get(i).query() + "\")";
      if (callTurn(staged.results().get(i)) != null
          && !staged.callsOk(i)
          && (ref == null || ref.callsOk(i))) {
        callRegressions.add(name);
      }
      if (answerTurn(staged.results().get(i)) != null
          && !staged.answerOk(i)
          && (ref == null || ref.answerOk(i))) {
        answerRegressions.add(name);
      }
    }
    String against = ref == null ? "" : " (the fp32 reference: %s)";
    String callsLine =
        String.format(
                "tool calls exact in %d of %d examples (%.1f%%)",
                staged.count(staged::callsOk), staged.callExamples(), staged.callRate() * 100)
            + (ref == null
                ? ""
                : String.format(
                    against,
                    String.format("%d of %d", ref.count(ref::callsOk), ref.callExamples())));
    String answersLine =
        String.format(
                "final answers exact in %d of %d examples (%.1f%%)",
                staged.count(staged::answerOk), staged.answerExamples(), staged.answerRate() * 100)
            + (ref == null
                ? ""
                : String.format(
                    against,
                    String.format("%d of %d", ref.count(ref::answerOk), ref.answerExamples())));
    out.info(file, "Staged model: " + callsLine + "; " + answersLine);
    if (ref != null && (ref.callRate() < 1 || ref.answerRate() < 1)) {
      out.warn(
          file,
          String.format(
              "The fp32 model itself gets %d of %d calls and %d of %d answers exact: the gate"
                  + " compares the staged model with that",
              ref.count(ref::callsOk),
              ref.callExamples(),
              ref.count(ref::answerOk),
              ref.answerExamples()),
          "Check that the examples, the tool definitions and the chat template are the ones the"
              + " model was fine-tuned with");
    }
    boolean callsFail = staged.callRate() < requiredCalls - 1e-9;
    boolean answersFail = staged.answerRate() < requiredAnswers - 1e-9;
    String wrong = ref == null ? "wrong" : "regressed (right with fp32, wrong now)";
    if (callsFail) {
      String message =
          "The staged model's "
              + callsLine
              + ", below edgellm.validate.minToolCallAccuracy "
              + gate.minToolCallAccuracy()
              + (ref == null ? "" : " of the reference's rate")
              + "; "
              + wrong
              + ": "
              + String.join(", ", callRegressions);
      out.error(file, message, fixFor(ref));
    } else if (!callRegressions.isEmpty()) {
      out.warn(
          file, "Tool calls " + wrong + ": " + String.join(", ", callRegressions), fixFor(ref));
    }
    if (answersFail) {
      String message =
          "The staged model's "
              + answersLine
              + ", below edgellm.validate.minAnswerAccuracy "
              + gate.minAnswerAccuracy()
              + (ref == null ? "" : " of the reference's rate")
              + "; "
              + wrong
              + ": "
              + String.join(", ", answerRegressions);
      out.error(file, message, fixFor(ref));
    } else if (!answerRegressions.isEmpty()) {
      out.info(
          file,
          "Final answers " + wrong + " (within the gate): " + String.join(", ", answerRegressions));
    }
  }

  private static String fixFor(Object ref) {
    return ref == null
        ? "Fine-tune until the fp32 model reproduces the examples, or lower the threshold"
        : "Keep the embedding in fp32 (quantize's default), quantize with smaller blocks"
            + " (edgellm.quantize.blockSize=16 or 32), keep sensitive layers in float"
            + " (edgellm.quantize.excludeNodes), or lower the threshold";
  }

  private static List<Map<String, Object>> perExample(List<Example> examples, Run staged, Run ref) {
    List<Map<String, Object>> list = new ArrayList<>();
    for (int i = 0; i < examples.size(); i++) {
      Example e = examples.get(i);
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("id", e.id());
      m.put("query", e.query());
      List<ToolLoop.TurnResult> s = staged.results().get(i);
      m.put("prompt", s.get(0).prompt());
      ToolLoop.TurnResult call = callTurn(s);
      ToolLoop.TurnResult answer = answerTurn(s);
      if (call != null) {
        m.put(
            "expectedCalls", call.turn().expectedCalls().stream().map(ToolCall::toString).toList());
      }
      if (answer != null) {
        m.put("expectedAnswer", answer.turn().expectedText());
      }
      m.put("staged", outcome(s));
      if (ref != null) {
        m.put("reference", outcome(ref.results().get(i)));
      }
      list.add(m);
    }
    return list;
  }

  private static Map<String, Object> outcome(List<ToolLoop.TurnResult> turns) {
    Map<String, Object> m = new LinkedHashMap<>();
    ToolLoop.TurnResult call = callTurn(turns);
    ToolLoop.TurnResult answer = answerTurn(turns);
    if (call != null) {
      m.put("reply", call.reply());
      m.put("calls", call.calls().stream().map(ToolCall::toString).toList());
      m.put("callsExact", call.namesExact());
      m.put("argumentsExact", call.callsExact());
    }
    if (answer != null) {
      m.put("answer", answer.answer());
      m.put("answerExact", answer.answerExact());
    }
    return m;
  }

  /** generation_config.json's eos ids (else config.json's). */
  private static Set<Long> stopIds(ValidationContext ctx) throws SkipCheck {
    Set<Long> ids = new LinkedHashSet<>();
    JsonNode eos = ctx.json("generation_config.json").get("eos_token_id");
    if (eos == null || eos.isNull()) {
      eos = ctx.json("config.json").get("eos_token_id");
    }
    if (eos != null && eos.isArray()) {
      eos.forEach(n -> ids.add(n.asLong()));
    } else if (eos != null && eos.isNumber()) {
      ids.add(eos.asLong());
    }
    return ids;
  }
}
