import { useContext } from "react";
import { LLMContext, type LLMApi } from "./context";

/** The model's state and actions; use inside {@link LLMProvider}. */
export function useLLM(): LLMApi {
  const api = useContext(LLMContext);
  if (!api) {
    throw new Error("useLLM() must be called inside <LLMProvider>.");
  }
  return api;
}
