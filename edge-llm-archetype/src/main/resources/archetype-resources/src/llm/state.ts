import type {
  ChatEntry,
  Device,
  FileProgress,
  Generation,
  GenerationStats,
  LoadedInfo,
  Message,
  RuntimeStatus,
  ToolSchema,
} from "./types";

/** Everything the provider knows; changed only by {@link reduce}. */
export interface LLMState {
  /** Edge-LLM's status: idle → loading → ready, or error when no device can run the model. */
  status: RuntimeStatus;
  /** The model has loaded (stays true while generating). */
  initialized: boolean;
  /** A send() is running (generating, or running tools). */
  generating: boolean;
  /** The conversation: user messages, replies, tool calls and tool results. */
  messages: ChatEntry[];
  /** Bytes loaded per model file while loading. */
  files: Record<string, FileProgress>;
  device?: Device;
  /** The WebGPU adapter, when on WebGPU. */
  adapter?: string;
  dtype?: string;
  /** "q4" when the plugin quantized the weights. */
  weights?: string;
  demo: boolean;
  /** False for a model without a chat template (each message is continued as text). */
  chat: boolean;
  fallbackReason?: string;
  /** The variant loaded when the model offers several, e.g. "q4f16" or "q4". */
  variant?: string;
  /** Why the float16 variant was not loaded, e.g. "no shader-f16". */
  variantReason?: string;
  error?: string;
  /** Something the user should know about the last reply (e.g. the tool-round limit). */
  notice?: string;
  /** The registered tools (declared to the model with every request). */
  tools: ToolSchema[];
  lastStats?: GenerationStats;
  nextId: number;
}

export type Action =
  | { type: "load" }
  | { type: "progress"; file: FileProgress }
  | { type: "fallback"; reason: string }
  | { type: "ready"; info: LoadedInfo }
  | { type: "loadFailed"; message: string }
  | { type: "begin"; messages: Message[]; replace: boolean }
  | { type: "replyStart" }
  | { type: "token"; text: string; tokenIds: number[] }
  | { type: "reply"; message: Message; generation: Generation }
  | { type: "toolResult"; message: Message; error: boolean }
  | { type: "end"; error?: string; notice?: string }
  | { type: "tools"; tools: ToolSchema[] }
  | { type: "clear" };

export const initialState: LLMState = {
  status: "idle",
  initialized: false,
  generating: false,
  messages: [],
  files: {},
  demo: false,
  chat: true,
  tools: [],
  nextId: 1,
};

/**
 * The provider's state machine: idle → loading → ready (or error); while ready, each send() runs
 * begin → (replyStart → token* → reply → toolResult*)* → end. A failed reply keeps the model loaded
 * (ready, with the error set).
 */
export function reduce(state: LLMState, action: Action): LLMState {
  switch (action.type) {
    case "load":
      return {
        ...state,
        status: "loading",
        initialized: false,
        generating: false,
        files: {},
        error: undefined,
        fallbackReason: undefined,
      };
    case "progress": {
      if (state.status !== "loading") return state;
      const previous = state.files[action.file.file];
      const file =
        action.file.loaded < 0
          ? {
              file: action.file.file,
              loaded: previous?.total ?? 0,
              total: previous?.total ?? 0,
            }
          : action.file;
      return { ...state, files: { ...state.files, [file.file]: file } };
    }
    case "fallback":
      return { ...state, fallbackReason: action.reason };
    case "ready":
      return {
        ...state,
        status: "ready",
        initialized: true,
        device: action.info.device,
        adapter: action.info.adapter,
        dtype: action.info.dtype,
        weights: action.info.weights,
        demo: action.info.demo,
        chat: action.info.chat,
        fallbackReason: action.info.fallbackReason,
        variant: action.info.variant,
        variantReason: action.info.variantReason,
      };
    case "loadFailed":
      return { ...state, status: "error", error: action.message };
    case "begin": {
      const base = action.replace ? [] : state.messages;
      const added = action.messages.map((m, i) => entry(m, state.nextId + i));
      return {
        ...state,
        generating: true,
        error: undefined,
        notice: undefined,
        messages: [...base, ...added],
        nextId: state.nextId + added.length,
      };
    }
    case "replyStart":
      return {
        ...state,
        messages: [
          ...state.messages,
          {
            id: state.nextId,
            role: "assistant",
            content: "",
            tokenIds: [],
            streaming: true,
          },
        ],
        nextId: state.nextId + 1,
      };
    case "token":
      return updateStreaming(state, (m) => ({
        ...m,
        content: m.content + action.text,
        tokenIds: [...(m.tokenIds ?? []), ...action.tokenIds],
      }));
    case "reply":
      return {
        ...updateStreaming(state, (m) => ({
          ...entry(action.message, m.id),
          tokenIds: action.generation.tokenIds,
          stats: action.generation.stats,
          aborted: action.generation.aborted,
          streaming: false,
        })),
        lastStats: action.generation.stats,
      };
    case "toolResult":
      return {
        ...state,
        messages: [
          ...state.messages,
          { ...entry(action.message, state.nextId), error: action.error },
        ],
        nextId: state.nextId + 1,
      };
    case "end":
      return {
        ...updateStreaming(state, (m) => ({ ...m, streaming: false })),
        generating: false,
        error: action.error,
        notice: action.notice,
      };
    case "tools":
      return { ...state, tools: action.tools };
    case "clear":
      return state.generating
        ? state
        : { ...state, messages: [], lastStats: undefined, notice: undefined };
  }
}

function entry(message: Message, id: number): ChatEntry {
  return { ...message, id };
}

/** Changes the reply that is streaming, if there is one. */
function updateStreaming(
  state: LLMState,
  change: (m: ChatEntry) => ChatEntry,
): LLMState {
  const last = state.messages.length - 1;
  if (last < 0 || !state.messages[last].streaming) return state;
  const messages = state.messages.slice();
  messages[last] = change(messages[last]);
  return { ...state, messages };
}

/** The conversation as the model sees it (UI fields dropped, an unfinished reply left out). */
export function conversationOf(entries: ChatEntry[]): Message[] {
  return entries
    .filter(
      (e) =>
        !e.streaming &&
        !(e.role === "assistant" && e.content === "" && !e.tool_calls),
    )
    .map((e) => {
      const m: Message = { role: e.role, content: e.content };
      if (e.tool_calls) m.tool_calls = e.tool_calls;
      if (e.tool_call_id !== undefined) m.tool_call_id = e.tool_call_id;
      if (e.name !== undefined) m.name = e.name;
      return m;
    });
}

/**
 * Bytes loaded over all files, and the fraction (0..1). `known` is false while a file's size is not
 * known yet (its download has not started): the fraction would then run ahead of the truth.
 */
export function totalProgress(files: Record<string, FileProgress>): {
  loaded: number;
  total: number;
  fraction: number;
  known: boolean;
} {
  let loaded = 0;
  let total = 0;
  let known = true;
  for (const f of Object.values(files)) {
    loaded += f.loaded;
    total += f.total;
    if (f.total <= 0) known = false;
  }
  return {
    loaded,
    total,
    fraction: total > 0 ? Math.min(1, loaded / total) : 0,
    known: known && total > 0,
  };
}
