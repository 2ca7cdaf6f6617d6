package dev.edgellm.chat;

import java.util.List;

/**
 * One conversation to replay: the turns the model must produce, each after the conversation so far.
 * An Edge-LLM fine-tuning example has two: the tool calls after the user's query, then the final
 * answer after the expected calls and the tools' responses.
 *
 * @param id where the example comes from (e.g. {@code examples.json #3})
 * @param query the user's query (for reports)
 * @param tools the tool declarations the template gets ({@code {type: function, function}}), or
 *     {@code null}
 * @param turns the model's turns
 */
public record Example(String id, String query, List<Object> tools, List<Turn> turns) {
  /**
   * A turn the model must produce.
   *
   * @param messages the conversation before it (JSON-like values)
   * @param expectedCalls the calls the model must make, empty when it must answer in text
   * @param expectedText the text it must answer, or {@code null} when it must call tools
   */
  public record Turn(List<Object> messages, List<ToolCall> expectedCalls, String expectedText) {
    public boolean isToolCall() {
      return !expectedCalls.isEmpty();
    }
  }
}
