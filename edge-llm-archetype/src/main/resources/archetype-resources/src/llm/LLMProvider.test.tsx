import { act, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { cleanup } from "@testing-library/react";
import { LLMProvider, type WorkerLike } from "./LLMProvider";
import { useLLM } from "./useLLM";
import type { LLMApi } from "./context";
import type { WorkerEvent, WorkerRequest } from "./types";

/** A worker the test drives by hand: it records requests and emits the events it is told to. */
class FakeWorker implements WorkerLike {
  requests: WorkerRequest[] = [];
  terminated = false;
  private listeners = new Set<(e: MessageEvent<WorkerEvent>) => void>();
  postMessage(message: WorkerRequest) {
    this.requests.push(message);
  }
  addEventListener(_: "message", l: (e: MessageEvent<WorkerEvent>) => void) {
    this.listeners.add(l);
  }
  removeEventListener(_: "message", l: (e: MessageEvent<WorkerEvent>) => void) {
    this.listeners.delete(l);
  }
  terminate() {
    this.terminated = true;
  }
  emit(event: WorkerEvent) {
    act(() => {
      for (const l of [...this.listeners])
        l({ data: event } as MessageEvent<WorkerEvent>);
    });
  }
}

let api: LLMApi;
function Probe() {
  api = useLLM();
  return <div data-testid="status">{api.status}</div>;
}

function setup(maxNewTokens?: number) {
  const worker = new FakeWorker();
  const view = render(
    <LLMProvider
      config={{
        preferredRuntime: "transformers",
        models: { transformers: "/models/m" },
        maxNewTokens,
      }}
      createWorker={() => worker}
    >
      <Probe />
    </LLMProvider>,
  );
  return { worker, view };
}

const readyEvent: WorkerEvent = {
  type: "ready",
  info: {
    device: "wasm",
    dtype: "fp32",
    demo: true,
    source: "local",
    modelId: "m",
    chat: true,
    fallbackReason: "no adapter",
  },
};

afterEach(cleanup);

describe("LLMProvider", () => {
  it("asks the worker to load the configured model and reports loading", () => {
    const { worker } = setup();
    expect(worker.requests[0]).toEqual({
      type: "load",
      config: {
        preferredRuntime: "transformers",
        models: { transformers: "/models/m" },
      },
    });
    expect(screen.getByTestId("status").textContent).toBe("loading");
    expect(api.initialized).toBe(false);
  });

  it("becomes ready with the active device", () => {
    const { worker } = setup();
    worker.emit(readyEvent);
    expect(api).toMatchObject({
      status: "ready",
      initialized: true,
      device: "wasm",
      demo: true,
      fallbackReason: "no adapter",
    });
  });

  it("sends the conversation and resolves with the streamed reply", async () => {
    const { worker } = setup(16);
    worker.emit(readyEvent);
    let reply!: Promise<string>;
    act(() => {
      reply = api.send("  Hello  ");
    });
    expect(worker.requests[1]).toEqual({
      type: "generate",
      requestId: 1,
      messages: [{ role: "user", content: "Hello" }],
      options: { maxNewTokens: 16 },
    });
    expect(api.status).toBe("generating");
    worker.emit({ type: "token", requestId: 1, text: "Hi", tokenIds: [1] });
    expect(api.messages[1]).toMatchObject({
      role: "assistant",
      content: "Hi",
      streaming: true,
    });
    worker.emit({ type: "token", requestId: 1, text: "!", tokenIds: [2] });
    worker.emit({
      type: "done",
      requestId: 1,
      aborted: false,
      stats: { tokens: 2, firstTokenMs: 3, tokensPerSecond: 50 },
    });
    await expect(reply).resolves.toBe("Hi!");
    expect(api.status).toBe("ready");
    expect(api.lastStats?.tokensPerSecond).toBe(50);

    // The next turn carries the history.
    act(() => {
      api.send("More").catch(() => undefined);
    });
    expect(worker.requests[2]).toMatchObject({
      messages: [
        { role: "user", content: "Hello" },
        { role: "assistant", content: "Hi!" },
        { role: "user", content: "More" },
      ],
    });
  });

  it("refuses a send before the model is ready, and a second one while streaming", async () => {
    const { worker } = setup();
    await expect(api.send("x")).rejects.toThrow(/not ready/);
    worker.emit(readyEvent);
    act(() => {
      api.send("one").catch(() => undefined);
    });
    await expect(api.send("two")).rejects.toThrow(/generating/);
    expect(worker.requests.filter((r) => r.type === "generate")).toHaveLength(
      1,
    );
  });

  it("aborts through the worker and keeps the partial reply", async () => {
    const { worker } = setup();
    worker.emit(readyEvent);
    let reply!: Promise<string>;
    act(() => {
      reply = api.send("long story");
    });
    worker.emit({ type: "token", requestId: 1, text: "Once", tokenIds: [1] });
    act(() => api.abort());
    expect(worker.requests.at(-1)).toEqual({ type: "abort" });
    worker.emit({
      type: "done",
      requestId: 1,
      aborted: true,
      stats: { tokens: 1, firstTokenMs: 1, tokensPerSecond: 0 },
    });
    await expect(reply).resolves.toBe("Once");
    expect(api.messages[1]).toMatchObject({ content: "Once", aborted: true });
  });

  it("rejects a failed reply and shows the load error", async () => {
    const { worker } = setup();
    worker.emit({ type: "error", message: "Protobuf parsing failed" });
    expect(api).toMatchObject({
      status: "error",
      error: "Protobuf parsing failed",
    });
  });

  it("clears the cache through the worker", async () => {
    const { worker } = setup();
    let result!: Promise<boolean>;
    act(() => {
      result = api.clearCache();
    });
    expect(worker.requests.at(-1)).toEqual({ type: "clearCache" });
    worker.emit({ type: "cacheCleared", deleted: true });
    await expect(result).resolves.toBe(true);
  });

  it("stops the worker when unmounted", () => {
    const { worker, view } = setup();
    view.unmount();
    expect(worker.terminated).toBe(true);
  });

  it("useLLM outside the provider says where it belongs", () => {
    const Lonely = () => {
      useLLM();
      return null;
    };
    expect(() => render(<Lonely />)).toThrow(/inside <LLMProvider>/);
  });
});
