/*
 * The public types of src/llm. The first part mirrors `@edge-llm/core` 0.1 (Message, ToolDefinition,
 * ToolCall, ModelResponse, RuntimeStatus, RuntimeConfig, ChatOptions), so code written for
 * `@edge-llm/react` compiles against this module; additions are optional fields.
 */

/** JSON Schema of a tool's arguments (an object). */
export type JSONSchema = {
  type: "object";
  properties: Record<string, JSONSchemaProperty>;
  required?: string[];
  additionalProperties?: boolean;
  description?: string;
};

export type JSONSchemaProperty = {
  type: "string" | "number" | "integer" | "boolean" | "array" | "object";
  description?: string;
  enum?: (string | number)[];
  items?: JSONSchemaProperty;
  properties?: Record<string, JSONSchemaProperty>;
  required?: string[];
};

/** What a tool's handler gets besides its arguments. */
export interface ToolContext {
  /** Aborted when the user stops the reply (Stop, `abort()`). */
  signal: AbortSignal;
  /** The id of the call being answered. */
  callId: string;
}

/** A tool the model may call. */
export interface ToolDefinition {
  name: string;
  description: string;
  parameters: JSONSchema;
  /** Runs the call; what it resolves to is given to the model (as JSON). A throw is an error result. */
  handler: (
    args: Record<string, unknown>,
    context?: ToolContext,
  ) => Promise<unknown>;
}

/** A tool call the model made. */
export interface ToolCall {
  id: string;
  name: string;
  arguments: Record<string, unknown>;
}

export interface ToolResult {
  tool_call_id: string;
  result: unknown;
  error?: string;
}

/** A message of the conversation. A `tool` message's content is the result as JSON text. */
export interface Message {
  role: "user" | "assistant" | "system" | "tool";
  content: string;
  tool_calls?: ToolCall[];
  tool_call_id?: string;
  name?: string;
}

export type ModelResponse = ToolCallsResponse | ContentResponse;

/** The model called tools that this app did not run (manual mode, or the round limit). */
export interface ToolCallsResponse {
  type: "tool_calls";
  calls: ToolCall[];
  text?: string;
  /** Why the calls were not run: `"manual"` (executeTools: false) or `"round-limit"`. */
  reason?: "manual" | "round-limit";
}

export interface ToolCallChunk {
  type: "tool_call_chunk";
  tool_call: ToolCall;
}

export interface ContentResponse {
  type: "content";
  /** With `{ stream: true }`: the answer's text as it is generated, and each tool call made. */
  stream?: AsyncIterable<string | ToolCallChunk>;
  /** The answer (without `stream`: complete when the promise resolves). */
  text?: string;
  /** True when the user stopped the reply. */
  aborted?: boolean;
}

export type RuntimeType = "webllm" | "transformers" | "api" | "auto";

export type RuntimeStatus =
  "idle" | "initializing" | "loading" | "ready" | "error";

/**
 * How tool calls are written in the model's replies. `"auto"` (default) recognizes them all:
 * FunctionGemma (`"xml"` or `"functiongemma"`), Hermes/Qwen `<tool_call>` (`"xml"` or `"hermes"`)
 * and Llama 3.x JSON (`"json"` or `"llama3"`).
 */
export type ToolCallFormat =
  "json" | "xml" | "auto" | "functiongemma" | "hermes" | "llama3";

/** Where the model runs: WebGPU when the browser can, else WebAssembly on the CPU. */
export type Device = "webgpu" | "wasm";

/** Configuration of {@link LLMProvider}, as `@edge-llm/core`'s RuntimeConfig. */
export interface RuntimeConfig {
  /** `"transformers"` or `"auto"` (the same here: this app ships Transformers.js only). */
  preferredRuntime?: RuntimeType;
  debug?: boolean;
  fallbackStrategy?: "quality" | "speed" | "cost";
  apiUrl?: string;
  apiKey?: string;
  apiBaseUrl?: string;
  modelId?: string;
  /** Sampling temperature; 0 or unset: greedy. */
  temperature?: number;
  /** Most tokens one generation may have (default 256). */
  maxTokens?: number;
  /**
   * The model per runtime. A path starting with `/` is a model this app serves itself
   * (`/models/<name>`, staged by `mvn package`); anything else is a Hugging Face Hub id such as
   * `onnx-community/gemma-3-270m-it-ONNX`.
   */
  models?: { webllm?: string; transformers?: string; api?: string };
  /** `"auto"` (default): WebGPU if an adapter and a session can be had, else WASM. */
  device?: Device | "auto";
  /** ONNX weights variant; default: none for a local model (its config.json says), `"q4"` for the Hub. */
  dtype?: string;
  toolCallFormat?: ToolCallFormat;
  signal?: AbortSignal;
  performance?: {
    maxConcurrentInference?: number;
    /** Milliseconds the worker may stay silent during a generation before it fails (default 300000). */
    inferenceTimeout?: number;
    modelCacheTTL?: number;
  };
  /** Same as maxTokens (this app's earlier name). */
  maxNewTokens?: number;
  /** Most rounds of tool calls one send() runs before it hands the calls back (default 5). */
  maxToolRounds?: number;
}

