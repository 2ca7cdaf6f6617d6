import type { ToolCallFormat } from "../types";
import {
  FG_CALL_START,
  parseFunctionGemma,
  type ParseResult,
} from "./functionGemma";
import { HERMES_START, parseHermes, parseLlamaJson } from "./jsonCalls";

export type { ParseResult, RawCall } from "./functionGemma";
export { parseFunctionGemma } from "./functionGemma";
export { parseHermes, parseLlamaJson } from "./jsonCalls";

/** Stop and end-of-turn markers a raw reply may end with; they are not part of its text. */
const END_MARKERS =
  /(<start_function_response>|<end_of_turn>|<eos>|<\|im_end\|>|<\|eot_id\|>|<\|eom_id\|>|<\|end_of_text\|>|<\/s>|<\|endoftext\|>)+\s*$/;

/**
 * Finds the tool calls in a raw reply (decoded with its special tokens). With `"auto"` the format
 * is recognized from the reply: FunctionGemma's `<start_function_call>`, Hermes/Qwen's
 * `<tool_call>`, else a Llama 3.x JSON call.
 */
export function parseToolCalls(
  raw: string,
  format: ToolCallFormat = "auto",
): ParseResult {
  const reply = raw.replace(END_MARKERS, "");
  const fg = format === "functiongemma" || format === "xml";
  const hermes = format === "hermes" || format === "xml";
  const json = format === "llama3" || format === "json";
  const auto = format === "auto";
  if ((fg || auto) && reply.includes(FG_CALL_START))
    return parseFunctionGemma(reply);
  if ((hermes || auto) && reply.includes(HERMES_START))
    return parseHermes(reply);
  if (json || auto) return parseLlamaJson(reply);
  return { calls: [], text: reply, errors: [] };
}

/**
 * Whether a reply that has started like `rawSoFar` may turn out to be a tool call (the stream then
 * holds its text back until the reply is complete).
 */
export function mayBeToolCall(rawSoFar: string): boolean {
  const s = rawSoFar.replace("<|python_tag|>", "").trimStart();
  if (s === "") return true;
  return (
    s.startsWith(FG_CALL_START) ||
    s.startsWith(HERMES_START) ||
    s.startsWith("{") ||
    s.startsWith("[") ||
    FG_CALL_START.startsWith(s) ||
    HERMES_START.startsWith(s)
  );
}
