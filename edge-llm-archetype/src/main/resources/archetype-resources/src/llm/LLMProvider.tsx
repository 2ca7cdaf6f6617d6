import {
  useCallback,
  useEffect,
  useMemo,
  useReducer,
  useRef,
  type ReactNode,
} from "react";
import { WorkerChannel, type WorkerLike } from "./channel";
import { LLMContext, type LLMApi, type SendInput } from "./context";
import {
  CLEAR_CACHE_TIMEOUT_MS,
  DEFAULT_MAX_NEW_TOKENS,
  DEFAULT_MAX_TOOL_ROUNDS,
  GENERATE_TIMEOUT_MS,
  LOAD_TIMEOUT_MS,
} from "./defaults";
import { conversationOf, initialState, reduce, type Action } from "./state";
import { ReplyStream } from "./stream";
import { runToolLoop, type GenerateFn } from "./toolLoop";
import type {
  LLMConfig,
  Message,
  ModelResponse,
  SendOptions,
  ToolDefinition,
} from "./types";

export function createModelWorker(): WorkerLike {
  return new Worker(new URL("./worker.ts", import.meta.url), {
    type: "module",
  }) as unknown as WorkerLike;
}

export interface LLMProviderProps {
  config?: LLMConfig;
  children: ReactNode;
  /** Makes the model's Web Worker (tests pass a fake). */
  createWorker?: () => WorkerLike;
  /** Accepted for `@edge-llm/react` compatibility; the model always runs in a Web Worker here. */
  enableServiceWorker?: boolean;
  serviceWorkerPath?: string;
}

/**
 * Loads the configured model in a Web Worker and gives {@link useLLM} to its children.
 *
 * ```tsx
 * <LLMProvider config={{ preferredRuntime: "transformers", models: { transformers: "/models/my-model" } }}>
 * ```
 */
export function LLMProvider({
  config = {},
  children,
  createWorker = createModelWorker,
}: LLMProviderProps) {
  const [state, dispatch] = useReducer(reduce, initialState);
  const channel = useRef<WorkerChannel | null>(null);
  const stateRef = useRef(state);
  stateRef.current = state;
  const configRef = useRef(config);
  configRef.current = config;
  const tools = useRef(new Map<string, ToolDefinition>());
  const running = useRef<AbortController | null>(null);
  const nextCallId = useRef(1);
  const configKey = JSON.stringify(config);

  useEffect(() => {
    const c = new WorkerChannel(createWorker());
    channel.current = c;
    dispatch({ type: "load" });
    c.request(
      { type: "load", config: JSON.parse(configKey) as LLMConfig },
      LOAD_TIMEOUT_MS,
      (e) => {
        if (e.type === "progress") dispatch({ type: "progress", file: e.file });
        if (e.type === "fallback")
          dispatch({ type: "fallback", reason: e.reason });
      },
    ).then(
      (e) => {
        if (e.type === "ready") dispatch({ type: "ready", info: e.info });
      },
      (e: Error) => {
        if (channel.current === c)
          dispatch({ type: "loadFailed", message: e.message });
      },
    );
    return () => {
      running.current?.abort();
      channel.current = null;
      c.close();
    };
    // createWorker is a factory, not a dependency: a new worker comes only with a new config.
  }, [configKey]);

  const send = useCallback(
    (input: SendInput, options: SendOptions = {}): Promise<ModelResponse> => {
      const current = stateRef.current;
      const c = channel.current;
      if (current.status !== "ready" || !c)
        return Promise.reject(
          new Error(`The model is not ready (status: ${current.status}).`),
        );
      if (current.generating)
        return Promise.reject(new Error("A reply is already in progress."));
      let added: Message[];
      try {
        added = newMessages(input, conversationOf(current.messages));
      } catch (e) {
        return Promise.reject(e);
      }
      const replace = Array.isArray(input);
      const conversation = [
        ...(replace ? [] : conversationOf(current.messages)),
        ...added,
      ];
      dispatch({ type: "begin", messages: added, replace });
      // Mark the state as busy right away, so a second send() in the same tick is refused.
      stateRef.current = { ...current, generating: true };

      const cfg = configRef.current;
      const controller = new AbortController();
      running.current = controller;
      const stream = options.stream ? new ReplyStream() : undefined;
      const maxRounds =
        options.maxToolRounds ?? cfg.maxToolRounds ?? DEFAULT_MAX_TOOL_ROUNDS;
      const generate = generator(c, dispatch, stream, {
        maxNewTokens:
          options.maxTokens ??
          cfg.maxTokens ??
          cfg.maxNewTokens ??
          DEFAULT_MAX_NEW_TOKENS,
        temperature: options.temperature ?? cfg.temperature,
        timeoutMs: cfg.performance?.inferenceTimeout ?? GENERATE_TIMEOUT_MS,
      });
      const loop = runToolLoop(
        conversation,
        generate,
        {
          tools: [...tools.current.values()],
          format: cfg.toolCallFormat,
          maxRounds,
          executeTools: options.executeTools ?? true,
          signal: controller.signal,
          newCallId: () => `call_${nextCallId.current++}`,
        },
        {
          onReply: (message, generation) => {
            dispatch({ type: "reply", message, generation });
            stream?.replyDone(message.tool_calls);
          },
          onToolResult: (message, error) =>
            dispatch({ type: "toolResult", message, error }),
        },
      ).then(
        (response) => {
          const limited =
            response.type === "tool_calls" && response.reason === "round-limit";
          dispatch({
            type: "end",
            notice: limited
              ? `Stopped after ${maxRounds} rounds of tool calls; the last calls were not run.`
              : undefined,
          });
          stream?.end();
          return response;
        },
        (e: Error) => {
          dispatch({ type: "end", error: e.message });
          stream?.end(e);
          throw e;
        },
      );
      void loop
        .finally(() => {
          if (running.current === controller) running.current = null;
        })
        .catch(() => undefined);
      if (stream) {
        loop.catch(() => undefined); // the stream carries the error
        return Promise.resolve({ type: "content", stream });
      }
      return loop;
    },
    [],
  );

  const abort = useCallback(() => {
    running.current?.abort();
    channel.current?.notify({ type: "abort" });
  }, []);

  const clearCache = useCallback(async (): Promise<void> => {
    const c = channel.current;
    if (!c) throw new Error("The model worker is not running.");
    await c.request({ type: "clearCache" }, CLEAR_CACHE_TIMEOUT_MS);
  }, []);

  const clear = useCallback(() => dispatch({ type: "clear" }), []);

  const publishTools = useCallback(
    () =>
      dispatch({
        type: "tools",
        tools: [...tools.current.values()].map((t) => ({
          name: t.name,
          description: t.description,
          parameters: t.parameters,
        })),
      }),
    [],
  );
  const registerTools = useCallback(
    (list: ToolDefinition[]) => {
      for (const t of list) tools.current.set(t.name, t);
      publishTools();
    },
    [publishTools],
  );
  const registerTool = useCallback(
    (tool: ToolDefinition) => registerTools([tool]),
    [registerTools],
  );
  const unregisterTool = useCallback(
    (name: string) => {
      tools.current.delete(name);
      publishTools();
    },
    [publishTools],
  );

  const api: LLMApi = useMemo(() => {
    const { nextId: _n, ...visible } = state;
    return {
      ...visible,
      activeRuntime: state.initialized ? "transformers" : null,
      send,
      registerTool,
      registerTools,
      unregisterTool,
      abort,
      clearCache,
      clear,
    };
  }, [
    state,
    send,
    registerTool,
    registerTools,
    unregisterTool,
    abort,
    clearCache,
    clear,
  ]);

  return <LLMContext.Provider value={api}>{children}</LLMContext.Provider>;
}

