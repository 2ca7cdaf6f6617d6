import { describe, expectTypeOf, it } from "vitest";
import type {
  ChatOptions,
  Message,
  ModelResponse,
  RuntimeConfig,
  RuntimeStatus,
  ToolCall,
  ToolDefinition,
} from "@edge-llm/core";
import { useLLM, type LLMProviderProps } from "@edge-llm/react";

/*
 * Type-level proof (Vitest typecheck, i.e. tsc) that src/llm has @edge-llm/react 0.1's API: what
 * useLLM() returns is usable wherever Edge-LLM's UseLLMReturn is, and the core types have its shapes.
 * The real README and example code in this folder compile as well (readme.tsx, example/).
 */

/** @edge-llm/react 0.1's UseLLMReturn, field by field. */
interface EdgeLlmUseLLMReturn {
  send: (
    message:
      | string
      | Message
      | { toolResults: Array<{ tool_call_id: string; result: unknown }> },
    options?: ChatOptions,
  ) => Promise<ModelResponse>;
  registerTool: (tool: ToolDefinition) => void;
  registerTools: (tools: ToolDefinition[]) => void;
  unregisterTool: (name: string) => void;
  status: RuntimeStatus;
  initialized: boolean;
  clearCache: () => Promise<void>;
}

describe("@edge-llm/react compatibility", () => {
  it("useLLM() returns at least Edge-LLM's fields, with compatible types", () => {
    const api = {} as ReturnType<typeof useLLM>;
    // Assignable: every field Edge-LLM code reads or calls is there, with a compatible type.
    const edge: EdgeLlmUseLLMReturn = api;
    expectTypeOf(edge.send).returns.toEqualTypeOf<Promise<ModelResponse>>();
    // send() takes what Edge-LLM's implementation takes, Message[] included.
    type Input = Parameters<typeof api.send>[0];
    expectTypeOf<string>().toExtend<Input>();
    expectTypeOf<Message>().toExtend<Input>();
    expectTypeOf<Message[]>().toExtend<Input>();
    expectTypeOf<{
      toolResults: Array<{ tool_call_id: string; result: unknown }>;
    }>().toExtend<Input>();
    expectTypeOf<ChatOptions>().toExtend<Parameters<typeof api.send>[1]>();
  });

  it("the core types have Edge-LLM's shapes", () => {
    expectTypeOf<Message["role"]>().toEqualTypeOf<
      "user" | "assistant" | "system" | "tool"
    >();
    expectTypeOf<ToolCall>().toEqualTypeOf<{
      id: string;
      name: string;
      arguments: Record<string, unknown>;
    }>();
    expectTypeOf<RuntimeStatus>().toEqualTypeOf<
      "idle" | "initializing" | "loading" | "ready" | "error"
    >();
    expectTypeOf<
      Extract<ModelResponse, { type: "tool_calls" }>["calls"]
    >().toEqualTypeOf<ToolCall[]>();
    expectTypeOf<Extract<ModelResponse, { type: "content" }>>().toHaveProperty(
      "stream",
    );
    expectTypeOf<RuntimeConfig>().toHaveProperty("toolCallFormat");
    expectTypeOf<RuntimeConfig>().toHaveProperty("maxTokens");
    expectTypeOf<LLMProviderProps>().toHaveProperty("enableServiceWorker");
    // A handler written for Edge-LLM (one argument) is a ToolDefinition handler here.
    expectTypeOf<
      (args: Record<string, unknown>) => Promise<unknown>
    >().toMatchTypeOf<ToolDefinition["handler"]>();
  });
});
