import { parseToolCalls } from "./calls";
import { validateArguments } from "./schema";
import type {
  Generation,
  Message,
  ModelResponse,
  ToolCall,
  ToolCallFormat,
  ToolDefinition,
  ToolSchema,
} from "./types";

/** Generates one reply to a conversation (the worker's engine, or a scripted one in tests). */
export type GenerateFn = (
  messages: Message[],
  tools: ToolSchema[],
) => Promise<Generation>;

export interface LoopOptions {
  /** The registered tools: declared to the model, and run when it calls them. */
  tools: ToolDefinition[];
  format?: ToolCallFormat;
  /** Most rounds of tool calls to run; the calls of the next round are handed back. */
  maxRounds: number;
  /** False: hand every call back to the caller (Edge-LLM's manual mode). */
  executeTools: boolean;
  signal: AbortSignal;
  newCallId(): string;
}

/** What the loop reports as it goes (the provider shows it). */
export interface LoopHooks {
  /** A reply is complete: an answer, or an assistant message with `tool_calls`. */
  onReply?(message: Message, generation: Generation): void;
  /** A tool's result (or error) was added to the conversation. */
  onToolResult?(message: Message, error: boolean): void;
}

/**
 * The tool loop: generate; when the reply calls tools, run each registered handler (arguments
 * checked against its schema first), append the assistant message with `tool_calls` and one `tool`
 * message per result, and generate again, until the model answers, the round limit is reached, or
 * the signal aborts. An unknown tool, bad arguments or a handler that throws become an error result
 * the model sees (`{"error": "..."}`), never a crash. `conversation` is extended in place.
 */
export async function runToolLoop(
  conversation: Message[],
  generate: GenerateFn,
  options: LoopOptions,
  hooks: LoopHooks = {},
): Promise<ModelResponse> {
  const schemas: ToolSchema[] = options.tools.map((t) => ({
    name: t.name,
    description: t.description,
    parameters: t.parameters,
  }));
  for (let round = 0; ; round++) {
    const generation = await generate(conversation, schemas);
    const parsed = generation.aborted
      ? { calls: [], text: generation.text, errors: [] }
      : parseToolCalls(generation.raw, options.format);
    if (parsed.calls.length === 0) {
      const answer: Message = { role: "assistant", content: generation.text };
      conversation.push(answer);
      hooks.onReply?.(answer, generation);
      return generation.aborted
        ? { type: "content", text: generation.text, aborted: true }
        : { type: "content", text: generation.text };
    }

    const calls: ToolCall[] = parsed.calls.map((c) => ({
      id: options.newCallId(),
      name: c.name,
      arguments: c.arguments,
    }));
    const text = parsed.text.trim();
    const assistant: Message = {
      role: "assistant",
      content: text,
      tool_calls: calls,
    };
    conversation.push(assistant);
    hooks.onReply?.(assistant, generation);
    if (!options.executeTools)
      return { type: "tool_calls", calls, text, reason: "manual" };
    if (round >= options.maxRounds)
      return { type: "tool_calls", calls, text, reason: "round-limit" };

    for (let i = 0; i < calls.length; i++) {
      if (options.signal.aborted) return stopped();
      const outcome = await runCall(calls[i], parsed.calls[i].error, options);
      if (options.signal.aborted) return stopped();
      const message: Message = {
        role: "tool",
        tool_call_id: calls[i].id,
        name: calls[i].name,
        content: JSON.stringify(outcome.result ?? null),
      };
      conversation.push(message);
      hooks.onToolResult?.(message, outcome.error);
    }
  }
}

function stopped(): ModelResponse {
  return { type: "content", text: "", aborted: true };
}

/** Runs one call; every failure becomes `{ error }`. */
async function runCall(
  call: ToolCall,
  parseError: string | undefined,
  options: LoopOptions,
): Promise<{ result: unknown; error: boolean }> {
  const fail = (error: string) => ({ result: { error }, error: true });
  if (parseError) return fail(parseError);
  const tool = options.tools.find((t) => t.name === call.name);
  if (!tool) {
    const known = options.tools.map((t) => t.name).join(", ") || "none";
    return fail(`Unknown tool "${call.name}". Available tools: ${known}.`);
  }
  const problems = validateArguments(tool.parameters, call.arguments);
  if (problems.length > 0)
    return fail(`Invalid arguments for ${call.name}: ${problems.join("; ")}.`);
  try {
    const result = await untilAborted(
      tool.handler(call.arguments, { signal: options.signal, callId: call.id }),
      options.signal,
    );
    return { result, error: false };
  } catch (e) {
    return fail(
      `${call.name} failed: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
}

/** The handler's promise, or a rejection as soon as the signal aborts. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new Error("Stopped."));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new Error("Stopped."));
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => {
      signal.removeEventListener("abort", onAbort);
    });
  });
}
