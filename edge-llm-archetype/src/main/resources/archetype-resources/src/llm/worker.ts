import * as transformers from "@huggingface/transformers";
import { errorMessage, probeWebGpu, type GpuLike } from "./device";
import { Engine, type EngineEvent, type TransformersLike } from "./engine";
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

const post = (event: WorkerEvent) => scope.postMessage(event);

/** Runs one request; its events and its answer (or error) carry the request's id. */
async function handle(request: WorkerRequest): Promise<void> {
  if (request.type === "abort") {
    engine.abort();
    return;
  }
  const id = request.id;
  const emit = (event: EngineEvent) => post({ ...event, id } as WorkerEvent);
  try {
    switch (request.type) {
      case "load":
        post({
          type: "ready",
          id,
          info: await engine.load(request.config, emit),
        });
        break;
      case "generate":
        post({
          type: "done",
          id,
          generation: await engine.generate(
            request.messages,
            request.tools,
            request.options,
            emit,
          ),
        });
        break;
      case "clearCache":
        post({ type: "cacheCleared", id, deleted: await engine.clearCache() });
        break;
    }
  } catch (e) {
    post({ type: "error", id, message: errorMessage(e) });
  }
}

scope.addEventListener("message", (event: MessageEvent<WorkerRequest>) => {
  void handle(event.data);
});
