import {
  devicesToTry,
  errorMessage,
  loadWithFallback,
  type WebGpuProbe,
  webGpuSessionOptions,
} from "./device";
import { missingKernel, wasmKernelMessage } from "./kernels";
import { encodePrompt, hasChatTemplate, type PromptTokenizer } from "./prompt";
import { applySource, resolveModelSource, type ModelSource } from "./source";
import { chooseVariant, stagedVariants, type VariantChoice } from "./variant";
import type {
  GenerateOptions,
  Generation,
  GenerationStats,
  LLMConfig,
  LoadedInfo,
  Message,
  ToolSchema,
  WorkerEvent,
} from "./types";

/*
 * The runtime that lives in the Web Worker: loads the model with Transformers.js on WebGPU or WASM
 * and streams replies. It takes the Transformers.js module as an argument, so tests can hand it a
 * fake one.
 */

export interface TokenizerLike extends PromptTokenizer {
  decode(ids: (number | bigint)[], options?: Record<string, unknown>): string;
}

export interface ModelLike {
  generate(options: Record<string, unknown>): Promise<unknown>;
  dispose?(): Promise<unknown>;
  config?: Record<string, unknown>;
  generation_config?: Record<string, unknown>;
  sessions?: Record<string, { config?: { dtype?: string } }>;
}

export interface StopperLike {
  interrupt(): void;
  reset(): void;
}

export interface ProgressInfo {
  status: string;
  file?: string;
  loaded?: number;
  total?: number;
}

export interface TransformersLike {
  env: {
    allowLocalModels: boolean;
    allowRemoteModels: boolean;
    localModelPath: string;
    useBrowserCache: boolean;
    cacheKey?: string;
    useWasmCache?: boolean;
    backends: { onnx: { wasm?: { wasmPaths?: unknown; numThreads?: number } } };
  };
  AutoTokenizer: {
    from_pretrained(
      id: string,
      options: Record<string, unknown>,
    ): Promise<TokenizerLike>;
  };
  AutoModelForCausalLM: {
    from_pretrained(
      id: string,
      options: Record<string, unknown>,
    ): Promise<ModelLike>;
  };
  InterruptableStoppingCriteria: new () => StopperLike;
}

export interface EngineDeps {
  /** Whether WebGPU gives an adapter and a device here. */
  probeWebGpu(): Promise<WebGpuProbe>;
  /** Fetches a JSON file, or null when it is missing. */
  fetchJson(url: string): Promise<Record<string, unknown> | null>;
  /** ONNX Runtime's WASM files as this app serves them (never a CDN). */
  wasmPaths?: { mjs: string; wasm: string };
  /** Cache Storage, to clear the Hub cache. */
  caches?: { delete(name: string): Promise<boolean> };
  now(): number;
}

/** What the engine reports while it works; the worker adds the request's id. */
export type EngineEvent = WorkerEvent extends infer E
  ? E extends { type: "progress" | "fallback" | "token" }
    ? Omit<E, "id">
    : never
  : never;
type Emit = (event: EngineEvent) => void;

export class Engine {
  private tokenizer: TokenizerLike | null = null;
  private model: ModelLike | null = null;
  private stopper: StopperLike;
  private info: LoadedInfo | null = null;

  constructor(
    private readonly tf: TransformersLike,
    private readonly deps: EngineDeps,
  ) {
    this.stopper = new tf.InterruptableStoppingCriteria();
  }

  get loaded(): LoadedInfo | null {
    return this.info;
  }

  async load(config: LLMConfig, emit: Emit): Promise<LoadedInfo> {
    try {
      return await this.loadModel(config, emit);
    } catch (e) {
      throw new Error(
        withHint(errorMessage(e), config.models?.transformers ?? ""),
      );
    }
  }

