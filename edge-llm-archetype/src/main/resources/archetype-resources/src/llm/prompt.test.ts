import { describe, expect, it, vi } from "vitest";
import { encodePrompt, hasChatTemplate, type PromptTokenizer } from "./prompt";

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

  it("accepts a dictionary of named templates as a chat template", () => {
    expect(hasChatTemplate(tokenizer({ default: "..." }))).toBe(true);
  });
});
