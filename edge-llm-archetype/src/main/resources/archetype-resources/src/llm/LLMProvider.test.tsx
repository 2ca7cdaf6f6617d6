import { act, cleanup, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { FakeWorker, settle } from "../testing/fakeWorker";
import type { LLMApi } from "./context";
import { LLMProvider } from "./LLMProvider";
import type { ModelResponse, ToolDefinition } from "./types";
import { useLLM } from "./useLLM";

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

const adder: ToolDefinition = {
  name: "add",
  description: "Adds two numbers",
  parameters: {
    type: "object",
    properties: { a: { type: "number" }, b: { type: "number" } },
    required: ["a", "b"],
  },
  handler: async (args) => ({ sum: Number(args.a) + Number(args.b) }),
};
const CALL =
  "<start_function_call>call:add{a:2,b:3}<end_function_call><start_function_response>";

afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

describe("LLMProvider", () => {
  it("asks the worker to load the configured model and reports loading", () => {
    const { worker } = setup();
    expect(worker.requests[0]).toEqual({
      type: "load",
      id: 1,
      config: {
        preferredRuntime: "transformers",
        models: { transformers: "/models/m" },
      },
    });
    expect(screen.getByTestId("status").textContent).toBe("loading");
    expect(api.initialized).toBe(false);
    expect(api.activeRuntime).toBeNull();
  });

  it("becomes ready with the active device", async () => {
    const { worker } = setup();
    await worker.ready();
    expect(api).toMatchObject({
      status: "ready",
      initialized: true,
      activeRuntime: "transformers",
      device: "wasm",
      demo: true,
      fallbackReason: "no adapter",
    });
  });

  it("sends the conversation and resolves with the streamed reply", async () => {
    const { worker } = setup(16);
    await worker.ready();
    let reply!: Promise<ModelResponse>;
    act(() => {
      reply = api.send("  Hello  ");
    });
    expect(worker.last("generate")).toEqual({
      type: "generate",
      id: 2,
      messages: [{ role: "user", content: "Hello" }],
      tools: [],
      options: { maxNewTokens: 16 },
    });
    expect(api.generating).toBe(true);
    await worker.emit({
      type: "token",
      id: 2,
      text: "Hi",
      raw: "Hi",
      tokenIds: [1],
    });
    expect(api.messages[1]).toMatchObject({
      role: "assistant",
      content: "Hi",
      streaming: true,
    });
    await worker.reply(["Hi", "!"]);
    await expect(reply).resolves.toEqual({ type: "content", text: "Hi!" });
    expect(api.generating).toBe(false);
    expect(api.lastStats?.tokensPerSecond).toBe(50);

    // The next turn carries the history.
    act(() => {
      api.send("More").catch(() => undefined);
    });
    expect(worker.last("generate").messages).toEqual([
      { role: "user", content: "Hello" },
      { role: "assistant", content: "Hi!" },
      { role: "user", content: "More" },
    ]);
  });

  it("runs a registered tool the model calls, shows call and result, and answers", async () => {
    const { worker } = setup();
    await worker.ready();
    act(() => api.registerTools([adder]));
    expect(api.tools.map((t) => t.name)).toEqual(["add"]);
    let reply!: Promise<ModelResponse>;
    act(() => {
      reply = api.send("What is 2 + 3?");
    });
    expect(worker.last("generate").tools).toEqual([
      {
        name: "add",
        description: adder.description,
        parameters: adder.parameters,
      },
    ]);
    await worker.reply(["call:add{a:2,b:3}"], CALL);
    await settle();
    const second = worker.last("generate");
    expect(second.messages).toEqual([
      { role: "user", content: "What is 2 + 3?" },
      {
        role: "assistant",
        content: "",
        tool_calls: [{ id: "call_1", name: "add", arguments: { a: 2, b: 3 } }],
      },
      {
        role: "tool",
        tool_call_id: "call_1",
        name: "add",
        content: '{"sum":5}',
      },
    ]);
    await worker.reply(["It is ", "5."]);
    await expect(reply).resolves.toEqual({ type: "content", text: "It is 5." });
    expect(
      api.messages.map((m) => [m.role, m.tool_calls?.[0]?.name ?? m.content]),
    ).toEqual([
      ["user", "What is 2 + 3?"],
      ["assistant", "add"],
      ["tool", '{"sum":5}'],
      ["assistant", "It is 5."],
    ]);
  });

  it("manual mode returns the calls and continues with {toolResults}", async () => {
    const { worker } = setup();
    await worker.ready();
    act(() => api.registerTool(adder));
    let reply!: Promise<ModelResponse>;
    act(() => {
      reply = api.send("2+3?", { executeTools: false });
    });
    await worker.reply(["call"], CALL);
    const response = await reply;
    expect(response).toEqual({
      type: "tool_calls",
      calls: [{ id: "call_1", name: "add", arguments: { a: 2, b: 3 } }],
      text: "",
      reason: "manual",
    });
    act(() => {
      reply = api.send({
        toolResults: [{ tool_call_id: "call_1", result: 5 }],
      });
    });
    expect(worker.last("generate").messages.at(-1)).toEqual({
      role: "tool",
      tool_call_id: "call_1",
      name: "add",
      content: "5",
    });
    await worker.reply(["5"]);
    await expect(reply).resolves.toMatchObject({ type: "content", text: "5" });
    await expect(
      api.send({ toolResults: [{ tool_call_id: "nope", result: 1 }] }),
    ).rejects.toThrow(/No tool call "nope"/);
  });

  it("a Message[] replaces the conversation (Edge-LLM passes the whole history)", async () => {
    const { worker } = setup();
    await worker.ready();
    act(() => {
      api.send("first").catch(() => undefined);
    });
    await worker.reply(["one"]);
    await settle();
    act(() => {
      api
        .send([
          { role: "system", content: "Be brief." },
          { role: "user", content: "second" },
        ])
        .catch(() => undefined);
    });
    expect(worker.last("generate").messages).toEqual([
      { role: "system", content: "Be brief." },
      { role: "user", content: "second" },
    ]);
  });

  it("streams the answer and the tool calls through response.stream", async () => {
    const { worker } = setup();
    await worker.ready();
    act(() => api.registerTool(adder));
    let reply!: Promise<ModelResponse>;
    act(() => {
      reply = api.send("2+3?", { stream: true });
    });
    const response = await reply;
    expect(response.type).toBe("content");
    const id = worker.last("generate").id;
    await worker.emit({
      type: "token",
      id,
      text: "call:add",
      raw: "<start_function_call>call:add",
      tokenIds: [1],
    });
    await worker.emit({
      type: "done",
      id,
      generation: {
        raw: CALL,
        text: "call:add{a:2,b:3}",
        tokenIds: [1],
        aborted: false,
        stats: { tokens: 1, firstTokenMs: 1, tokensPerSecond: 0 },
      },
    });
    await settle();
    await worker.reply(["Five", "."]);
    const items: unknown[] = [];
    if (response.type === "content")
      for await (const item of response.stream!) items.push(item);
    expect(items).toEqual([
      {
        type: "tool_call_chunk",
        tool_call: { id: "call_1", name: "add", arguments: { a: 2, b: 3 } },
      },
      "Five",
      ".",
    ]);
  });

  it("refuses a send before the model is ready, and a second one while busy", async () => {
    const { worker } = setup();
    await expect(api.send("x")).rejects.toThrow(/not ready/);
    await worker.ready();
    act(() => {
      api.send("one").catch(() => undefined);
    });
    await expect(api.send("two")).rejects.toThrow(/in progress/);
    expect(worker.requests.filter((r) => r.type === "generate")).toHaveLength(
      1,
    );
  });

  it("aborts through the worker and keeps the partial reply", async () => {
    const { worker } = setup();
    await worker.ready();
    let reply!: Promise<ModelResponse>;
    act(() => {
      reply = api.send("long story");
    });
    const id = worker.last("generate").id;
    await worker.emit({
      type: "token",
      id,
      text: "Once",
      raw: "Once",
      tokenIds: [1],
    });
    act(() => api.abort());
    expect(worker.requests.at(-1)).toEqual({ type: "abort" });
    await worker.reply(["Once"], "Once", true);
    await expect(reply).resolves.toEqual({
      type: "content",
      text: "Once",
      aborted: true,
    });
    expect(api.messages[1]).toMatchObject({ content: "Once", aborted: true });
  });

  it("a failed reply rejects and keeps the model loaded; a load error shows", async () => {
    const { worker } = setup();
    await worker.ready();
    let reply!: Promise<ModelResponse>;
    act(() => {
      reply = api.send("x");
    });
    const failed = expect(reply).rejects.toThrow("OOM");
    await worker.emit({
      type: "error",
      id: worker.last("generate").id,
      message: "OOM",
    });
    await failed;
    expect(api).toMatchObject({
      status: "ready",
      generating: false,
      error: "OOM",
    });

    cleanup();
    const second = setup();
    await second.worker.emit({
      type: "error",
      id: 1,
      message: "Protobuf parsing failed",
    });
    await settle();
    expect(api).toMatchObject({
      status: "error",
      error: "Protobuf parsing failed",
    });
  });

  it("clears the cache through the worker", async () => {
    const { worker } = setup();
    let result!: Promise<void>;
    act(() => {
      result = api.clearCache();
    });
    expect(worker.requests.at(-1)).toEqual({ type: "clearCache", id: 2 });
    await worker.emit({ type: "cacheCleared", id: 2, deleted: true });
    await expect(result).resolves.toBeUndefined();
  });

  it("clearCache settles when the worker fails to clear, crashes, or stays silent", async () => {
    const { worker } = setup();
    let result!: Promise<void>;
    act(() => {
      result = api.clearCache();
    });
    const denied = expect(result).rejects.toThrow("denied");
    await worker.emit({
      type: "error",
      id: worker.last("clearCache").id,
      message: "Clearing the cache failed: denied",
    });
    await denied;

    act(() => {
      result = api.clearCache();
    });
    const crashed = expect(result).rejects.toThrow(
      /model worker failed: Uncaught SyntaxError/,
    );
    await worker.crash("Uncaught SyntaxError");
    await crashed;
    expect(api).toMatchObject({ status: "error" }); // the load failed with it

    cleanup();
    vi.useFakeTimers();
    setup();
    act(() => {
      result = api.clearCache();
    });
    const settled = expect(result).rejects.toThrow(
      /did not answer "clearCache" within 30 s/,
    );
    await act(async () => {
      vi.advanceTimersByTime(30_000);
    });
    await settled;
  });

  it("stops the worker when unmounted and rejects what was pending", async () => {
    const { worker, view } = setup();
    const pending = api.clearCache();
    view.unmount();
    expect(worker.terminated).toBe(true);
    await expect(pending).rejects.toThrow(/unloaded/);
  });

  it("useLLM outside the provider says where it belongs", () => {
    const Lonely = () => {
      useLLM();
      return null;
    };
    expect(() => render(<Lonely />)).toThrow(/inside <LLMProvider>/);
  });
});
