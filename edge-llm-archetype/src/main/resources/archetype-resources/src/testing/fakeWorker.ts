import { act } from "@testing-library/react";
import type { WorkerLike } from "../llm/channel";
import type {
  Generation,
  LoadedInfo,
  WorkerEvent,
  WorkerRequest,
} from "../llm/types";

type Listener = (event: never) => void;

/** A worker the tests drive by hand: it records requests and emits the events it is told to. */
export class FakeWorker implements WorkerLike {
  requests: WorkerRequest[] = [];
  terminated = false;
  private listeners = {
    message: new Set<Listener>(),
    error: new Set<Listener>(),
  };

  postMessage(message: WorkerRequest) {
    this.requests.push(message);
  }
  addEventListener(type: "message" | "error", l: Listener) {
    this.listeners[type].add(l);
  }
  removeEventListener(type: "message" | "error", l: Listener) {
    this.listeners[type].delete(l);
  }
  terminate() {
    this.terminated = true;
  }

  /** The last request of a type (its id is what the answer must carry). */
  last<T extends WorkerRequest["type"]>(
    type: T,
  ): Extract<WorkerRequest, { type: T }> {
    const r = [...this.requests].reverse().find((q) => q.type === type);
    if (!r) throw new Error(`no ${type} request`);
    return r as Extract<WorkerRequest, { type: T }>;
  }

  /** Delivers an event, then lets the provider's promise chains run. */
  async emit(event: WorkerEvent) {
    await act(async () => {
      for (const l of [...this.listeners.message])
        (l as (e: MessageEvent<WorkerEvent>) => void)({
          data: event,
        } as MessageEvent<WorkerEvent>);
      await flush();
    });
  }

  /** The worker's script failed (an error event, no request id). */
  async crash(message: string) {
    await act(async () => {
      for (const l of [...this.listeners.error])
        (l as (e: ErrorEvent) => void)({ message } as ErrorEvent);
      await flush();
    });
  }

  async ready(info: Partial<LoadedInfo> = {}) {
    await this.emit({
      type: "ready",
      id: this.last("load").id,
      info: { ...readyInfo, ...info },
    });
  }

  /** Streams `tokens` for the last generate request, then finishes it with `raw`. */
  async reply(tokens: string[], raw = tokens.join(""), aborted = false) {
    const id = this.last("generate").id;
    for (let i = 0; i < tokens.length; i++)
      await this.emit({
        type: "token",
        id,
        text: tokens[i],
        raw: tokens[i],
        tokenIds: [i + 1],
      });
    await this.emit({
      type: "done",
      id,
      generation: generation(tokens, raw, aborted),
    });
  }
}

export const readyInfo: LoadedInfo = {
  device: "wasm",
  dtype: "fp32",
  demo: true,
  source: "local",
  modelId: "m",
  chat: true,
  fallbackReason: "no adapter",
  stopTokenIds: [1],
};

export function generation(
  tokens: string[],
  raw = tokens.join(""),
  aborted = false,
): Generation {
  return {
    raw,
    text: tokens.join(""),
    tokenIds: tokens.map((_, i) => i + 1),
    aborted,
    stats: { tokens: tokens.length, firstTokenMs: 3, tokensPerSecond: 50 },
  };
}

async function flush() {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

/** Lets the provider's promise chains (the tool loop) run. */
export async function settle() {
  await act(flush);
}
