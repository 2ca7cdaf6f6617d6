import type {
  ChatEntry,
  Device,
  FileProgress,
  GenerationStats,
  Status,
  WorkerEvent,
} from "./types";

/** Everything the provider knows; changed only by {@link reduce}. */
export interface LLMState {
  status: Status;
  /** The model has loaded (stays true while generating). */
  initialized: boolean;
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
  error?: string;
  /** The request whose reply is streaming. */
  activeRequest?: number;
  lastStats?: GenerationStats;
  nextId: number;
}

export type Action =
  | { type: "load" }
  | { type: "send"; requestId: number; content: string }
  | { type: "clear" }
  | { type: "event"; event: WorkerEvent };

export const initialState: LLMState = {
  status: "idle",
  initialized: false,
  messages: [],
  files: {},
  demo: false,
  chat: true,
  nextId: 1,
};

/**
 * The provider's state machine:
 * idle → loading → ready ⇄ generating, and loading → error when no device can run the model.
 * A failed reply keeps the model loaded (back to ready, with the error set).
 */
export function reduce(state: LLMState, action: Action): LLMState {
  switch (action.type) {
    case "load":
      return {
        ...state,
        status: "loading",
        initialized: false,
        files: {},
        error: undefined,
        fallbackReason: undefined,
      };
    case "send": {
      if (state.status !== "ready") return state;
      const user: ChatEntry = {
        id: state.nextId,
        role: "user",
        content: action.content,
      };
      const reply: ChatEntry = {
        id: state.nextId + 1,
        role: "assistant",
        content: "",
        tokenIds: [],
        streaming: true,
      };
      return {
        ...state,
        status: "generating",
        error: undefined,
        activeRequest: action.requestId,
        messages: [...state.messages, user, reply],
        nextId: state.nextId + 2,
      };
    }
    case "clear":
      return state.status === "generating"
        ? state
        : { ...state, messages: [], lastStats: undefined };
    case "event":
      return onEvent(state, action.event);
  }
}

function onEvent(state: LLMState, event: WorkerEvent): LLMState {
  switch (event.type) {
    case "progress": {
      if (state.status !== "loading") return state;
      const previous = state.files[event.file.file];
      const file =
        event.file.loaded < 0
          ? {
              file: event.file.file,
              loaded: previous?.total ?? 0,
              total: previous?.total ?? 0,
            }
          : event.file;
      return { ...state, files: { ...state.files, [file.file]: file } };
    }
    case "fallback":
      return { ...state, fallbackReason: event.reason };
    case "ready":
      return {
        ...state,
        status: "ready",
        initialized: true,
        device: event.info.device,
        adapter: event.info.adapter,
        dtype: event.info.dtype,
        weights: event.info.weights,
        demo: event.info.demo,
        chat: event.info.chat,
        fallbackReason: event.info.fallbackReason,
      };
    case "token":
      if (event.requestId !== state.activeRequest) return state;
      return updateReply(state, (m) => ({
        ...m,
        content: m.content + event.text,
        tokenIds: [...(m.tokenIds ?? []), ...event.tokenIds],
      }));
    case "done": {
      if (event.requestId !== state.activeRequest) return state;
      const next = updateReply(state, (m) => ({
        ...m,
        streaming: false,
        aborted: event.aborted,
        stats: event.stats,
      }));
      return {
        ...next,
        status: "ready",
        activeRequest: undefined,
        lastStats: event.stats,
      };
    }
    case "error":
      if (event.requestId !== undefined) {
        if (event.requestId !== state.activeRequest) return state;
        const next = updateReply(state, (m) => ({ ...m, streaming: false }));
        return {
          ...next,
          status: "ready",
          activeRequest: undefined,
          error: event.message,
        };
      }
      return state.status === "loading" || state.status === "idle"
        ? { ...state, status: "error", error: event.message }
        : { ...state, error: event.message };
    case "cacheCleared":
      return state;
  }
}

function updateReply(
  state: LLMState,
  change: (m: ChatEntry) => ChatEntry,
): LLMState {
  const last = state.messages.length - 1;
  if (last < 0 || state.messages[last].role !== "assistant") return state;
  const messages = state.messages.slice();
  messages[last] = change(messages[last]);
  return { ...state, messages };
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
