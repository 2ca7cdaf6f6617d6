import * as transformers from "@huggingface/transformers";
import { errorMessage, probeWebGpu, type GpuLike } from "./device";
import { Engine, type TransformersLike } from "./engine";
import type { WorkerEvent, WorkerRequest } from "./types";

/*
 * The model runs here, off the page's main thread. Protocol: see WorkerRequest / WorkerEvent.
 */

/** What this file uses of the worker's global scope (typed here: the project compiles with the DOM lib). */
interface WorkerScope {
  postMessage(event: WorkerEvent): void;
  addEventListener(
    type: "message",
    listener: (event: MessageEvent<WorkerRequest>) => void,
  ): void;
  location: { origin: string };
  navigator: { gpu?: GpuLike };
}
const scope = self as unknown as WorkerScope;
const base = import.meta.env.BASE_URL;
const ortBase = new URL(`${base}ort/`, scope.location.origin).href;

const engine = new Engine(transformers as unknown as TransformersLike, {
  probeWebGpu: () => probeWebGpu(scope.navigator.gpu),
  fetchJson: async (url) => {
    const response = await fetch(url);
    return response.ok
      ? ((await response.json()) as Record<string, unknown>)
      : null;
  },
  // ONNX Runtime's WASM files, served by this app (copied at build time by edge-llm.vite.ts).
  wasmPaths: {
    mjs: `${ortBase}ort-wasm-simd-threaded.asyncify.mjs`,
    wasm: `${ortBase}ort-wasm-simd-threaded.asyncify.wasm`,
  },
  caches: typeof caches === "undefined" ? undefined : caches,
  now: () => performance.now(),
});

const emit = (event: WorkerEvent) => scope.postMessage(event);

scope.addEventListener(
  "message",
  async (event: MessageEvent<WorkerRequest>) => {
    const request = event.data;
    switch (request.type) {
      case "load":
        try {
          emit({
            type: "ready",
            info: await engine.load(request.config, emit),
          });
        } catch (e) {
          emit({ type: "error", message: errorMessage(e) });
        }
        break;
      case "generate":
        try {
          await engine.generate(
            request.requestId,
            request.messages,
            request.options,
            emit,
          );
        } catch (e) {
          emit({
            type: "error",
            requestId: request.requestId,
            message: errorMessage(e),
          });
        }
        break;
      case "abort":
        engine.abort();
        break;
      case "clearCache":
        try {
          emit({ type: "cacheCleared", deleted: await engine.clearCache() });
        } catch (e) {
          emit({
            type: "error",
            message: `Clearing the cache failed: ${errorMessage(e)}`,
          });
        }
        break;
    }
  },
);