  private async loadModel(config: LLMConfig, emit: Emit): Promise<LoadedInfo> {
    const runtime = config.preferredRuntime ?? "auto";
    if (runtime !== "transformers" && runtime !== "auto") {
      throw new Error(
        `Runtime "${runtime}" is not available; this app ships "transformers".`,
      );
    }
    const model = config.models?.transformers;
    if (!model) {
      throw new Error(
        'No model configured: set config.models.transformers (e.g. "/models/my-model").',
      );
    }
    const source = resolveModelSource(model, config.dtype);
    applySource(this.tf.env, source);
    if (this.deps.wasmPaths) {
      const wasm = (this.tf.env.backends.onnx.wasm ??= {});
      wasm.wasmPaths = { ...this.deps.wasmPaths };
    }
    this.tf.env.useWasmCache = false;

    // A local model's sizes from edge-llm.json: every file, each external data chunk
    // (onnx/model.onnx_data, _1, ...) included, counts in the total as soon as it is requested,
    // before its download starts.
    const manifest = await this.readManifest(source);
    const sizes = manifestSizes(manifest);
    const progress_callback = (p: ProgressInfo) => {
      if (p.status === "initiate" && p.file) {
        const total = sizes[p.file] ?? 0;
        emit({ type: "progress", file: { file: p.file, loaded: 0, total } });
      } else if (p.status === "progress" && p.file) {
        emit({
          type: "progress",
          file: {
            file: p.file,
            loaded: p.loaded ?? 0,
            total: p.total || (sizes[p.file] ?? 0),
          },
        });
      } else if (p.status === "done" && p.file) {
        emit({
          type: "progress",
          file: { file: p.file, loaded: -1, total: -1 },
        });
      }
    };

    let modelConfig: Record<string, unknown> | null = null;
    if (source.kind === "local") {
      // Transformers.js reports a missing local file obscurely; say which one.
      const url = `${source.localModelPath}${source.modelId}/config.json`;
      modelConfig = await this.deps.fetchJson(url).catch(() => null);
      if (modelConfig === null) {
        throw new Error(`${url} was not found (404)`);
      }
    }
    const probe = await this.deps.probeWebGpu();
    const devices = devicesToTry(config.device, probe);
    this.tokenizer = await this.tf.AutoTokenizer.from_pretrained(
      source.modelId,
      { progress_callback },
    );
    const tokenizer = this.tokenizer;

    const variants = stagedVariants(manifest);
    // Attention on the CPU kernel where the adapter's WebGPU attention is wrong (device.ts).
    const sessionOptions = webGpuSessionOptions(probe, layerCount(modelConfig));
    const choices = new Map<string, VariantChoice>();
    const result = await loadWithFallback(
      devices,
      async (device) => {
        const choice = chooseVariant(device, probe, variants, source.dtype);
        choices.set(device, choice);
        const model = await this.tf.AutoModelForCausalLM.from_pretrained(
          source.modelId,
          {
            device,
            ...(choice.dtype ? { dtype: choice.dtype } : {}),
            ...(sessionOptions && device === "webgpu"
              ? { session_options: sessionOptions }
              : {}),
            progress_callback,
          },
        ).catch((e: unknown) => {
          // An op the WASM backend has no kernel for: say what the user can do about it.
          const missing = device === "wasm" && missingKernel(errorMessage(e));
          if (!missing) throw e;
          throw new Error(
            wasmKernelMessage(
              missing,
              config.device === "wasm"
                ? 'device "wasm" was requested'
                : probe.available
                  ? "WebGPU failed to load it"
                  : probe.reason,
            ),
          );
        });
        try {
          // A session that loads may still fail on its first run (an op the device lacks).
          await model.generate({
            ...encodePrompt(tokenizer, [{ role: "user", content: "Hi" }]),
            max_new_tokens: 1,
            do_sample: false,
          });
        } catch (e) {
          await model.dispose?.();
          throw e;
        }
        return model;
      },
      (from, to, reason) => emit({ type: "fallback", from, to, reason }),
    );
    this.model = result.value;

    const fallbackReason =
      result.device === "wasm" && config.device !== "wasm"
        ? (result.failures.find((f) => f.device === "webgpu")?.reason ??
          probe.reason)
        : undefined;
    const chosen = choices.get(result.device);
    const generationConfig =
      source.kind === "local"
        ? await this.deps
            .fetchJson(
              `${source.localModelPath}${source.modelId}/generation_config.json`,
            )
            .catch(() => null)
        : null;
    this.info = {
      device: result.device,
      ...(result.device === "webgpu" && probe.adapter
        ? { adapter: probe.adapter }
        : {}),
      dtype: loadedDtype(this.model, source),
      weights: weightsLabel(manifest),
      chat: hasChatTemplate(tokenizer),
      demo:
        this.model?.config?.["edge_llm_demo"] === true ||
        manifest?.["demo"] === true,
      fallbackReason,
      ...(variants.length > 0 && chosen?.dtype
        ? { variant: chosen.dtype, variantReason: chosen.reason }
        : {}),
      source: source.kind,
      modelId: source.modelId,
      stopTokenIds: stopTokenIds(
        generationConfig ?? this.model.generation_config ?? this.model.config,
      ),
    };
    return this.info;
  }

