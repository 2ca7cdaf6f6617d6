package dev.edgellm.validate;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The quality gate on the user's own examples ({@code quality.examples}).
 *
 * @param examples Edge-LLM fine-tuning examples (JSON array) or JSONL of chat messages
 * @param tools Edge-LLM tool definitions, or {@code null} (JSONL lines may carry their own)
 * @param minToolCallAccuracy the share of examples whose calls (names and arguments) must be exact:
 *     a fraction of the fp32 reference's rate when there is a reference, else of all examples
 * @param minAnswerAccuracy the same for the final answers
 * @param maxExamples run at most this many examples (the first ones)
 * @param maxNewTokens greedy tokens per turn at most
 */
public record ExampleGate(
    Path examples,
    Path tools,
    double minToolCallAccuracy,
    double minAnswerAccuracy,
    int maxExamples,
    int maxNewTokens) {
  /** Default for {@code minToolCallAccuracy}: every call the fp32 model gets right. */
  public static final double DEFAULT_MIN_TOOL_CALL_ACCURACY = 1.0;

  /** Default for {@code minAnswerAccuracy}: 90% of the fp32 model's exact answers. */
  public static final double DEFAULT_MIN_ANSWER_ACCURACY = 0.9;

  /** Default for {@code maxExamples}. */
  public static final int DEFAULT_MAX_EXAMPLES = 100;

  /** Default for {@code maxNewTokens}. */
  public static final int DEFAULT_MAX_NEW_TOKENS = 128;

  public ExampleGate {
    Objects.requireNonNull(examples, "examples");
    ValidationRequest.requireFraction("minToolCallAccuracy", minToolCallAccuracy);
    ValidationRequest.requireFraction("minAnswerAccuracy", minAnswerAccuracy);
    requireAtLeastOne("maxExamples", maxExamples);
    requireAtLeastOne("maxNewTokens", maxNewTokens);
  }

  /** The defaults for these files. */
  public static ExampleGate of(Path examples, Path tools) {
    return new ExampleGate(
        examples,
        tools,
        DEFAULT_MIN_TOOL_CALL_ACCURACY,
        DEFAULT_MIN_ANSWER_ACCURACY,
        DEFAULT_MAX_EXAMPLES,
        DEFAULT_MAX_NEW_TOKENS);
  }

  private static void requireAtLeastOne(String name, int v) {
    if (v < 1) {
      throw new IllegalArgumentException(name + " must be at least 1, not " + v);
    }
  }
}
