/** The runtimes an {@link LLMConfig} can prefer. This app ships Transformers.js only. */
export type Runtime = "transformers";

/** Where the model runs: WebGPU when the browser can, else WebAssembly on the CPU. */
export type Device = "webgpu" | "wasm";

/** Configuration of {@link LLMProvider}, shaped like `@edge-llm/react`'s. */
export interface LLMConfig {
  /** The runtime to use; `"transformers"` (Transformers.js + ONNX Runtime Web). */
  preferredRuntime?: Runtime;
  /**
   * The model per runtime. A path starting with `/` is a model this app serves itself
   * (`/models/<name>`, staged by `mvn package`); anything else is a Hugging Face Hub id such as
   * `onnx-community/gemma-3-270m-it-ONNX`.
   */
  models: { transformers: string };
  /** `"auto"` (default): WebGPU if an adapter and a session can be had, else WASM. */
  device?: Device | "auto";
  /** ONNX weights variant; default: none for a local model (its config.json says), `"q4"` for the Hub. */
  dtype?: string;
  /** Most tokens one reply may have (default 256). */
  maxNewTokens?: number;
}

export type Status = "idle" | "loading" | "ready" | "generating" | "error";

export type Role = "system" | "user" | "assistant";

export interface ChatMessage {
  role: Role;
  content: string;
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
export interface ChatEntry extends ChatMessage {
  id: number;
  /** Token ids of an assistant reply, in order. */
  tokenIds?: number[];
  /** True while the reply is still streaming. */
  streaming?: boolean;
  /** True when the user stopped the reply. */
  aborted?: boolean;
  stats?: GenerationStats;
}

/** What the worker knows once the model is loaded. */
export interface LoadedInfo {
  device: Device;
  dtype: string;
  /** How the weights are stored when the plugin quantized them, e.g. "q4" (MatMulNBits). */
  weights?: string;
  /** The model's weights are random (the plugin's demo checkpoint). */
  demo: boolean;
  /** The tokenizer has a chat template; without one, each message is continued as plain text. */
  chat: boolean;
  /** The WebGPU adapter when running on WebGPU, e.g. "google swiftshader". */
  adapter?: string;
  /** Why WebGPU was not used, when it was not. */
  fallbackReason?: string;
  /** Model source: `local` (served by this app) or `remote` (Hugging Face Hub). */
  source: "local" | "remote";
  modelId: string;
}

export interface GenerateOptions {
  maxNewTokens: number;
}

/** Messages from the page to the worker. */
export type WorkerRequest =
  | { type: "load"; config: LLMConfig }
  | {
      type: "generate";
      requestId: number;
      messages: ChatMessage[];
      options: GenerateOptions;
    }
  | { type: "abort" }
  | { type: "clearCache" };

/** Messages from the worker to the page. */
export type WorkerEvent =
  | { type: "progress"; file: FileProgress }
  | { type: "fallback"; from: Device; to: Device; reason: string }
  | { type: "ready"; info: LoadedInfo }
  | { type: "token"; requestId: number; text: string; tokenIds: number[] }
  | {
      type: "done";
      requestId: number;
      aborted: boolean;
      stats: GenerationStats;
    }
  | { type: "cacheCleared"; deleted: boolean }
  | { type: "error"; requestId?: number; message: string };
