import type { Message, ToolSchema } from "./types";

/** What {@link encodePrompt} needs of a Transformers.js tokenizer. */
export interface PromptTokenizer {
  (text: string, options?: Record<string, unknown>): unknown;
  apply_chat_template(
    messages: TemplateMessage[],
    options: Record<string, unknown>,
  ): unknown;
  chat_template?: unknown;
}

/** A message as chat templates read it (OpenAI's shape: `tool_calls[].function`). */
export interface TemplateMessage {
  role: string;
  content: unknown;
  name?: string;
  tool_call_id?: string;
  tool_calls?: {
    id: string;
    type: "function";
    function: { name: string; arguments: Record<string, unknown> };
  }[];
}

/** A tool as chat templates read it. */
export interface TemplateTool {
  type: "function";
  function: ToolSchema;
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
 * Whether the template renders a tool result's fields itself (FunctionGemma writes
 * `response:NAME{key:value,...}`): it then gets the result as an object, other templates get the
 * JSON text.
 */
export function wantsStructuredToolResults(
  tokenizer: PromptTokenizer,
): boolean {
  return JSON.stringify(tokenizer.chat_template ?? "").includes(
    "start_function_response",
  );
}

/**
 * The conversation in the shape chat templates expect: an assistant's calls as
 * `tool_calls: [{id, type: "function", function: {name, arguments}}]`, a tool message as
 * `{role: "tool", name, tool_call_id, content}` where content is the parsed result object when
 * `structured` (and the result is an object), else its JSON text.
 */
export function toTemplateMessages(
  messages: Message[],
  structured: boolean,
): TemplateMessage[] {
  return messages.map((m) => {
    if (m.role === "assistant" && m.tool_calls?.length) {
      return {
        role: "assistant",
        content: m.content,
        tool_calls: m.tool_calls.map((c) => ({
          id: c.id,
          type: "function" as const,
          function: { name: c.name, arguments: c.arguments },
        })),
      };
    }
    if (m.role === "tool") {
      return {
        role: "tool",
        content: structured ? structuredContent(m.content) : m.content,
        ...(m.name !== undefined ? { name: m.name } : {}),
        ...(m.tool_call_id !== undefined
          ? { tool_call_id: m.tool_call_id }
          : {}),
      };
    }
    return { role: m.role, content: m.content };
  });
}

function structuredContent(content: string): unknown {
  try {
    const value: unknown = JSON.parse(content);
    if (typeof value === "string") return value;
    if (value && typeof value === "object" && !Array.isArray(value))
      return value;
  } catch {
    // not JSON: the text itself
  }
  return content;
}

export function toTemplateTools(tools: ToolSchema[]): TemplateTool[] {
  return tools.map((t) => ({
    type: "function",
    function: {
      name: t.name,
      description: t.description,
      parameters: t.parameters,
    },
  }));
}

/**
 * The model inputs for a conversation: the chat template with the tools and the generation prompt
 * when the model has one (Transformers.js `apply_chat_template`, so each model gets the format it
 * was trained on); otherwise (a plain language model, e.g. TinyStories) the last user message as
 * text to continue, with the tokenizer's special tokens (BOS).
 */
export function encodePrompt(
  tokenizer: PromptTokenizer,
  messages: Message[],
  tools: ToolSchema[] = [],
): object {
  if (hasChatTemplate(tokenizer)) {
    return tokenizer.apply_chat_template(
      toTemplateMessages(messages, wantsStructuredToolResults(tokenizer)),
      {
        ...(tools.length > 0 ? { tools: toTemplateTools(tools) } : {}),
        add_generation_prompt: true,
        return_dict: true,
      },
    ) as object;
  }
  const last = [...messages].reverse().find((m) => m.role === "user");
  return tokenizer(last?.content ?? "") as object;
}
