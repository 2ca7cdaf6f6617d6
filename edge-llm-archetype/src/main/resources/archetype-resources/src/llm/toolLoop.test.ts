import { describe, expect, it, vi } from "vitest";
import { afterTheCall, calculateSchema, question } from "../testing/calculator";
import { generation } from "../testing/fakeWorker";
import { runToolLoop, type GenerateFn, type LoopOptions } from "./toolLoop";
import type { Message, ToolDefinition, ToolSchema } from "./types";

/** An engine that answers with scripted raw replies, one per generation, and records its inputs. */
function scripted(...replies: string[]) {
  const seen: { messages: Message[]; tools: ToolSchema[] }[] = [];
  const generate: GenerateFn = async (messages, tools) => {
    seen.push({ messages: structuredClone(messages), tools });
    const raw = replies.shift();
    if (raw === undefined) throw new Error("no more scripted replies");
    return generation([raw.replace(/<[^>]+>/g, "")], raw);
  };
  return { generate, seen };
}

const call = (name: string, args: string) =>
  `<start_function_call>call:${name}{${args}}<end_function_call><start_function_response>`;

const calculate: ToolDefinition = {
  ...calculateSchema,
  handler: vi.fn(async (args) => ({
    result: args.expression === "15 + 27" ? 42 : 0,
  })),
};

function options(overrides: Partial<LoopOptions> = {}): LoopOptions {
  let n = 1;
  return {
    tools: [calculate],
    maxRounds: 5,
    executeTools: true,
    signal: new AbortController().signal,
    newCallId: () => `call_${n++}`,
    ...overrides,
  };
}

describe("runToolLoop", () => {
  it("call → handler → result → answer, with the messages the chat template expects", async () => {
    const engine = scripted(
      call("calculate", "expression:<escape>15 + 27<escape>"),
      "15 plus 27 equals 42.<end_of_turn>",
    );
    const conversation = [question];
    const replies: Message[] = [];
    const results: [Message, boolean][] = [];
    const response = await runToolLoop(
      conversation,
      engine.generate,
      options(),
      {
        onReply: (m) => replies.push(m),
        onToolResult: (m, error) => results.push([m, error]),
      },
    );
    expect(response).toEqual({
      type: "content",
      text: "15 plus 27 equals 42.",
    });
    expect(calculate.handler).toHaveBeenCalledWith(
      { expression: "15 + 27" },
      expect.objectContaining({ callId: "call_1" }),
    );
    const turn2 = afterTheCall;
    expect(engine.seen[1].messages).toEqual(turn2);
    expect(engine.seen[0].tools).toEqual([
      {
        name: "calculate",
        description: calculate.description,
        parameters: calculate.parameters,
      },
    ]);
    expect(conversation).toEqual([
      ...turn2,
      { role: "assistant", content: "15 plus 27 equals 42." },
    ]);
    expect(replies).toHaveLength(2);
    expect(results).toEqual([[turn2[2], false]]);
  });

  it("a handler that throws becomes an error result the model sees", async () => {
    const failing: ToolDefinition = {
      ...calculate,
      handler: async () => {
        throw new Error("division by zero");
      },
    };
    const engine = scripted(
      call("calculate", "expression:<escape>1/0<escape>"),
      "Sorry.",
    );
    const errors: boolean[] = [];
    const response = await runToolLoop(
      [question],
      engine.generate,
      options({ tools: [failing] }),
      {
        onToolResult: (_, error) => errors.push(error),
      },
    );
    expect(response).toEqual({ type: "content", text: "Sorry." });
    expect(engine.seen[1].messages.at(-1)).toEqual({
      role: "tool",
      tool_call_id: "call_1",
      name: "calculate",
      content: '{"error":"calculate failed: division by zero"}',
    });
    expect(errors).toEqual([true]);
  });

  it("an unknown tool becomes an error result naming the available tools", async () => {
    const engine = scripted(
      call("send_email", "to:<escape>a@b.c<escape>"),
      "OK.",
    );
    await runToolLoop([question], engine.generate, options());
    expect(JSON.parse(engine.seen[1].messages.at(-1)!.content)).toEqual({
      error: 'Unknown tool "send_email". Available tools: calculate.',
    });
  });

  it("bad or unreadable arguments become an error result and the handler does not run", async () => {
    const handler = vi.fn(async () => 1);
    const tool = { ...calculate, handler };
    const engine = scripted(
      call("calculate", "expression:42"),
      call("calculate", "expression:<escape>1"),
      "Done.",
    );
    const response = await runToolLoop(
      [question],
      engine.generate,
      options({ tools: [tool] }),
    );
    expect(response).toEqual({ type: "content", text: "Done." });
    expect(handler).not.toHaveBeenCalled();
    expect(JSON.parse(engine.seen[1].messages.at(-1)!.content).error).toBe(
      'Invalid arguments for calculate: "expression" must be a string, got 42.',
    );
    expect(JSON.parse(engine.seen[2].messages.at(-1)!.content).error).toMatch(
      /^Malformed FunctionGemma call/,
    );
  });

  it("stops at the round limit and hands the next calls back", async () => {
    const again = call("calculate", "expression:<escape>15 + 27<escape>");
    const engine = scripted(again, again, again);
    const response = await runToolLoop(
      [question],
      engine.generate,
      options({ maxRounds: 2 }),
    );
    expect(engine.seen).toHaveLength(3);
    expect(response).toEqual({
      type: "tool_calls",
      calls: [
        {
          id: "call_3",
          name: "calculate",
          arguments: { expression: "15 + 27" },
        },
      ],
      text: "",
      reason: "round-limit",
    });
  });

  it("manual mode returns the calls without running them", async () => {
    const handler = vi.fn(async () => 1);
    const engine = scripted(
      call("calculate", "expression:<escape>15 + 27<escape>"),
    );
    const response = await runToolLoop(
      [question],
      engine.generate,
      options({ executeTools: false, tools: [{ ...calculate, handler }] }),
    );
    expect(response).toMatchObject({ type: "tool_calls", reason: "manual" });
    expect(handler).not.toHaveBeenCalled();
  });

  it("abort mid-loop: a running handler is abandoned and nothing more is generated", async () => {
    const controller = new AbortController();
    let started!: () => void;
    const running = new Promise<void>((r) => (started = r));
    const slow: ToolDefinition = {
      ...calculate,
      handler: (_, context) =>
        new Promise((resolve) => {
          started();
          context?.signal.addEventListener("abort", () => resolve("late"));
        }),
    };
    const engine = scripted(
      call("calculate", "expression:<escape>15 + 27<escape>"),
      "never",
    );
    const conversation = [question];
    const loop = runToolLoop(
      conversation,
      engine.generate,
      options({ tools: [slow], signal: controller.signal }),
    );
    await running;
    controller.abort();
    await expect(loop).resolves.toEqual({
      type: "content",
      text: "",
      aborted: true,
    });
    expect(engine.seen).toHaveLength(1);
    expect(conversation.map((m) => m.role)).toEqual(["user", "assistant"]);
  });

  it("an aborted generation ends the loop with what streamed, even if it looked like a call", async () => {
    const generate: GenerateFn = async () =>
      generation(["call:calc"], "<start_function_call>call:calc", true);
    await expect(runToolLoop([question], generate, options())).resolves.toEqual(
      {
        type: "content",
        text: "call:calc",
        aborted: true,
      },
    );
  });
});
