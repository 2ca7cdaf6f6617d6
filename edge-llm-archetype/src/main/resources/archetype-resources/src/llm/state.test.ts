import { describe, expect, it } from "vitest";
import { generation, readyInfo } from "../testing/fakeWorker";
import {
  conversationOf,
  initialState,
  reduce,
  totalProgress,
  type Action,
  type LLMState,
} from "./state";

const run = (actions: Action[], from: LLMState = initialState) =>
  actions.reduce(reduce, from);
const ready: Action = {
  type: "ready",
  info: { ...readyInfo, device: "webgpu", fallbackReason: undefined },
};
const progress = (file: string, loaded: number, total: number): Action => ({
  type: "progress",
  file: { file, loaded, total },
});

describe("provider state machine", () => {
  it("goes idle → loading → ready, with bytes per file on the way", () => {
    const loading = run([
      { type: "load" },
      progress("onnx/model.onnx", 10, 40),
    ]);
    expect(loading.status).toBe("loading");
    expect(loading.initialized).toBe(false);
    expect(totalProgress(loading.files)).toEqual({
      loaded: 10,
      total: 40,
      fraction: 0.25,
      known: true,
    });
    const starting = run([progress("tokenizer.json", 0, 0)], loading);
    expect(totalProgress(starting.files).known).toBe(false);
    const done = run([progress("onnx/model.onnx", -1, -1)], loading);
    expect(done.files["onnx/model.onnx"]).toEqual({
      file: "onnx/model.onnx",
      loaded: 40,
      total: 40,
    });
    expect(run([ready], done)).toMatchObject({
      status: "ready",
      initialized: true,
      device: "webgpu",
      demo: true,
    });
    // Progress after loading is ignored.
    expect(run([ready, progress("x", 1, 2)], done).files["x"]).toBeUndefined();
  });

  it("ends in error when the model can't load, and keeps the WebGPU fallback reason", () => {
    expect(
      run([{ type: "load" }, { type: "loadFailed", message: "no device" }]),
    ).toMatchObject({
      status: "error",
      error: "no device",
      initialized: false,
    });
    expect(
      run([{ type: "load" }, { type: "fallback", reason: "no adapter" }])
        .fallbackReason,
    ).toBe("no adapter");
  });

  it("runs a send: begin → reply with a call → tool result → streamed answer → end", () => {
    const call = {
      role: "assistant" as const,
      content: "",
      tool_calls: [{ id: "call_1", name: "calc", arguments: { e: "1+1" } }],
    };
    const result = {
      role: "tool" as const,
      content: '{"result":2}',
      name: "calc",
      tool_call_id: "call_1",
    };
    const s = run([
      { type: "load" },
      ready,
      {
        type: "begin",
        messages: [{ role: "user", content: "1+1?" }],
        replace: false,
      },
      { type: "replyStart" },
      { type: "token", text: "call", tokenIds: [7] },
      { type: "reply", message: call, generation: generation(["call"]) },
      { type: "toolResult", message: result, error: false },
      { type: "replyStart" },
      { type: "token", text: "Two", tokenIds: [1] },
    ]);
    expect(s.generating).toBe(true);
    expect(s.messages.at(-1)).toMatchObject({
      content: "Two",
      streaming: true,
    });
    // The reply that streams is not part of the conversation yet.
    expect(conversationOf(s.messages)).toEqual([
      { role: "user", content: "1+1?" },
      call,
      result,
    ]);
    const end = run(
      [
        {
          type: "reply",
          message: { role: "assistant", content: "Two." },
          generation: generation(["Two", "."]),
        },
        { type: "end" },
      ],
      s,
    );
    expect(end.generating).toBe(false);
    expect(
      end.messages.map((m) => [m.id, m.role, m.streaming ?? false]),
    ).toEqual([
      [1, "user", false],
      [2, "assistant", false],
      [3, "tool", false],
      [4, "assistant", false],
    ]);
    expect(end.messages[1].tokenIds).toEqual([1]);
    expect(end.messages[3]).toMatchObject({
      content: "Two.",
      tokenIds: [1, 2],
    });
    expect(end.lastStats?.tokens).toBe(2);
  });

  it("a failed or limited send keeps the model, ends the streaming reply and says why", () => {
    const base = run([
      ready,
      {
        type: "begin",
        messages: [{ role: "user", content: "x" }],
        replace: false,
      },
      { type: "replyStart" },
    ]);
    const failed = run([{ type: "end", error: "OOM" }], base);
    expect(failed).toMatchObject({
      status: "ready",
      generating: false,
      error: "OOM",
    });
    expect(failed.messages.at(-1)!.streaming).toBe(false);
    expect(conversationOf(failed.messages)).toEqual([
      { role: "user", content: "x" },
    ]);
    expect(run([{ type: "end", notice: "limit" }], base).notice).toBe("limit");
  });

  it("a Message[] send replaces the conversation; clear empties it unless busy", () => {
    const one = run([
      ready,
      {
        type: "begin",
        messages: [{ role: "user", content: "a" }],
        replace: false,
      },
      { type: "end" },
    ]);
    const replaced = run(
      [
        {
          type: "begin",
          messages: [{ role: "user", content: "b" }],
          replace: true,
        },
      ],
      one,
    );
    expect(replaced.messages.map((m) => m.content)).toEqual(["b"]);
    expect(run([{ type: "clear" }], replaced).messages).toHaveLength(1);
    expect(
      run([{ type: "end" }, { type: "clear" }], replaced).messages,
    ).toEqual([]);
  });

  it("keeps the registered tools for the UI", () => {
    const tools = [
      {
        name: "t",
        description: "d",
        parameters: { type: "object" as const, properties: {} },
      },
    ];
    expect(run([{ type: "tools", tools }]).tools).toEqual(tools);
  });
});
