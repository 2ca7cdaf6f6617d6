export { LLMProvider, createModelWorker, type WorkerLike } from "./LLMProvider";
export { useLLM } from "./useLLM";
export { totalProgress } from "./state";
export type { LLMApi } from "./context";
export type * from "./types";