/** The messages a send() adds to the conversation. */
function newMessages(input: SendInput, conversation: Message[]): Message[] {
  if (typeof input === "string") {
    const text = input.trim();
    if (text === "") throw new Error("The message is empty.");
    return [{ role: "user", content: text }];
  }
  if (Array.isArray(input)) {
    if (input.length === 0) throw new Error("No messages to send.");
    return input.map((m) => ({ ...m }));
  }
  if ("toolResults" in input) {
    const calls = conversation.flatMap((m) => m.tool_calls ?? []);
    return input.toolResults.map((r) => {
      const call = calls.find((c) => c.id === r.tool_call_id);
      if (!call)
        throw new Error(
          `No tool call "${r.tool_call_id}" in the conversation.`,
        );
      return {
        role: "tool",
        tool_call_id: call.id,
        name: call.name,
        content: JSON.stringify(r.result ?? null),
      };
    });
  }
  return [{ ...input }];
}

/** One generation in the worker, streamed into the state (and the response's stream). */
function generator(
  c: WorkerChannel,
  dispatch: (action: Action) => void,
  stream: ReplyStream | undefined,
  options: { maxNewTokens: number; temperature?: number; timeoutMs: number },
): GenerateFn {
  return async (messages, schemas) => {
    dispatch({ type: "replyStart" });
    const e = await c.request(
      {
        type: "generate",
        messages,
        tools: schemas,
        options: {
          maxNewTokens: options.maxNewTokens,
          ...(options.temperature !== undefined
            ? { temperature: options.temperature }
            : {}),
        },
      },
      options.timeoutMs,
      (event) => {
        if (event.type !== "token") return;
        dispatch({
          type: "token",
          text: event.text,
          tokenIds: event.tokenIds,
        });
        stream?.token(event.text, event.raw);
      },
    );
    if (e.type !== "done") throw new Error(`Unexpected answer "${e.type}".`);
    return e.generation;
  };
}