/** This app's name for {@link RuntimeConfig}. */
export type LLMConfig = RuntimeConfig;

export interface ChatOptions {
  /** Resolve at once with a `stream` of the answer (ContentResponse). */
  stream?: boolean;
  temperature?: number;
  maxTokens?: number;
}

/** Options of `send()`: Edge-LLM's ChatOptions and this app's tool-loop settings. */
export interface SendOptions extends ChatOptions {
  /** Run registered tools and continue (default true); false: return the calls (manual mode). */
  executeTools?: boolean;
  /** Overrides the config's maxToolRounds. */
  maxToolRounds?: number;
}

/** A tool as the chat template sees it (no handler). */
export interface ToolSchema {
  name: string;
  description: string;
  parameters: JSONSchema;
}

/** Bytes loaded of one model file. */
export interface FileProgress {
  file: string;
  loaded: number;
  total: number;
}

export interface GenerationStats {
  /** Tokens generated. */
  tokens: number;
  /** Milliseconds from the request to the first token. */
  firstTokenMs: number;
  /** Tokens per second after the first token (decode speed). */
  tokensPerSecond: number;
}

/** A message in the chat, as the UI shows it. */
export interface ChatEntry extends Message {
  id: number;
  /** Token ids of an assistant reply, in order. */
  tokenIds?: number[];
  /** True while the reply is still streaming. */
  streaming?: boolean;
  /** True when the user stopped the reply. */
  aborted?: boolean;
  /** A tool message whose call failed (unknown tool, bad arguments, the handler threw). */
  error?: boolean;
  stats?: GenerationStats;
}

/** What the worker knows once the model is loaded. */
export interface LoadedInfo {
  device: Device;
  dtype: string;
  /** How the weights are stored when the plugin quantized them, e.g. "q4" (MatMulNBits). */
  weights?: string;
  /** The plugin's demo model (edge-llm.json or config.json says so). */
  demo: boolean;
  /** The tokenizer has a chat template; without one, each message is continued as plain text. */
  chat: boolean;
  /** The WebGPU adapter when running on WebGPU, e.g. "google swiftshader". */
  adapter?: string;
  /** Why WebGPU was not used, when it was not. */
  fallbackReason?: string;
  /**
   * The variant loaded when the model offers several (edge-llm.json's `variants`): "q4f16" on
   * WebGPU with `shader-f16`, else "q4".
   */
  variant?: string;
  /** Why the float16 variant was not loaded although the model has it, e.g. "no shader-f16". */
  variantReason?: string;
  /** Model source: `local` (served by this app) or `remote` (Hugging Face Hub). */
  source: "local" | "remote";
  modelId: string;
  /** Token ids that end a generation (generation_config.json's eos_token_id). */
  stopTokenIds: number[];
}

export interface GenerateOptions {
  maxNewTokens: number;
  temperature?: number;
}

/** One finished generation. */
export interface Generation {
  /** Decoded with special tokens: what the tool-call parsers read. */
  raw: string;
  /** Decoded without special tokens: what the UI shows. */
  text: string;
  tokenIds: number[];
  aborted: boolean;
  stats: GenerationStats;
}

/** Messages from the page to the worker; each request has an id its answer carries. */
export type WorkerRequest =
  | { type: "load"; id: number; config: LLMConfig }
  | {
      type: "generate";
      id: number;
      messages: Message[];
      tools: ToolSchema[];
      options: GenerateOptions;
    }
  | { type: "abort" }
  | { type: "clearCache"; id: number };

/** Messages from the worker to the page, each with the id of the request it answers. */
export type WorkerEvent =
  | { type: "progress"; id: number; file: FileProgress }
  | { type: "fallback"; id: number; from: Device; to: Device; reason: string }
  | { type: "ready"; id: number; info: LoadedInfo }
  | { type: "token"; id: number; text: string; raw: string; tokenIds: number[] }
  | { type: "done"; id: number; generation: Generation }
  | { type: "cacheCleared"; id: number; deleted: boolean }
  | { type: "error"; id: number; message: string };
