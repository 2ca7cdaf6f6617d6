import { createContext } from "react";
import type { LLMState } from "./state";
import type {
  Message,
  ModelResponse,
  RuntimeType,
  SendOptions,
  ToolDefinition,
} from "./types";

/** What send() accepts, as Edge-LLM's useLLM().send. */
export type SendInput =
  | string
  | Message
  | Message[]
  | { toolResults: Array<{ tool_call_id: string; result: unknown }> };

/**
 * What {@link useLLM} returns: `@edge-llm/react`'s fields (send, registerTool, registerTools,
 * unregisterTool, status, initialized, clearCache, activeRuntime) and this app's (the conversation,
 * streaming, abort, progress, device and speed).
 */
export interface LLMApi extends Omit<LLMState, "nextId"> {
  /**
   * Sends the next message and resolves with the model's response.
   * - a string or a Message: appended to the conversation;
   * - a Message[]: replaces the conversation (Edge-LLM passes the whole history);
   * - `{ toolResults }`: the results of calls returned earlier (manual mode), then continues.
   *
   * When the reply calls tools, registered tools run and the model continues, up to
   * `maxToolRounds` rounds; with `{ executeTools: false }` the calls are returned instead
   * (`{ type: "tool_calls", calls }`). With `{ stream: true }` it resolves at once with
   * `{ type: "content", stream }`. The conversation in `messages` streams token by token either way.
   */
  send(input: SendInput, options?: SendOptions): Promise<ModelResponse>;
  /** Declares a tool to the model (replacing one of the same name) and runs it when called. */
  registerTool(tool: ToolDefinition): void;
  registerTools(tools: ToolDefinition[]): void;
  unregisterTool(name: string): void;
  /** `"transformers"` once the model is loaded. */
  activeRuntime: RuntimeType | null;
  /** Stops the reply that is streaming and the tool loop; what came so far stays. */
  abort(): void;
  /**
   * Deletes cached Hub model files from the browser (local models are never cached). Settles
   * always: rejects when the worker fails, crashes or does not answer within 30 s.
   */
  clearCache(): Promise<void>;
  /** Empties the conversation. */
  clear(): void;
}

export const LLMContext = createContext<LLMApi | null>(null);
