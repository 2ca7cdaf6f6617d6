import type { WorkerEvent, WorkerRequest } from "./types";

/** What the page needs of a Worker (tests pass a fake). */
export interface WorkerLike {
  postMessage(message: WorkerRequest): void;
  addEventListener(
    type: "message",
    listener: (event: MessageEvent<WorkerEvent>) => void,
  ): void;
  addEventListener(type: "error", listener: (event: ErrorEvent) => void): void;
  removeEventListener(
    type: "message",
    listener: (event: MessageEvent<WorkerEvent>) => void,
  ): void;
  removeEventListener(
    type: "error",
    listener: (event: ErrorEvent) => void,
  ): void;
  terminate(): void;
}

type Final = Extract<
  WorkerEvent,
  { type: "ready" | "done" | "cacheCleared" | "error" }
>;
type Progress = Exclude<WorkerEvent, Final>;

interface Pending {
  type: string;
  timeoutMs: number;
  timer: ReturnType<typeof setTimeout>;
  onEvent?: (event: Progress) => void;
  resolve(event: Final): void;
  reject(error: Error): void;
}

/** A request without an id (the channel gives it one). */
type Unnumbered<T> = T extends { id: number } ? Omit<T, "id"> : never;
export type ChannelRequest = Unnumbered<WorkerRequest>;

/**
 * Request/response over a Worker: every request gets an id, the worker's answers carry it, and
 * each request settles exactly once: with its final event (ready, done, cacheCleared), rejected
 * with the worker's error for it, when the worker stays silent about it for `timeoutMs` (each
 * intermediate event, e.g. a token, restarts the clock), when the worker itself fails (an error
 * event: its script did not load or threw), or when the channel is closed.
 */
export class WorkerChannel {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closed = false;

  constructor(private readonly worker: WorkerLike) {
    worker.addEventListener("message", this.onMessage);
    worker.addEventListener("error", this.onError);
  }

  /** Sends a request; resolves with its final event, rejects as described above. */
  request(
    message: ChannelRequest,
    timeoutMs: number,
    onEvent?: (event: Progress) => void,
  ): Promise<Final> {
    if (this.closed)
      return Promise.reject(new Error("The model worker was closed."));
    const id = this.nextId++;
    return new Promise<Final>((resolve, reject) => {
      const entry: Pending = {
        type: message.type,
        timeoutMs,
        timer: setTimeout(() => this.expire(id), timeoutMs),
        onEvent,
        resolve,
        reject,
      };
      this.pending.set(id, entry);
      this.worker.postMessage({ ...message, id } as WorkerRequest);
    });
  }

  /** Sends a message that has no answer (abort). */
  notify(message: { type: "abort" }): void {
    if (!this.closed) this.worker.postMessage(message);
  }

  /** Rejects every pending request and stops listening; terminates the worker. */
  close(reason = "The model was unloaded."): void {
    this.closed = true;
    this.worker.removeEventListener("message", this.onMessage);
    this.worker.removeEventListener("error", this.onError);
    this.failAll(reason);
    this.worker.terminate();
  }

  private readonly onMessage = (event: MessageEvent<WorkerEvent>) => {
    const e = event.data;
    const p = this.pending.get(e.id);
    if (!p) return;
    if (e.type === "ready" || e.type === "done" || e.type === "cacheCleared") {
      this.settle(e.id);
      p.resolve(e);
    } else if (e.type === "error") {
      this.settle(e.id);
      p.reject(new Error(e.message));
    } else {
      clearTimeout(p.timer);
      p.timer = setTimeout(() => this.expire(e.id), p.timeoutMs);
      p.onEvent?.(e);
    }
  };

  private readonly onError = (event: ErrorEvent) => {
    event.preventDefault?.();
    this.failAll(
      `The model worker failed: ${event.message || "its script did not load"}`,
    );
  };

  private expire(id: number) {
    const p = this.pending.get(id);
    if (!p) return;
    this.settle(id);
    p.reject(
      new Error(
        `The model worker did not answer "${p.type}" within ${Math.round(p.timeoutMs / 1000)} s.`,
      ),
    );
  }

  private settle(id: number) {
    const p = this.pending.get(id);
    if (p) clearTimeout(p.timer);
    this.pending.delete(id);
  }

  private failAll(message: string) {
    for (const [id, p] of [...this.pending]) {
      this.settle(id);
      p.reject(new Error(message));
    }
  }
}
