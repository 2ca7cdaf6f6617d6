package dev.edgellm.validate;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntPredicate;

/**
 * The examples replayed on one model ({@code label}: staged or fp32): per example its turns'
 * results, and the counts and rates of exact calls and answers.
 */
record ExampleRun(String label, List<List<ToolLoop.TurnResult>> results, double seconds) {
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

  int count(IntPredicate ok) {
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

  static ToolLoop.TurnResult callTurn(List<ToolLoop.TurnResult> turns) {
    return turns.stream().filter(t -> t.turn().isToolCall()).findFirst().orElse(null);
  }

  static ToolLoop.TurnResult answerTurn(List<ToolLoop.TurnResult> turns) {
    return turns.stream().filter(t -> t.turn().expectedText() != null).findFirst().orElse(null);
  }

  static double rate(int ok, int n) {
    return n == 0 ? 1.0 : (double) ok / n;
  }

  static double round(double v) {
    return Math.round(v * 10000) / 10000.0;
  }
}
