import type { ParseResult, RawCall } from "./functionGemma";

/*
 * JSON tool calls:
 * - Hermes / Qwen 2.5+ / Qwen 3: <tool_call>{"name": "f", "arguments": {...}}</tool_call>, one per call;
 * - Llama 3.1 / 3.2 / 3.3: the whole reply is {"name": "f", "parameters": {...}} (several separated by ";"),
 *   optionally after <|python_tag|>.
 */

export const HERMES_START = "<tool_call>";
export const HERMES_END = "</tool_call>";

/** Reads every `<tool_call>` block in `raw`. */
export function parseHermes(raw: string): ParseResult {
  const calls: RawCall[] = [];
  const errors: string[] = [];
  let text = "";
  let at = 0;
  for (;;) {
    const start = raw.indexOf(HERMES_START, at);
    if (start < 0) break;
    text += raw.slice(at, start);
    const end = raw.indexOf(HERMES_END, start);
    const body = raw
      .slice(start + HERMES_START.length, end < 0 ? raw.length : end)
      .trim();
    at = end < 0 ? raw.length : end + HERMES_END.length;
    try {
      if (end < 0) throw new Error(`no ${HERMES_END}`);
      calls.push(toCall(JSON.parse(body)));
    } catch (e) {
      const message = `Malformed <tool_call> ${JSON.stringify(body.slice(0, 200))}: ${(e as Error).message}`;
      const name = /"name"\s*:\s*"([^"]+)"/.exec(body)?.[1];
      if (name) calls.push({ name, arguments: {}, error: message });
      else errors.push(message);
    }
  }
  text += raw.slice(at);
  return { calls, text, errors };
}

/**
 * Reads a Llama 3.x JSON call: the reply (after `<|python_tag|>`) is a JSON object with "name" and
 * "parameters" (or "arguments"), an array of them, or several separated by ";". A reply that is not
 * JSON is text, not an error.
 */
export function parseLlamaJson(raw: string): ParseResult {
  const body = raw.replace("<|python_tag|>", "").trim();
  const none = { calls: [], text: raw, errors: [] };
  if (!body.startsWith("{") && !body.startsWith("[")) return none;
  const parts = body.startsWith("[") ? [body] : splitTopLevel(body, ";");
  const calls: RawCall[] = [];
  try {
    for (const part of parts) {
      const value: unknown = JSON.parse(part);
      for (const item of Array.isArray(value) ? value : [value])
        calls.push(toCall(item));
    }
  } catch (e) {
    const looksLikeCall = /^\s*[[{]\s*"(name|function)"/.test(body);
    return looksLikeCall
      ? {
          calls: [],
          text: "",
          errors: [
            `Malformed JSON call ${JSON.stringify(body.slice(0, 200))}: ${(e as Error).message}`,
          ],
        }
      : none;
  }
  return { calls, text: "", errors: [] };
}

function toCall(value: unknown): RawCall {
  if (!value || typeof value !== "object" || Array.isArray(value))
    throw new Error("a call must be a JSON object");
  const v = value as Record<string, unknown>;
  const fn =
    v["function"] && typeof v["function"] === "object"
      ? (v["function"] as Record<string, unknown>)
      : v;
  const name = fn["name"];
  if (typeof name !== "string" || name === "")
    throw new Error('the call has no "name"');
  let args = fn["arguments"] ?? fn["parameters"] ?? {};
  if (typeof args === "string") args = JSON.parse(args);
  if (!args || typeof args !== "object" || Array.isArray(args))
    throw new Error('"arguments" must be an object');
  return { name, arguments: args as Record<string, unknown> };
}

/** Splits on `sep` outside JSON strings and brackets. */
function splitTopLevel(s: string, sep: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let inString = false;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === "{" || c === "[") depth++;
    else if (c === "}" || c === "]") depth--;
    else if (c === sep && depth === 0) {
      parts.push(s.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(s.slice(start).trim());
  return parts.filter((p) => p.length > 0);
}
