import {
  act,
  cleanup,
  fireEvent,
  render,
  screen,
} from "@testing-library/react";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { App } from "./App";
import { LLMProvider, type WorkerLike } from "./llm";
import type { WorkerEvent, WorkerRequest } from "./llm";

class FakeWorker implements WorkerLike {
  requests: WorkerRequest[] = [];
  private listeners = new Set<(e: MessageEvent<WorkerEvent>) => void>();
  postMessage(m: WorkerRequest) {
    this.requests.push(m);
  }
  addEventListener(_: "message", l: (e: MessageEvent<WorkerEvent>) => void) {
    this.listeners.add(l);
  }
  removeEventListener(_: "message", l: (e: MessageEvent<WorkerEvent>) => void) {
    this.listeners.delete(l);
  }
  terminate() {}
  emit(event: WorkerEvent) {
    act(() =>
      this.listeners.forEach((l) =>
        l({ data: event } as MessageEvent<WorkerEvent>),
      ),
    );
  }
}

beforeAll(() => {
  // jsdom has no layout: the chat scrolls its last message into view.
  Element.prototype.scrollIntoView = () => undefined;
});
afterEach(cleanup);

function renderApp() {
  const worker = new FakeWorker();
  render(
    <LLMProvider
      config={{ models: { transformers: "/models/m" } }}
      createWorker={() => worker}
    >
      <App model="/models/m" />
    </LLMProvider>,
  );
  return worker;
}

const ready = (
  info: Partial<Extract<WorkerEvent, { type: "ready" }>["info"]> = {},
): WorkerEvent => ({
  type: "ready",
  info: {
    device: "webgpu",
    dtype: "fp32",
    demo: false,
    chat: true,
    source: "local",
    modelId: "m",
    ...info,
  },
});

describe("App", () => {
  it("shows bytes per file and a progress bar while loading", () => {
    const worker = renderApp();
    worker.emit({
      type: "progress",
      file: {
        file: "onnx/model.onnx",
        loaded: 512 * 1024,
        total: 2 * 1024 * 1024,
      },
    });
    expect(screen.getByTestId("loading").textContent).toContain(
      "onnx/model.onnx: 512.0 KB / 2.00 MB",
    );
    expect(screen.getByRole("progressbar").getAttribute("value")).toBe("0.25");
    expect((screen.getByTestId("send") as HTMLButtonElement).disabled).toBe(
      true,
    );
  });

  it("shows the device, the weights, the demo banner and a WASM fallback reason", () => {
    const worker = renderApp();
    worker.emit(
      ready({
        device: "wasm",
        weights: "q4",
        demo: true,
        fallbackReason: "no WebGPU adapter",
      }),
    );
    expect(screen.getByTestId("device-badge").textContent).toBe("WASM");
    expect(screen.getByTestId("weights").textContent).toBe("q4");
    expect(screen.getByTestId("demo-banner").textContent).toMatch(
      /random weights/,
    );
    expect(screen.getByTestId("fallback").textContent).toContain(
      "no WebGPU adapter",
    );
    expect(screen.queryByTestId("loading")).toBeNull();
  });

  it("streams a reply, offers Stop while it streams, then shows tokens/s", () => {
    const worker = renderApp();
    worker.emit(ready());
    expect(screen.getByTestId("device-badge").textContent).toBe("WebGPU");
    fireEvent.change(screen.getByTestId("prompt"), {
      target: { value: "Hello" },
    });
    fireEvent.click(screen.getByTestId("send"));
    expect(worker.requests.at(-1)).toMatchObject({
      type: "generate",
      messages: [{ role: "user", content: "Hello" }],
    });

    worker.emit({ type: "token", requestId: 1, text: "Hi", tokenIds: [5] });
    const reply = () => screen.getAllByTestId("message").at(-1)!;
    expect(reply().getAttribute("data-streaming")).toBe("true");
    expect(reply().textContent).toContain("Hi");
    fireEvent.click(screen.getByTestId("stop"));
    expect(worker.requests.at(-1)).toEqual({ type: "abort" });

    worker.emit({
      type: "done",
      requestId: 1,
      aborted: true,
      stats: { tokens: 1, firstTokenMs: 5, tokensPerSecond: 12.34 },
    });
    expect(reply().getAttribute("data-aborted")).toBe("true");
    expect(reply().getAttribute("data-token-ids")).toBe("5");
    expect(screen.getByTestId("tps").textContent).toBe("12.3 tokens/s");
    expect(screen.queryByTestId("stop")).toBeNull();
  });

  it("says when the model only continues text", () => {
    const worker = renderApp();
    worker.emit(ready({ chat: false }));
    expect(screen.getByTestId("completion-mode").textContent).toMatch(
      /no chat template/,
    );
  });
});
