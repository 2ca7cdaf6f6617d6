import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { LLMProvider } from "@edge-llm/react";
import { FakeWorker, settle } from "../testing/fakeWorker";
import { ChatInterface as ExampleChat } from "./example/components/ChatInterface";
import { ChatStoreProvider, useChatLog } from "./example/store";
import { ChatInterface } from "./readme";

afterEach(cleanup);

function Log() {
  return <pre data-testid="log">{useChatLog().join("\n")}</pre>;
}

describe("Edge-LLM code runs against this app's src/llm", () => {
  it("the README's ChatInterface: registerTools, send([...]) runs the tool loop, response.text", async () => {
    const worker = new FakeWorker();
    const log = vi.spyOn(console, "log").mockImplementation(() => undefined);
    render(
      <LLMProvider
        config={{ models: { transformers: "/models/m" } }}
        createWorker={() => worker}
      >
        <ChatInterface />
      </LLMProvider>,
    );
    await worker.ready();
    expect(screen.getByText(/Status: ready/).textContent).toContain(
      "Runtime: transformers",
    );
    fireEvent.click(screen.getByText("Send"));
    const first = worker.last("generate");
    expect(first.messages).toEqual([
      { role: "user", content: "What time is it?" },
    ]);
    expect(first.tools.map((t) => t.name)).toEqual(["get_time"]);
    await worker.reply(
      ["call"],
      '<tool_call>\n{"name": "get_time", "arguments": {}}\n</tool_call><|im_end|>',
    );
    await settle();
    const result = worker.last("generate").messages.at(-1)!;
    expect(result).toMatchObject({ role: "tool", name: "get_time" });
    expect(JSON.parse(result.content)).toMatch(/^\d{4}-\d\d-\d\dT/);
    await worker.reply(["It is noon."]);
    await settle();
    expect(log).toHaveBeenCalledWith("Response:", "It is noon.");
    log.mockRestore();
  });

  it("the example app's useChat: send(history) with registered tools ends in the answer", async () => {
    const worker = new FakeWorker();
    render(
      <ChatStoreProvider input="What is 15 plus 27?">
        <LLMProvider
          config={{ models: { transformers: "/models/m" } }}
          createWorker={() => worker}
        >
          <ExampleChat />
        </LLMProvider>
        <Log />
      </ChatStoreProvider>,
    );
    await worker.ready();
    await settle();
    fireEvent.click(screen.getByText("Send"));
    await settle();
    await worker.reply(
      ["call"],
      "<start_function_call>call:calculate{expression:<escape>15 + 27<escape>}<end_function_call><start_function_response>",
    );
    await settle();
    expect(worker.last("generate").messages.at(-1)).toMatchObject({
      role: "tool",
      content: '{"result":42}',
    });
    await worker.reply(["15 plus 27 equals 42."]);
    await settle();
    expect(screen.getByTestId("log").textContent).toBe(
      "user What is 15 plus 27?\nassistant 15 plus 27 equals 42.",
    );
  });
});
