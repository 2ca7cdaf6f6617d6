import type { ChatMessage } from "./types";

/** What {@link encodePrompt} needs of a Transformers.js tokenizer. */
export interface PromptTokenizer {
  (text: string, options?: Record<string, unknown>): unknown;
  apply_chat_template(
    messages: ChatMessage[],
    options: Record<string, unknown>,
  ): unknown;
  chat_template?: unknown;
}

/** Whether the tokenizer has a chat template (tokenizer_config.json's chat_template). */
export function hasChatTemplate(tokenizer: PromptTokenizer): boolean {
  return (
    tokenizer.chat_template !== undefined &&
    tokenizer.chat_template !== null &&
    tokenizer.chat_template !== ""
  );
}

/**
 * The model inputs for a conversation: the chat template with the generation prompt when the
 * model has one; otherwise (a plain language model, e.g. TinyStories) the last user message as
 * text to continue, with the tokenizer's special tokens (BOS).
 * e2e/expected.mjs computes the browser test's expected reply the same way.
 */
export function encodePrompt(
  tokenizer: PromptTokenizer,
  messages: ChatMessage[],
): object {
  if (hasChatTemplate(tokenizer)) {
    return tokenizer.apply_chat_template(messages, {
      add_generation_prompt: true,
      return_dict: true,
    }) as object;
  }
  const last = [...messages].reverse().find((m) => m.role === "user");
  return tokenizer(last?.content ?? "") as object;
}
