import {
  useCallback,
  useEffect,
  useMemo,
  useReducer,
  useRef,
  type ReactNode,
} from "react";
import { DEFAULT_MAX_NEW_TOKENS } from "./defaults";
import { LLMContext, type LLMApi } from "./context";
import { initialState, reduce } from "./state";
import type {
  ChatMessage,
  LLMConfig,
  WorkerEvent,
  WorkerRequest,
} from "./types";

/** What the provider needs of a Worker (tests pass a fake). */
export interface WorkerLike {
  postMessage(message: WorkerRequest): void;
  addEventListener(
    type: "message",
    listener: (event: MessageEvent<WorkerEvent>) => void,
  ): void;
  removeEventListener(
    type: "message",
    listener: (event: MessageEvent<WorkerEvent>) => void,
  ): void;
  terminate(): void;
}

export function createModelWorker(): WorkerLike {
  return new Worker(new URL("./worker.ts", import.meta.url), {
    type: "module",
  }) as unknown as WorkerLike;
}

interface Pending {
  resolve(reply: string): void;
  reject(error: Error): void;
}

/**
 * Loads the configured model in a Web Worker and gives {@link useLLM} to its children.
 *
 * ```tsx
 * <LLMProvider config={{ preferredRuntime: "transformers", models: { transformers: "/models/my-model" } }}>
 * ```
 */
export function LLMProvider({
  config,
  children,
  createWorker = createModelWorker,
}: {
  config: LLMConfig;
  children: ReactNode;
  createWorker?: () => WorkerLike;
}) {
  const [state, dispatch] = useReducer(reduce, initialState);
  const worker = useRef<WorkerLike | null>(null);
  const stateRef = useRef(state);
  stateRef.current = state;
  const pending = useRef(new Map<number, Pending>());
  const replies = useRef(new Map<number, string>());
  const nextRequest = useRef(1);
  const configKey = JSON.stringify(config);

  useEffect(() => {
    const w = createWorker();
    worker.current = w;
    w.addEventListener("message", (event) => {
      const e = event.data;
      dispatch({ type: "event", event: e });
      if (e.type === "token") {
        replies.current.set(
          e.requestId,
          (replies.current.get(e.requestId) ?? "") + e.text,
        );
      } else if (e.type === "done") {
        pending.current
          .get(e.requestId)
          ?.resolve(replies.current.get(e.requestId) ?? "");
        pending.current.delete(e.requestId);
        replies.current.delete(e.requestId);
      } else if (e.type === "error" && e.requestId !== undefined) {
        pending.current.get(e.requestId)?.reject(new Error(e.message));
        pending.current.delete(e.requestId);
        replies.current.delete(e.requestId);
      }
    });
    dispatch({ type: "load" });
    w.postMessage({ type: "load", config: JSON.parse(configKey) as LLMConfig });
    return () => {
      w.terminate();
      worker.current = null;
      for (const p of pending.current.values())
        p.reject(new Error("The model was unloaded."));
      pending.current.clear();
    };
    // createWorker is a factory, not a dependency: a new worker comes only with a new config.
  }, [configKey]);

  const send = useCallback(
    (content: string): Promise<string> => {
      const current = stateRef.current;
      const text = content.trim();
      if (current.status !== "ready" || !worker.current) {
        return Promise.reject(
          new Error(`The model is not ready (status: ${current.status}).`),
        );
      }
      if (text.length === 0) {
        return Promise.reject(new Error("The message is empty."));
      }
      const requestId = nextRequest.current++;
      const history: ChatMessage[] = current.messages
        .filter((m) => m.content.length > 0)
        .map((m) => ({ role: m.role, content: m.content }));
      const promise = new Promise<string>((resolve, reject) => {
        pending.current.set(requestId, { resolve, reject });
      });
      dispatch({ type: "send", requestId, content: text });
      // Mark the state as generating right away, so a second send() in the same tick is refused.
      stateRef.current = { ...current, status: "generating" };
      worker.current.postMessage({
        type: "generate",
        requestId,
        messages: [...history, { role: "user", content: text }],
        options: {
          maxNewTokens: config.maxNewTokens ?? DEFAULT_MAX_NEW_TOKENS,
        },
      });
      return promise;
    },
    [config.maxNewTokens],
  );

  const abort = useCallback(
    () => worker.current?.postMessage({ type: "abort" }),
    [],
  );

  const clearCache = useCallback(
    () =>
      new Promise<boolean>((resolve) => {
        const w = worker.current;
        if (!w) return resolve(false);
        const listener = (event: MessageEvent<WorkerEvent>) => {
          if (event.data.type === "cacheCleared") {
            w.removeEventListener("message", listener);
            resolve(event.data.deleted);
          }
        };
        w.addEventListener("message", listener);
        w.postMessage({ type: "clearCache" });
      }),
    [],
  );

  const clear = useCallback(() => dispatch({ type: "clear" }), []);

  const api: LLMApi = useMemo(() => {
    const { nextId: _n, activeRequest: _a, ...visible } = state;
    return { ...visible, send, abort, clearCache, clear };
  }, [state, send, abort, clearCache, clear]);

  return <LLMContext.Provider value={api}>{children}</LLMContext.Provider>;
}