  /**
   * Streams one reply to the conversation (rendered with the tools by the chat template); resolves
   * when it is complete (a stop token of generation_config.json, or maxNewTokens) or aborted.
   */
  async generate(
    messages: Message[],
    tools: ToolSchema[],
    options: GenerateOptions,
    emit: Emit,
  ): Promise<Generation> {
    const model = this.model;
    const tokenizer = this.tokenizer;
    if (!model || !tokenizer) {
      throw new Error("The model is not loaded yet.");
    }
    this.stopper.reset();
    const started = this.deps.now();
    let firstTokenAt = 0;
    let count = 0;
    const streamer = new TokenStreamer(tokenizer, (text, ids, raw) => {
      if (count === 0) firstTokenAt = this.deps.now();
      count += ids.length;
      emit({ type: "token", text, raw, tokenIds: ids });
    });
    const inputs = encodePrompt(tokenizer, messages, tools);
    const stop = this.info?.stopTokenIds ?? [];
    const sample = (options.temperature ?? 0) > 0;
    await model.generate({
      ...inputs,
      max_new_tokens: options.maxNewTokens,
      do_sample: sample,
      ...(sample ? { temperature: options.temperature } : {}),
      ...(stop.length > 0 ? { eos_token_id: stop } : {}),
      streamer,
      stopping_criteria: this.stopper,
    });
    const ended = this.deps.now();
    const stats: GenerationStats = {
      tokens: count,
      firstTokenMs: count > 0 ? firstTokenAt - started : 0,
      tokensPerSecond:
        count > 1 && ended > firstTokenAt
          ? ((count - 1) * 1000) / (ended - firstTokenAt)
          : 0,
    };
    return {
      raw: streamer.raw,
      text: streamer.text,
      tokenIds: streamer.tokenIds,
      aborted: this.isInterrupted(),
      stats,
    };
  }

  abort(): void {
    this.stopper.interrupt();
  }

  /** Deletes the browser's copy of Hub models (local models are never cached). */
  async clearCache(): Promise<boolean> {
    if (!this.deps.caches) return false;
    return this.deps.caches.delete(
      this.tf.env.cacheKey ?? "transformers-cache",
    );
  }

  private isInterrupted(): boolean {
    return Boolean(
      (this.stopper as unknown as { interrupted?: boolean }).interrupted,
    );
  }

  /** The plugin's edge-llm.json beside a local model (null for Hub models or when absent). */
  private async readManifest(
    source: ModelSource,
  ): Promise<Record<string, unknown> | null> {
    if (source.kind !== "local") return null;
    try {
      return await this.deps.fetchJson(
        `${source.localModelPath}${source.modelId}/edge-llm.json`,
      );
    } catch {
      return null;
    }
  }
}

/** generation_config.json's (or config.json's) eos_token_id, as a list. */
export function stopTokenIds(
  config: Record<string, unknown> | null | undefined,
): number[] {
  const eos = config?.["eos_token_id"];
  const ids = Array.isArray(eos) ? eos : eos === undefined ? [] : [eos];
  return ids.map(Number).filter((n) => Number.isInteger(n));
}

