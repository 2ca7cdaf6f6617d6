import { createContext } from "react";
import type { LLMState } from "./state";
import type { GenerationStats } from "./types";

export interface LLMApi extends Omit<LLMState, "nextId" | "activeRequest"> {
  /** Sends a user message; resolves with the full reply once it has streamed (or was stopped). */
  send(content: string): Promise<string>;
  /** Stops the reply that is streaming; what came so far stays. */
  abort(): void;
  /** Deletes cached Hub model files from the browser (local models are never cached). */
  clearCache(): Promise<boolean>;
  /** Empties the conversation. */
  clear(): void;
  lastStats?: GenerationStats;
}

export const LLMContext = createContext<LLMApi | null>(null);
