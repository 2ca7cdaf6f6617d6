export {
  LLMProvider,
  createModelWorker,
  type LLMProviderProps,
} from "./LLMProvider";
export { useLLM, type UseLLMOptions } from "./useLLM";
export { totalProgress } from "./state";
export { chooseVariant, deviceLabel, stagedVariants } from "./variant";
export { runToolLoop } from "./toolLoop";
export { parseToolCalls } from "./calls";
export { validateArguments } from "./schema";
export type { WorkerLike } from "./channel";
export type { LLMApi, LLMApi as UseLLMReturn, SendInput } from "./context";
export type * from "./types";
