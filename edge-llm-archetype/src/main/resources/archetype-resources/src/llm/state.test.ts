import { describe, expect, it } from "vitest";
import {
  initialState,
  reduce,
  totalProgress,
  type Action,
  type LLMState,
} from "./state";
import type { WorkerEvent } from "./types";

const ev = (event: WorkerEvent): Action => ({ type: "event", event });
const run = (actions: Action[], from: LLMState = initialState) =>
  actions.reduce(reduce, from);
const ready = ev({
  type: "ready",
  info: {
    device: "webgpu",
    dtype: "fp32",
    demo: true,
    source: "local",
    modelId: "m",
    chat: true,
  },
});

describe("provider state machine", () => {
  it("goes idle → loading → ready, with bytes per file on the way", () => {
    const loading = run([
      { type: "load" },
      ev({
        type: "progress",
        file: { file: "onnx/model.onnx", loaded: 10, total: 40 },
      }),
    ]);
    expect(loading.status).toBe("loading");
    expect(loading.initialized).toBe(false);
    expect(totalProgress(loading.files)).toEqual({
      loaded: 10,
      total: 40,
      fraction: 0.25,
      known: true,
    });
    const starting = run(
      [
        ev({
          type: "progress",
          file: { file: "tokenizer.json", loaded: 0, total: 0 },
        }),
      ],
      loading,
    );
    expect(totalProgress(starting.files).known).toBe(false);

    const done = run(
      [
        ev({
          type: "progress",
          file: { file: "onnx/model.onnx", loaded: -1, total: -1 },
        }),
      ],
      loading,
    );
    expect(done.files["onnx/model.onnx"]).toEqual({
      file: "onnx/model.onnx",
      loaded: 40,
      total: 40,
    });

    const r = run([ready], done);
    expect(r).toMatchObject({
      status: "ready",
      initialized: true,
      device: "webgpu",
      dtype: "fp32",
      demo: true,
    });
  });

  it("ends in error when the model can't load", () => {
    const s = run([
      { type: "load" },
      ev({ type: "error", message: "404 model.onnx" }),
    ]);
    expect(s).toMatchObject({
      status: "error",
      error: "404 model.onnx",
      initialized: false,
    });
  });

  it("keeps the WebGPU fallback reason", () => {
    const s = run([
      { type: "load" },
      ev({
        type: "fallback",
        from: "webgpu",
        to: "wasm",
        reason: "no adapter",
      }),
      ev({
        type: "ready",
        info: {
          device: "wasm",
          dtype: "fp32",
          demo: false,
          source: "local",
          modelId: "m",
          chat: true,
          fallbackReason: "no adapter",
        },
      }),
    ]);
    expect(s).toMatchObject({ device: "wasm", fallbackReason: "no adapter" });
  });

  it("streams a reply: ready → generating → ready", () => {
    const s = run([
      { type: "load" },
      ready,
      { type: "send", requestId: 1, content: "Hello" },
      ev({ type: "token", requestId: 1, text: "Hi", tokenIds: [7] }),
      ev({ type: "token", requestId: 1, text: " there", tokenIds: [8, 9] }),
    ]);
    expect(s.status).toBe("generating");
    expect(s.messages).toEqual([
      { id: 1, role: "user", content: "Hello" },
      {
        id: 2,
        role: "assistant",
        content: "Hi there",
        tokenIds: [7, 8, 9],
        streaming: true,
      },
    ]);
    const stats = { tokens: 3, firstTokenMs: 5, tokensPerSecond: 42 };
    const done = run(
      [ev({ type: "done", requestId: 1, aborted: false, stats })],
      s,
    );
    expect(done.status).toBe("ready");
    expect(done.lastStats).toEqual(stats);
    expect(done.messages[1]).toMatchObject({
      streaming: false,
      aborted: false,
      stats,
    });
  });

  it("marks an aborted reply and keeps what streamed", () => {
    const s = run([
      { type: "load" },
      ready,
      { type: "send", requestId: 3, content: "x" },
      ev({ type: "token", requestId: 3, text: "par", tokenIds: [1] }),
      ev({
        type: "done",
        requestId: 3,
        aborted: true,
        stats: { tokens: 1, firstTokenMs: 1, tokensPerSecond: 0 },
      }),
    ]);
    expect(s.messages[1]).toMatchObject({
      content: "par",
      aborted: true,
      streaming: false,
    });
    expect(s.status).toBe("ready");
  });

  it("ignores sends while not ready and tokens of other requests", () => {
    expect(
      run([{ type: "load" }, { type: "send", requestId: 1, content: "x" }])
        .messages,
    ).toEqual([]);
    const s = run([
      { type: "load" },
      ready,
      { type: "send", requestId: 2, content: "x" },
      ev({ type: "token", requestId: 1, text: "stale", tokenIds: [1] }),
    ]);
    expect(s.messages[1].content).toBe("");
    expect(run([{ type: "send", requestId: 4, content: "y" }], s)).toBe(s);
  });

  it("keeps the model after a failed reply", () => {
    const s = run([
      { type: "load" },
      ready,
      { type: "send", requestId: 1, content: "x" },
      ev({ type: "error", requestId: 1, message: "out of memory" }),
    ]);
    expect(s).toMatchObject({
      status: "ready",
      initialized: true,
      error: "out of memory",
    });
    expect(s.messages[1].streaming).toBe(false);
  });

  it("clears the chat unless a reply is streaming", () => {
    const s = run([
      { type: "load" },
      ready,
      { type: "send", requestId: 1, content: "x" },
    ]);
    expect(run([{ type: "clear" }], s)).toBe(s);
    const done = run(
      [
        ev({
          type: "done",
          requestId: 1,
          aborted: false,
          stats: { tokens: 0, firstTokenMs: 0, tokensPerSecond: 0 },
        }),
        { type: "clear" },
      ],
      s,
    );
    expect(done.messages).toEqual([]);
  });
});
