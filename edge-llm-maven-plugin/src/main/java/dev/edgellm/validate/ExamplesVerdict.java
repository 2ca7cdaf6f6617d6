package dev.edgellm.validate;

import dev.edgellm.chat.Example;
import dev.edgellm.chat.ToolCall;
import dev.edgellm.maven.Properties;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The findings of {@code quality.examples} from the replays: the staged model's rates against the
 * gate (scaled by the reference's rates when there is one), the examples that regressed, and the
 * per-example outcomes for the report.
 */
final class ExamplesVerdict {
  private ExamplesVerdict() {}

  static void gate(
      ValidationContext ctx,
      Findings out,
      ExampleGate gate,
      List<Example> examples,
      ExampleRun staged,
      ExampleRun ref) {
    String file = gate.examples().toString();
    double requiredCalls = gate.minToolCallAccuracy() * (ref == null ? 1.0 : ref.callRate());
    double requiredAnswers = gate.minAnswerAccuracy() * (ref == null ? 1.0 : ref.answerRate());
    out.detail("requiredCallRate", ExampleRun.round(requiredCalls));
    out.detail("requiredAnswerRate", ExampleRun.round(requiredAnswers));
    List<String> callRegressions = new ArrayList<>();
    List<String> answerRegressions = new ArrayList<>();
    for (int i = 0; i < examples.size(); i++) {
      String name = examples.get(i).id() + " (\"" + examples.get(i).query() + "\")";
      if (ExampleRun.callTurn(staged.results().get(i)) != null
          && !staged.callsOk(i)
          && (ref == null || ref.callsOk(i))) {
        callRegressions.add(name);
      }
      if (ExampleRun.answerTurn(staged.results().get(i)) != null
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
              + ", below "
              + Properties.VALIDATE_MIN_TOOL_CALL_ACCURACY
              + " "
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
              + ", below "
              + Properties.VALIDATE_MIN_ANSWER_ACCURACY
              + " "
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
            + " ("
            + Properties.QUANTIZE_BLOCK_SIZE
            + "=16 or 32), keep sensitive layers in float"
            + " ("
            + Properties.QUANTIZE_EXCLUDE_NODES
            + "), or lower the threshold";
  }

  static List<Map<String, Object>> perExample(
      List<Example> examples, ExampleRun staged, ExampleRun ref) {
    List<Map<String, Object>> list = new ArrayList<>();
    for (int i = 0; i < examples.size(); i++) {
      Example e = examples.get(i);
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("id", e.id());
      m.put("query", e.query());
      List<ToolLoop.TurnResult> s = staged.results().get(i);
      m.put("prompt", s.get(0).prompt());
      ToolLoop.TurnResult call = ExampleRun.callTurn(s);
      ToolLoop.TurnResult answer = ExampleRun.answerTurn(s);
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
    ToolLoop.TurnResult call = ExampleRun.callTurn(turns);
    ToolLoop.TurnResult answer = ExampleRun.answerTurn(turns);
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
}