/** config.json's num_hidden_layers (text_config's for a multimodal config), or 0. */
export function layerCount(config: Record<string, unknown> | null): number {
  const text = config?.["text_config"] as Record<string, unknown> | undefined;
  const n = config?.["num_hidden_layers"] ?? text?.["num_hidden_layers"];
  return typeof n === "number" && Number.isInteger(n) && n > 0 ? n : 0;
}

/** Bytes per file path (e.g. `onnx/model.onnx_data_1`) from edge-llm.json's `files`. */
export function manifestSizes(
  manifest: Record<string, unknown> | null,
): Record<string, number> {
  const sizes: Record<string, number> = {};
  const files = manifest?.["files"];
  if (Array.isArray(files)) {
    for (const f of files as { path?: unknown; size?: unknown }[]) {
      if (typeof f?.path === "string" && typeof f.size === "number") {
        sizes[f.path] = f.size;
      }
    }
  }
  return sizes;
}

/** "q4" for a model whose MatMuls the plugin quantized to 4 bits, else undefined. */
function weightsLabel(
  manifest: Record<string, unknown> | null,
): string | undefined {
  const q = manifest?.["quantization"] as
    { bits?: number; quantizedMatMuls?: number } | undefined;
  return q?.bits && (q.quantizedMatMuls ?? 1) > 0 ? `q${q.bits}` : undefined;
}

/** Adds what to do to the errors a missing or mis-served local model causes. */
export function withHint(message: string, model: string): string {
  const local = model.startsWith("/");
  if (
    local &&
    /could not locate file|404|not found|protobuf parsing failed|unexpected token '<'/i.test(
      message,
    )
  ) {
    return `${message}. Is the model staged? "mvn package" writes ${model.replace(/\/+$/, "")}/ (public${model.replace(/\/+$/, "")}/), and the server must answer a missing file with 404, not index.html.`;
  }
  return message;
}

function loadedDtype(model: ModelLike, source: ModelSource): string {
  const fromSession = Object.values(model.sessions ?? {})[0]?.config?.dtype;
  if (fromSession) return fromSession;
  if (source.dtype) return source.dtype;
  const jsConfig = model.config?.["transformers.js_config"] as
    { dtype?: string } | undefined;
  return jsConfig?.dtype ?? "fp32";
}

/**
 * Receives token ids from `generate()` and emits the new text after every token: the difference
 * between the decoded reply so far and what was already emitted. Text that ends inside a
 * multi-byte character (U+FFFD) waits for the next token. Special tokens are not shown.
 * The prompt, passed first, is skipped.
 */
export class TokenStreamer {
  private ids: bigint[] = [];
  private pending: number[] = [];
  private emitted = "";
  private emittedRaw = "";
  private promptSeen = false;

  constructor(
    private readonly tokenizer: TokenizerLike,
    private readonly onText: (text: string, ids: number[], raw: string) => void,
  ) {}

  put(value: bigint[][]): void {
    if (!this.promptSeen) {
      this.promptSeen = true;
      return;
    }
    const tokens = value[0] ?? [];
    this.ids.push(...tokens);
    this.pending.push(...tokens.map(Number));
    this.flush(false);
  }

  end(): void {
    this.flush(true);
  }

  /** The whole reply, decoded at once. */
  get text(): string {
    return this.tokenizer.decode(this.ids, { skip_special_tokens: true });
  }

  /** The whole reply with its special tokens (tool-call markers, the stop token). */
  get raw(): string {
    return this.tokenizer.decode(this.ids, { skip_special_tokens: false });
  }

  get tokenIds(): number[] {
    return this.ids.map(Number);
  }

  private flush(final: boolean): void {
    if (this.pending.length === 0) return;
    const text = this.text;
    if (!final && text.endsWith("\uFFFD")) return;
    const delta = text.startsWith(this.emitted)
      ? text.slice(this.emitted.length)
      : text;
    this.emitted = text;
    const raw = this.raw;
    const rawDelta = raw.startsWith(this.emittedRaw)
      ? raw.slice(this.emittedRaw.length)
      : raw;
    this.emittedRaw = raw;
    const ids = this.pending;
    this.pending = [];
    this.onText(delta, ids, rawDelta);
  }
}
