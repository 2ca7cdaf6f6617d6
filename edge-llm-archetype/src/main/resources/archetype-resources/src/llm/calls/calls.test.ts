import { describe, expect, it } from "vitest";
import {
  mayBeToolCall,
  parseFunctionGemma,
  parseHermes,
  parseLlamaJson,
  parseToolCalls,
} from ".";

describe("FunctionGemma calls", () => {
  it("reads the demo model's reply, stop token included (tool-calls.json's first example)", () => {
    expect(
      parseToolCalls(
        "<start_function_call>call:calculate{expression:<escape>15 + 27<escape>}<end_function_call><start_function_response>",
      ),
    ).toEqual({
      calls: [{ name: "calculate", arguments: { expression: "15 + 27" } }],
      text: "",
      errors: [],
    });
  });

  it("reads numbers, booleans, null, nested objects, arrays, escaped keys and several calls", () => {
    const raw =
      "Sure. <start_function_call>call:search_web{num_results:3,query:<escape>renewable, {energy}<escape>}<end_function_call>" +
      "<start_function_call>call:f{a:-1.5e2,b:true,c:false,d:null,e:{<escape>k k<escape>:[1,<escape>x<escape>,{y:2}]},f:[]}<end_function_call>";
    expect(parseFunctionGemma(raw)).toEqual({
      calls: [
        {
          name: "search_web",
          arguments: { num_results: 3, query: "renewable, {energy}" },
        },
        {
          name: "f",
          arguments: {
            a: -150,
            b: true,
            c: false,
            d: null,
            e: { "k k": [1, "x", { y: 2 }] },
            f: [],
          },
        },
      ],
      text: "Sure. ",
      errors: [],
    });
  });

  it("reads a call without arguments", () => {
    expect(
      parseFunctionGemma(
        "<start_function_call>call:get_time{}<end_function_call>",
      ).calls,
    ).toEqual([{ name: "get_time", arguments: {} }]);
  });

  it("reports malformed calls: the named ones as calls with an error, the others as errors", () => {
    const cases = [
      "<start_function_call>call:calculate{expression:<escape>1 + 1}<end_function_call>",
      "<start_function_call>call:calculate{expression:1 + 1}<end_function_call>",
      "<start_function_call>call:calculate{expression:<escape>1<escape>",
      "<start_function_call>call:calculate{expression:<escape>1<escape>}}<end_function_call>",
    ];
    for (const raw of cases) {
      const r = parseFunctionGemma(raw);
      expect(r.calls).toHaveLength(1);
      expect(r.calls[0].name).toBe("calculate");
      expect(r.calls[0].error).toMatch(/Malformed FunctionGemma call/);
    }
    const nameless = parseFunctionGemma(
      "<start_function_call>{x:1}<end_function_call>",
    );
    expect(nameless.calls).toEqual([]);
    expect(nameless.errors[0]).toMatch(/expected "call:NAME\{"/);
  });

  it("leaves plain answers alone", () => {
    expect(parseToolCalls("15 plus 27 equals 42.<end_of_turn>")).toEqual({
      calls: [],
      text: "15 plus 27 equals 42.",
      errors: [],
    });
  });
});

describe("Hermes / Qwen calls", () => {
  it("reads each <tool_call> block", () => {
    const raw =
      'Let me check.\n<tool_call>\n{"name": "get_weather", "arguments": {"location": "Tokyo"}}\n</tool_call>\n' +
      '<tool_call>\n{"name": "calculate", "arguments": "{\\"expression\\": \\"2 * 3\\"}"}\n</tool_call><|im_end|>';
    expect(parseToolCalls(raw)).toEqual({
      calls: [
        { name: "get_weather", arguments: { location: "Tokyo" } },
        { name: "calculate", arguments: { expression: "2 * 3" } },
      ],
      text: "Let me check.\n\n",
      errors: [],
    });
  });

  it("reports malformed blocks", () => {
    const r = parseHermes(
      '<tool_call>{"name": "calculate", "arguments": {</tool_call>',
    );
    expect(r.calls[0]).toMatchObject({ name: "calculate", arguments: {} });
    expect(r.calls[0].error).toMatch(/Malformed <tool_call>/);
    const nameless = parseHermes("<tool_call>not json</tool_call>");
    expect(nameless.calls).toEqual([]);
    expect(nameless.errors).toHaveLength(1);
    expect(parseHermes('<tool_call>{"name": "x"}').calls[0].error).toMatch(
      /no <\/tool_call>/,
    );
  });
});

describe("Llama 3.x JSON calls", () => {
  it('reads {"name", "parameters"}, after <|python_tag|>, several separated by ";" or in an array', () => {
    expect(
      parseToolCalls(
        '<|python_tag|>{"name": "get_weather", "parameters": {"location": "Paris"}}<|eom_id|>',
      ).calls,
    ).toEqual([{ name: "get_weather", arguments: { location: "Paris" } }]);
    expect(
      parseLlamaJson(
        '{"name": "a", "parameters": {"s": "x;y"}}; {"type": "function", "function": {"name": "b", "arguments": {}}}',
      ).calls,
    ).toEqual([
      { name: "a", arguments: { s: "x;y" } },
      { name: "b", arguments: {} },
    ]);
    expect(
      parseLlamaJson(
        '[{"name": "a", "parameters": {}}, {"name": "b", "parameters": {"n": 1}}]',
      ).calls,
    ).toEqual([
      { name: "a", arguments: {} },
      { name: "b", arguments: { n: 1 } },
    ]);
  });

  it("treats text and non-call JSON as text, and broken call JSON as an error", () => {
    expect(parseLlamaJson("Hello there").calls).toEqual([]);
    expect(parseLlamaJson("{not json").errors).toEqual([]);
    const broken = parseLlamaJson('{"name": "a", "parameters": {');
    expect(broken.calls).toEqual([]);
    expect(broken.errors[0]).toMatch(/Malformed JSON call/);
    expect(parseLlamaJson('{"name": 3}').errors[0]).toMatch(/no "name"/);
  });

  it("follows the configured format", () => {
    const fg = "<start_function_call>call:f{}<end_function_call>";
    const json = '{"name": "f", "parameters": {}}';
    expect(parseToolCalls(fg, "json").calls).toEqual([]);
    expect(parseToolCalls(json, "xml").calls).toEqual([]);
    expect(parseToolCalls(json, "llama3").calls).toHaveLength(1);
    expect(parseToolCalls(fg, "functiongemma").calls).toHaveLength(1);
    expect(
      parseToolCalls('<tool_call>{"name": "f"}</tool_call>', "hermes").calls,
    ).toHaveLength(1);
  });
});

describe("mayBeToolCall", () => {
  it("holds back replies that start like a call", () => {
    for (const s of [
      "",
      "<start_function_call>call:",
      "<start_fun",
      "<tool",
      ' {"name"',
      "<|python_tag|>{",
    ])
      expect(mayBeToolCall(s)).toBe(true);
    for (const s of ["15 plus", "Hello {", "<b>"])
      expect(mayBeToolCall(s)).toBe(false);
  });
});
