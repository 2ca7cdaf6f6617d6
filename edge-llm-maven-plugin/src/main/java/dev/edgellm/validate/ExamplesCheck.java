package dev.edgellm.validate;

import ai.onnxruntime.OrtException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.edgellm.chat.CallFormat;
import dev.edgellm.chat.ChatTemplate;
import dev.edgellm.chat.Example;
import dev.edgellm.chat.Examples;
import dev.edgellm.chat.Tokenizer;
import dev.edgellm.maven.Properties;
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

  @Override
  public void run(ValidationContext ctx, Findings out) throws Exception {
    ExampleGate gate = ctx.request().examples();
    if (gate == null) {
      throw new SkipCheck(
          "no examples (set "
              + Properties.VALIDATE_EXAMPLES
              + " to the examples you fine-tuned on)");
    }
    QualityRuns.requireRunnable(ctx);
    if (QualityRuns.isDemo(ctx)) {
      throw new SkipCheck(
          "the DEMO model has random weights: it cannot reproduce examples (set "
              + Properties.CHECKPOINT
              + " to your fine-tuned model)");
    }
    if (!QualityRuns.examplesApply(ctx)) {
      throw new SkipCheck(
          "the model has no chat template (a base model): the examples of "
              + Properties.VALIDATE_EXAMPLES
              + " are conversations and do not apply; the top-1 agreement ("
              + QualityCheck.ID
              + ") is the quality gate. For a chat or tool model, stage the chat template it was"
              + " fine-tuned with");
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
          "Fix " + Properties.VALIDATE_EXAMPLES + " / " + Properties.VALIDATE_TOOLS);
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
            && !QualityRuns.sameModel(reference, model);
    ExampleRun staged;
    ExampleRun ref = null;
    try {
      staged =
          replay(
              ctx, "staged", model, contract, tokenizer, template, format, stops, gate, examples);
    } catch (OrtException e) {
      QualityRuns.stagedFailed(ctx, out, e);
      return;
    }
    if (withReference) {
      try {
        ref =
            replay(
                ctx, "fp32", reference, contract, tokenizer, template, format, stops, gate,
                examples);
      } catch (OrtException e) {
        out.warn(reference.toString(), QualityRuns.referenceFailed(e), QualityRuns.REFERENCE_FIX);
      }
    }
    Map<String, Object> rates = new LinkedHashMap<>();
    rates.put("staged", staged.rates());
    if (ref != null) {
      rates.put("reference", ref.rates());
      out.detail("reference", reference.toString());
    }
    out.detail("rates", rates);
    out.detail("perExample", ExamplesVerdict.perExample(examples, staged, ref));
    ExamplesVerdict.gate(ctx, out, gate, examples, staged, ref);
  }

  private static ExampleRun replay(
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
        ToolLoop.TurnResult call = ExampleRun.callTurn(r);
        ToolLoop.TurnResult answer = ExampleRun.answerTurn(r);
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
    ExampleRun run = new ExampleRun(label, results, seconds);
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
