import { describe, expect, it, vi } from "vitest";
import {
  encodePrompt,
  hasChatTemplate,
  toTemplateMessages,
  wantsStructuredToolResults,
  type PromptTokenizer,
} from "./prompt";
import { afterTheCall, calculateSchema } from "../testing/calculator";

function tokenizer(
  chatTemplate: unknown,
): PromptTokenizer & { calls: unknown[] } {
  const calls: unknown[] = [];
  const fn = vi.fn((text: string, options?: unknown) => {
    calls.push(["plain", text, options]);
    return { input_ids: [text] };
  });
  return Object.assign(fn, {
    calls,
    chat_template: chatTemplate,
    apply_chat_template: (messages: unknown, options: unknown) => {
      calls.push(["chat", messages, options]);
      return { input_ids: ["chat"] };
    },
  });
}

const conversation = [
  { role: "user" as const, content: "Once upon a time" },
  { role: "assistant" as const, content: "there was" },
  { role: "user" as const, content: "a dragon" },
];

describe("encodePrompt", () => {
  it("uses the chat template with the generation prompt when there is one", () => {
    const t = tokenizer("{% for m in messages %}...{% endfor %}");
    expect(hasChatTemplate(t)).toBe(true);
    expect(encodePrompt(t, conversation)).toEqual({ input_ids: ["chat"] });
    expect(t.calls).toEqual([
      [
        "chat",
        conversation,
        { add_generation_prompt: true, return_dict: true },
      ],
    ]);
  });

  it("continues the last user message as plain text without one (e.g. TinyStories)", () => {
    for (const none of [null, undefined, ""]) {
      const t = tokenizer(none);
      expect(hasChatTemplate(t)).toBe(false);
      expect(encodePrompt(t, conversation)).toEqual({
        input_ids: ["a dragon"],
      });
      expect(t.calls).toEqual([["plain", "a dragon", undefined]]);
    }
  });

  it("renders tool calls and results in the shape chat templates expect, with the tools", () => {
    const t = tokenizer("... <start_function_response> ...");
    expect(wantsStructuredToolResults(t)).toBe(true);
    const tools = [calculateSchema];
    encodePrompt(t, afterTheCall, tools);
    // tool-calls.json's prompt_turn2 comes from exactly these shapes (Transformers.js 4.3.1
    // renders all 44 examples as transformers does).
    expect(t.calls[0]).toEqual([
      "chat",
      [
        { role: "user", content: "What is 15 plus 27?" },
        {
          role: "assistant",
          content: "",
          tool_calls: [
            {
              id: "call_1",
              type: "function",
              function: {
                name: "calculate",
                arguments: { expression: "15 + 27" },
              },
            },
          ],
        },
        {
          role: "tool",
          name: "calculate",
          tool_call_id: "call_1",
          content: { result: 42 },
        },
      ],
      {
        tools: [{ type: "function", function: tools[0] }],
        add_generation_prompt: true,
        return_dict: true,
      },
    ]);
  });

  it("gives other templates a tool result as JSON text; strings stay strings", () => {
    const results = ['{"result":42}', '"plain"', "[1,2]", "not json"].map(
      (content) => ({ role: "tool" as const, name: "f", content }),
    );
    expect(toTemplateMessages(results, false).map((m) => m.content)).toEqual([
      '{"result":42}',
      '"plain"',
      "[1,2]",
      "not json",
    ]);
    expect(toTemplateMessages(results, true).map((m) => m.content)).toEqual([
      { result: 42 },
      "plain",
      "[1,2]",
      "not json",
    ]);
  });

  it("accepts a dictionary of named templates as a chat template", () => {
    expect(hasChatTemplate(tokenizer({ default: "..." }))).toBe(true);
  });
});
