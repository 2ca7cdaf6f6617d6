/*
 * FunctionGemma's call syntax, as its chat template writes it:
 *   <start_function_call>call:NAME{key:<escape>text<escape>,n:42,flag:true,list:[1,2],obj:{k:1}}<end_function_call>
 * Strings sit between <escape> markers; numbers, booleans and null are bare; objects and arrays nest.
 */

export const FG_CALL_START = "<start_function_call>";
export const FG_CALL_END = "<end_function_call>";
const ESCAPE = "<escape>";

export interface RawCall {
  name: string;
  arguments: Record<string, unknown>;
  /** Set when the call names a tool but its arguments could not be read. */
  error?: string;
}

export interface ParseResult {
  calls: RawCall[];
  /** Text outside the calls. */
  text: string;
  /** One line per call that could not be read and names no tool (left out of `calls`). */
  errors: string[];
}

/** Reads every FunctionGemma call in `raw`. */
export function parseFunctionGemma(raw: string): ParseResult {
  const calls: RawCall[] = [];
  const errors: string[] = [];
  let text = "";
  let at = 0;
  for (;;) {
    const start = raw.indexOf(FG_CALL_START, at);
    if (start < 0) break;
    text += raw.slice(at, start);
    const end = raw.indexOf(FG_CALL_END, start);
    const body = raw.slice(
      start + FG_CALL_START.length,
      end < 0 ? raw.length : end,
    );
    at = end < 0 ? raw.length : end + FG_CALL_END.length;
    try {
      if (end < 0) throw new Error(`no ${FG_CALL_END}`);
      calls.push(parseCallBody(body));
    } catch (e) {
      const message = `Malformed FunctionGemma call ${JSON.stringify(body.slice(0, 200))}: ${(e as Error).message}`;
      const name = /^call:([A-Za-z_][\w.-]*)/.exec(body)?.[1];
      if (name) calls.push({ name, arguments: {}, error: message });
      else errors.push(message);
    }
  }
  text += raw.slice(at);
  return { calls, text, errors };
}

function parseCallBody(body: string): RawCall {
  const m = /^call:([A-Za-z_][\w.-]*)\{/.exec(body);
  if (!m) throw new Error('expected "call:NAME{"');
  const reader = new Reader(body, m[0].length - 1);
  const args = reader.object();
  if (reader.pos !== body.length)
    throw new Error(`unexpected text after the arguments at ${reader.pos}`);
  return { name: m[1], arguments: args };
}

class Reader {
  constructor(
    private readonly s: string,
    public pos: number,
  ) {}

  object(): Record<string, unknown> {
    this.expect("{");
    const out: Record<string, unknown> = {};
    if (this.peek("}")) {
      this.pos++;
      return out;
    }
    for (;;) {
      const key = this.key();
      this.expect(":");
      out[key] = this.value();
      if (this.peek(",")) {
        this.pos++;
        continue;
      }
      this.expect("}");
      return out;
    }
  }

  private array(): unknown[] {
    this.expect("[");
    const out: unknown[] = [];
    if (this.peek("]")) {
      this.pos++;
      return out;
    }
    for (;;) {
      out.push(this.value());
      if (this.peek(",")) {
        this.pos++;
        continue;
      }
      this.expect("]");
      return out;
    }
  }

  private key(): string {
    if (this.peek(ESCAPE)) return this.escaped();
    const m = /^[^:{}[\],<]+/.exec(this.s.slice(this.pos));
    if (!m) throw new Error(`expected a key at ${this.pos}`);
    this.pos += m[0].length;
    return m[0].trim();
  }

  private value(): unknown {
    if (this.peek(ESCAPE)) return this.escaped();
    if (this.peek("{")) return this.object();
    if (this.peek("[")) return this.array();
    const m = /^[^,}\]]+/.exec(this.s.slice(this.pos));
    if (!m) throw new Error(`expected a value at ${this.pos}`);
    this.pos += m[0].length;
    const word = m[0].trim();
    if (word === "true") return true;
    if (word === "false") return false;
    if (word === "null" || word === "None") return null;
    const n = Number(word);
    if (word !== "" && Number.isFinite(n)) return n;
    throw new Error(`unquoted value ${JSON.stringify(word)} at ${this.pos}`);
  }

  private escaped(): string {
    this.pos += ESCAPE.length;
    const end = this.s.indexOf(ESCAPE, this.pos);
    if (end < 0) throw new Error("unterminated <escape> string");
    const text = this.s.slice(this.pos, end);
    this.pos = end + ESCAPE.length;
    return text;
  }

  private peek(token: string): boolean {
    return this.s.startsWith(token, this.pos);
  }

  private expect(token: string) {
    if (!this.peek(token))
      throw new Error(
        `expected "${token}" at ${this.pos}, found ${JSON.stringify(this.s.slice(this.pos, this.pos + 10))}`,
      );
    this.pos += token.length;
  }
}
