import { mayBeToolCall } from "./calls";
import type { ToolCall, ToolCallChunk } from "./types";

/**
 * The `stream` of a ContentResponse: an AsyncIterable that yields the answer's text as it is
 * generated and a {@link ToolCallChunk} for each tool call. A reply that may be a tool call (it
 * starts like one) is held back until it is complete: its text is yielded only if it was not one.
 */
export class ReplyStream implements AsyncIterable<string | ToolCallChunk> {
  private readonly items: (string | ToolCallChunk)[] = [];
  private waiting: (() => void) | null = null;
  private ended = false;
  private failure: Error | null = null;
  private raw = "";
  private held: string[] = [];

  /** A token of the current reply: `text` to show, `raw` with special tokens. */
  token(text: string, raw: string): void {
    this.raw += raw;
    if (this.held.length > 0 || mayBeToolCall(this.raw)) {
      this.held.push(text);
      if (!mayBeToolCall(this.raw)) this.release();
    } else if (text) this.push(text);
  }

  /** The current reply is complete: yields its calls, or the text held back. */
  replyDone(calls: ToolCall[] | undefined): void {
    if (calls?.length) {
      for (const c of calls)
        this.push({ type: "tool_call_chunk", tool_call: c });
      this.held = [];
    } else this.release();
    this.raw = "";
  }

  end(error?: Error): void {
    this.release();
    this.ended = true;
    this.failure = error ?? null;
    this.wake();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<string | ToolCallChunk> {
    for (;;) {
      if (this.items.length > 0) {
        yield this.items.shift()!;
        continue;
      }
      if (this.ended) {
        if (this.failure) throw this.failure;
        return;
      }
      await new Promise<void>((resolve) => (this.waiting = resolve));
    }
  }

  private release() {
    const text = this.held.join("");
    this.held = [];
    if (text) this.push(text);
  }

  private push(item: string | ToolCallChunk) {
    this.items.push(item);
    this.wake();
  }

  private wake() {
    const w = this.waiting;
    this.waiting = null;
    w?.();
  }
}
