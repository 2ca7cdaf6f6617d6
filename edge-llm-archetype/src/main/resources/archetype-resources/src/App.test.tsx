import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { App } from "./App";
import { LLMProvider } from "./llm";
import { FakeWorker, generation, settle } from "./testing/fakeWorker";

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

describe("App", () => {
  it("shows bytes per file and a progress bar while loading", async () => {
    const worker = renderApp();
    await worker.emit({
      type: "progress",
      id: 1,
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

  it("shows the device, the weights, the demo banner with example prompts, and a WASM fallback reason", async () => {
    const worker = renderApp();
    await worker.ready({
      device: "wasm",
      weights: "q4",
      demo: true,
      fallbackReason: "no WebGPU adapter",
    });
    expect(screen.getByTestId("device-badge").textContent).toBe("WASM");
    expect(screen.getByTestId("weights").textContent).toBe("q4");
    expect(screen.getByTestId("demo-banner").textContent).toMatch(
      /only memorized the example queries/,
    );
    const examples = screen.getAllByTestId("example");
    expect(examples).toHaveLength(44);
    expect(screen.getByTestId("fallback").textContent).toContain(
      "no WebGPU adapter",
    );
    expect(screen.queryByTestId("loading")).toBeNull();

    // One click sends the example.
    fireEvent.click(examples[0]);
    expect(worker.last("generate").messages).toEqual([
      { role: "user", content: "What is 15 plus 27?" },
    ]);
  });

  it("lists the registered tools and declares them to the model", async () => {
    const worker = renderApp();
    await worker.ready({ demo: false });
    expect(screen.queryByTestId("examples")).toBeNull();
    expect(
      screen.getAllByTestId("tool").map((t) => t.getAttribute("data-name")),
    ).toEqual(["calculate", "get_weather", "search_web"]);
    fireEvent.change(screen.getByTestId("prompt"), {
      target: { value: "Weather in Tokyo?" },
    });
    fireEvent.click(screen.getByTestId("send"));
    expect(worker.last("generate").tools.map((t) => t.name)).toEqual([
      "calculate",
      "get_weather",
      "search_web",
    ]);
  });

  it("shows the tool call, the handler's result (labelled demo data) and the answer", async () => {
    const worker = renderApp();
    await worker.ready();
    fireEvent.change(screen.getByTestId("prompt"), {
      target: { value: "What's the weather like in Tokyo?" },
    });
    fireEvent.click(screen.getByTestId("send"));
    await worker.emit({
      type: "done",
      id: worker.last("generate").id,
      generation: generation(
        ["call:get_weather{location:Tokyo}"],
        "<start_function_call>call:get_weather{location:<escape>Tokyo<escape>}<end_function_call><start_function_response>",
      ),
    });
    await settle();
    const call = screen.getByTestId("tool-call");
    expect(call.getAttribute("data-name")).toBe("get_weather");
    expect(call.getAttribute("data-arguments")).toBe('{"location":"Tokyo"}');
    const result = screen.getByTestId("tool-result");
    expect(result.getAttribute("data-content")).toBe(
      '{"temperature":22,"condition":"sunny","humidity":65}',
    );
    expect(result.textContent).toContain("demo data");
    await worker.reply(["The weather in Tokyo is sunny."]);
    const answer = screen.getAllByTestId("message").at(-1)!;
    expect(answer.getAttribute("data-kind")).toBe("text");
    expect(answer.textContent).toContain("The weather in Tokyo is sunny.");
    expect(
      document.querySelector(".app")!.getAttribute("data-generating"),
    ).toBe("false");
  });

  it("shows which variant loaded and why q4f16 was not taken", async () => {
    const worker = renderApp();
    await worker.ready({
      device: "webgpu",
      dtype: "q4",
      weights: "q4",
      variant: "q4",
      variantReason: "no shader-f16",
    });
    const badge = screen.getByTestId("device-badge");
    expect(badge.textContent).toBe("WebGPU · q4 (no shader-f16)");
    expect(badge.getAttribute("data-variant")).toBe("q4");
  });

  it("streams a reply, offers Stop while it streams, then shows tokens/s", async () => {
    const worker = renderApp();
    await worker.ready({ device: "webgpu" });
    expect(screen.getByTestId("device-badge").textContent).toBe("WebGPU");
    fireEvent.change(screen.getByTestId("prompt"), {
      target: { value: "Hello" },
    });
    fireEvent.click(screen.getByTestId("send"));
    const id = worker.last("generate").id;
    await worker.emit({
      type: "token",
      id,
      text: "Hi",
      raw: "Hi",
      tokenIds: [5],
    });
    const reply = () => screen.getAllByTestId("message").at(-1)!;
    expect(reply().getAttribute("data-streaming")).toBe("true");
    expect(reply().textContent).toContain("Hi");
    fireEvent.click(screen.getByTestId("stop"));
    expect(worker.requests.at(-1)).toEqual({ type: "abort" });

    await worker.emit({
      type: "done",
      id,
      generation: {
        raw: "Hi",
        text: "Hi",
        tokenIds: [5],
        aborted: true,
        stats: { tokens: 1, firstTokenMs: 5, tokensPerSecond: 12.34 },
      },
    });
    expect(reply().getAttribute("data-aborted")).toBe("true");
    expect(reply().getAttribute("data-token-ids")).toBe("5");
    expect(screen.getByTestId("tps").textContent).toBe("12.3 tokens/s");
    expect(screen.queryByTestId("stop")).toBeNull();
  });

  it("says when the model only continues text", async () => {
    const worker = renderApp();
    await worker.ready({ chat: false });
    expect(screen.getByTestId("completion-mode").textContent).toMatch(
      /no chat template/,
    );
  });
});
