// Stand-in for examples/app/src/store (zustand): the same hooks and types, backed by React state.
import {
  createContext,
  createElement,
  useContext,
  useState,
  type ReactNode,
} from "react";
import type { Message } from "@edge-llm/core";

export type RuntimeType = "webllm" | "transformers" | "api";

interface Store {
  input: string;
  loading: boolean;
  conversationHistory: Message[];
  runtime: RuntimeType;
  log: string[];
}

const initial: Store = {
  input: "",
  loading: false,
  conversationHistory: [],
  runtime: "transformers",
  log: [],
};

const StoreContext = createContext<
  [Store, (change: (s: Store) => Store) => void] | null
>(null);

export function ChatStoreProvider({
  children,
  input = "",
}: {
  children: ReactNode;
  input?: string;
}) {
  const [store, setStore] = useState<Store>({ ...initial, input });
  return createElement(
    StoreContext.Provider,
    { value: [store, setStore] },
    children,
  );
}

function useStore() {
  const value = useContext(StoreContext);
  if (!value) throw new Error("ChatStoreProvider missing");
  return value;
}

export const useChatState = () => useStore()[0];
export const useRuntimeState = () => ({ runtime: useStore()[0].runtime });

export function useRuntimeActions() {
  const [, set] = useStore();
  return {
    setRuntime: (runtime: RuntimeType) => set((s) => ({ ...s, runtime })),
  };
}

export function useChatActions() {
  const [, set] = useStore();
  const log = (line: string) => set((s) => ({ ...s, log: [...s.log, line] }));
  return {
    syncLLMStatus: (_status: string, _initialized: boolean) => undefined,
    clearInput: () => set((s) => ({ ...s, input: "" })),
    setLoading: (loading: boolean) => set((s) => ({ ...s, loading })),
    setError: (error: string | null) => error && log(`error ${error}`),
    addUserMessage: (content: string) => log(`user ${content}`),
    addAssistantMessage: (content: string) => log(`assistant ${content}`),
    addToolCallMessage: (name: string, args: Record<string, unknown>) =>
      log(`call ${name} ${JSON.stringify(args)}`),
    addToolResultMessage: (name: string, result: unknown, ok: boolean) =>
      log(`result ${name} ${JSON.stringify(result)} ${ok}`),
    appendToHistory: (m: Message) =>
      set((s) => ({
        ...s,
        conversationHistory: [...s.conversationHistory, m],
      })),
    appendMultipleToHistory: (ms: Message[]) =>
      set((s) => ({
        ...s,
        conversationHistory: [...s.conversationHistory, ...ms],
      })),
  };
}

/** What the stand-in store recorded (for the compatibility test). */
export const useChatLog = () => useStore()[0].log;
