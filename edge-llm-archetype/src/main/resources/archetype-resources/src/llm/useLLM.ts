import { useContext, useEffect } from "react";
import { LLMContext, type LLMApi } from "./context";
import type { RuntimeStatus } from "./types";

export interface UseLLMOptions {
  /** Called when the status changes. */
  onStatusChange?: (status: RuntimeStatus) => void;
}

/** The model's state and actions; use inside {@link LLMProvider}. */
export function useLLM(options?: UseLLMOptions): LLMApi {
  const api = useContext(LLMContext);
  if (!api) {
    throw new Error("useLLM() must be called inside <LLMProvider>.");
  }
  const onStatusChange = options?.onStatusChange;
  const status = api.status;
  useEffect(() => {
    onStatusChange?.(status);
  }, [status, onStatusChange]);
  return api;
}
