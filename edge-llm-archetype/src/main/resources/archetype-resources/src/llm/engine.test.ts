import { describe, expect, it, vi } from "vitest";
import {
  Engine,
  layerCount,
  TokenStreamer,
  withHint,
  type EngineDeps,
  type EngineEvent,
  type ModelLike,
  type TokenizerLike,
  type TransformersLike,
} from "./engine";
import { initialState, reduce, totalProgress, type LLMState } from "./state";
import type { LLMConfig, LoadedInfo } from "./types";

/*
 * A fake Transformers.js: token n decodes to the letter 'a' + n - 1, token 0 is special (<eos>),
 * tokens 90 + 91 are the two bytes of "é" (90 alone decodes to U+FFFD).
 */
const tokenizer: TokenizerLike = Object.assign(
  (text: string) => ({ input_ids: ["plain:" + text], attention_mask: [] }),
  {
    chat_template: "{{ messages }}",
    apply_chat_template: (
      messages: { content: unknown }[],
      options: Record<string, unknown>,
    ) => ({
      input_ids: messages.map((m) => String(m.content)),
      attention_mask: [],
      options,
    }),
    decode: (ids: (number | bigint)[], options?: Record<string, unknown>) => {
      let out = "";
      const list = ids.map(Number);
      for (let i = 0; i < list.length; i++) {
        const id = list[i];
        if (id === 0) out += options?.skip_special_tokens ? "" : "<eos>";
        else if (id === 90) out += list[i + 1] === 91 ? (i++, "é") : "\uFFFD";
        else out += String.fromCharCode(96 + id);
      }
      return out;
    },
  },
);

class FakeStopper {
  interrupted = false;
  interrupt() {
    this.interrupted = true;
  }
  reset() {
    this.interrupted = false;
  }
}

interface FakeOptions {
  failOn?: { device: string; stage: "load" | "run"; message: string };
  reply?: number[];
  demo?: boolean;
  /** Files the model's from_pretrained requests first (initiate), as Transformers.js does. */
  modelFiles?: string[];
  /** Called before each generated token; may interrupt. */
  beforeToken?: (index: number, stopper: FakeStopper) => void;
}

function fakeTransformers(options: FakeOptions = {}) {
  const loads: Record<string, unknown>[] = [];
  const disposed: string[] = [];
  const tf: TransformersLike = {
    env: {
      allowLocalModels: false,
      allowRemoteModels: true,
      localModelPath: "/models/",
      useBrowserCache: true,
      backends: { onnx: { wasm: {} } },
    },
    AutoTokenizer: {
      from_pretrained: async (_id, opts) => {
        const cb = opts.progress_callback as (p: unknown) => void;
        cb({ status: "initiate", file: "tokenizer.json" });
        cb({
          status: "progress",
          file: "tokenizer.json",
          loaded: 50,
          total: 100,
        });
        cb({ status: "done", file: "tokenizer.json" });
        return tokenizer;
      },
    },
    AutoModelForCausalLM: {
      from_pretrained: async (id, opts) => {
        loads.push({ id, ...opts, progress_callback: undefined });
        const device = opts.device as string;
        const cb = opts.progress_callback as (p: unknown) => void;
        for (const file of options.modelFiles ?? []) {
          cb({ status: "initiate", file });
        }
        cb({
          status: "progress",
          file: "onnx/model.onnx",
          loaded: 1000,
          total: 4000,
        });
        if (
          options.failOn?.device === device &&
          options.failOn.stage === "load"
        ) {
          throw new Error(options.failOn.message);
        }
        const model: ModelLike = {
          config: options.demo ? { edge_llm_demo: true } : {},
          sessions: {
            model: { config: { dtype: (opts.dtype as string) ?? "fp32" } },
          },
          dispose: async () => {
            disposed.push(device);
          },
          generate: async (g) => {
            if (
              options.failOn?.device === device &&
              options.failOn.stage === "run"
            ) {
              throw new Error(options.failOn.message);
            }
            const streamer = g.streamer as TokenStreamer | undefined;
            const stopper = g.stopping_criteria as FakeStopper | undefined;
            const reply = options.reply ?? [1, 2, 3];
            streamer?.put([[5n, 6n]]);
            for (
              let i = 0;
              i < Math.min(reply.length, g.max_new_tokens as number);
              i++
            ) {
              if (stopper) options.beforeToken?.(i, stopper);
              if (stopper?.interrupted) break;
              streamer?.put([[BigInt(reply[i])]]);
              await Promise.resolve();
            }
            streamer?.end();
            return null;
          },
        };
        return model;
      },
    },
    InterruptableStoppingCriteria: FakeStopper,
  };
  return { tf, loads, disposed };
}

function deps(overrides: Partial<EngineDeps> = {}): EngineDeps {
  let t = 0;
  return {
    probeWebGpu: async () => ({ available: true }),
    fetchJson: async (url) => (url.endsWith("/config.json") ? {} : null),
    wasmPaths: { mjs: "http://app/ort/x.mjs", wasm: "http://app/ort/x.wasm" },
    now: () => (t += 100),
    ...overrides,
  };
}

const local = {
  preferredRuntime: "transformers" as const,
  models: { transformers: "/models/my-model" },
};

/** The events an engine call emits, and the callback that collects them. */
function collect() {
  const events: EngineEvent[] = [];
  return { events, emit: (e: EngineEvent) => void events.push(e) };
}

/** Swaps the fake model's generate for a mock that records the options it is given. */
function recordGenerate(tf: TransformersLike) {
  const generate = vi.fn(async (_options: Record<string, unknown>) => null);
  const from = tf.AutoModelForCausalLM.from_pretrained;
  tf.AutoModelForCausalLM.from_pretrained = async (id, opts) => ({
    ...(await from(id, opts)),
    generate,
  });
  return generate;
}

/** An engine with the local model loaded, and what its load returned. */
async function loaded(
  tf: TransformersLike,
  overrides: Partial<EngineDeps> = {},
): Promise<{ engine: Engine; info: LoadedInfo }> {
  const engine = new Engine(tf, deps(overrides));
  return { engine, info: await engine.load(local, () => undefined) };
}

/** One user message, without tools. */
function ask(
  engine: Engine,
  content: string,
  maxNewTokens: number,
  emit: (e: EngineEvent) => void = () => undefined,
) {
  return engine.generate(
    [{ role: "user", content }],
    [],
    { maxNewTokens },
    emit,
  );
}

describe("Engine.load", () => {
  describe("a model whose op the WASM backend lacks (a q4 export's 4-bit embedding)", () => {
    const ortError =
      "Can't create a session. ERROR_CODE: 9, ERROR_MESSAGE: Could not find an implementation for GatherBlockQuantized(1) node with name '/model/embed_tokens/Gather_Q4'";

    it("says it needs WebGPU or a float32-embedding export, not ONNX Runtime's error", async () => {
      const { tf } = fakeTransformers({
        failOn: { device: "wasm", stage: "load", message: ortError },
      });
      const engine = new Engine(
        tf,
        deps({
          probeWebGpu: async () => ({
            available: false,
            reason: "this browser has no WebGPU (navigator.gpu is missing)",
          }),
        }),
      );
      const error = await engine.load(local, () => {}).catch((e: Error) => e);
      expect(error).toBeInstanceOf(Error);
      const message = (error as Error).message;
      expect(message).toContain(
        "wasm: This model needs WebGPU: ONNX Runtime's WASM backend, which this app uses without WebGPU (this browser has no WebGPU (navigator.gpu is missing)), has no kernel for GatherBlockQuantized (node /model/embed_tokens/Gather_Q4).",
      );
      expect(message).toContain("-Dedgellm.export.embeddings=fp32");
      expect(message).not.toContain("ERROR_CODE");
    });

    it("names the WebGPU failure that led to WASM", async () => {
      const { tf } = fakeTransformers({
        failOn: { device: "wasm", stage: "load", message: ortError },
      });
      // WebGPU fails first (the fake fails WebGPU's first run), then WASM lacks the kernel
      tf.AutoModelForCausalLM.from_pretrained = (
        (original) => async (id, opts) => {
          if (opts.device === "webgpu") throw new Error("device lost");
          return original(id, opts);
        }
      )(tf.AutoModelForCausalLM.from_pretrained);
      const error = await new Engine(tf, deps())
        .load(local, () => {})
        .catch((e: Error) => e);
      const message = (error as Error).message;
      expect(message).toContain("webgpu: device lost");
      expect(message).toContain(
        "wasm: This model needs WebGPU: ONNX Runtime's WASM backend, which this app uses without WebGPU (WebGPU failed to load it)",
      );
    });

    it("leaves WebGPU's own errors as they are", async () => {
      const { tf } = fakeTransformers({
        failOn: { device: "webgpu", stage: "load", message: ortError },
      });
      const events: EngineEvent[] = [];
      const info = await new Engine(tf, deps()).load(local, (e) =>
        events.push(e),
      );
      expect(info.device).toBe("wasm");
      expect(events).toContainEqual(
        expect.objectContaining({ type: "fallback", reason: ortError }),
      );
    });
  });

  it("loads a local model on WebGPU without a dtype, from this app's files only", async () => {
    const { tf, loads } = fakeTransformers();
    const { info } = await loaded(tf);
    expect(info).toMatchObject({
      device: "webgpu",
      dtype: "fp32",
      demo: false,
      source: "local",
      modelId: "my-model",
    });
    expect(loads).toEqual([
      { id: "my-model", device: "webgpu", progress_callback: undefined },
    ]);
    expect(tf.env.allowRemoteModels).toBe(false);
    expect(tf.env.allowLocalModels).toBe(true);
    expect(tf.env.localModelPath).toBe("/models/");
    expect(tf.env.useBrowserCache).toBe(false);
    expect(tf.env.backends.onnx.wasm?.wasmPaths).toEqual({
      mjs: "http://app/ort/x.mjs",
      wasm: "http://app/ort/x.wasm",
    });
  });

  it("reports bytes per file while loading", async () => {
    const { tf } = fakeTransformers();
    const { events, emit } = collect();
    await new Engine(tf, deps()).load(local, emit);
    expect(events).toEqual([
      {
        type: "progress",
        file: { file: "tokenizer.json", loaded: 0, total: 0 },
      },
      {
        type: "progress",
        file: { file: "tokenizer.json", loaded: 50, total: 100 },
      },
      {
        type: "progress",
        file: { file: "tokenizer.json", loaded: -1, total: -1 },
      },
      {
        type: "progress",
        file: { file: "onnx/model.onnx", loaded: 1000, total: 4000 },
      },
    ]);
  });

  it("counts every external data chunk in the total from the start, sized by edge-llm.json", async () => {
    const chunks = ["onnx/model.onnx_data", "onnx/model.onnx_data_1"];
    const { tf } = fakeTransformers({
      modelFiles: ["onnx/model.onnx", ...chunks],
    });
    const manifest = {
      files: [
        { path: "onnx/model.onnx", size: 4000 },
        { path: "onnx/model.onnx_data", size: 1073741824 },
        { path: "onnx/model.onnx_data_1", size: 500 },
        { path: "tokenizer.json", size: 100 },
      ],
    };
    const { events, emit } = collect();
    await new Engine(
      tf,
      deps({
        fetchJson: async (url) =>
          url.endsWith("/config.json")
            ? {}
            : url.endsWith("/edge-llm.json")
              ? manifest
              : null,
      }),
    ).load(local, emit);
    let state: LLMState = reduce(initialState, { type: "load" });
    for (const e of events) {
      if (e.type === "progress") state = reduce(state, e);
    }
    expect(Object.keys(state.files)).toEqual(
      expect.arrayContaining(["onnx/model.onnx", ...chunks]),
    );
    // chunks not started yet still count: the bar is determinate and cannot run ahead
    expect(totalProgress(state.files)).toEqual({
      loaded: 100 + 1000,
      total: 100 + 4000 + 1073741824 + 500,
      fraction: 1100 / (100 + 4000 + 1073741824 + 500),
      known: true,
    });
  });

  it("loads a Hub model as q4 with the browser cache", async () => {
    const { tf, loads } = fakeTransformers();
    const info = await new Engine(tf, deps()).load(
      { models: { transformers: "onnx-community/gemma-3-270m-it-ONNX" } },
      () => undefined,
    );
    expect(loads[0]).toMatchObject({
      id: "onnx-community/gemma-3-270m-it-ONNX",
      dtype: "q4",
    });
    expect(info).toMatchObject({ source: "remote", dtype: "q4" });
    expect(tf.env.allowRemoteModels).toBe(true);
    expect(tf.env.allowLocalModels).toBe(false);
    expect(tf.env.useBrowserCache).toBe(true);
  });

  it("falls back to WASM when the WebGPU session can't be created, and says why", async () => {
    const { tf, loads } = fakeTransformers({
      failOn: { device: "webgpu", stage: "load", message: "webgpu EP failed" },
    });
    const { events, emit } = collect();
    const info = await new Engine(tf, deps()).load(local, emit);
    expect(loads.map((l) => l.device)).toEqual(["webgpu", "wasm"]);
    expect(info.device).toBe("wasm");
    expect(info.fallbackReason).toBe("webgpu EP failed");
    expect(events).toContainEqual({
      type: "fallback",
      from: "webgpu",
      to: "wasm",
      reason: "webgpu EP failed",
    });
  });

  it("falls back to WASM when the WebGPU session fails its first run, and frees it", async () => {
    const { tf, disposed } = fakeTransformers({
      failOn: {
        device: "webgpu",
        stage: "run",
        message: "shader compile error",
      },
    });
    const { info } = await loaded(tf);
    expect(info.device).toBe("wasm");
    expect(info.fallbackReason).toBe("shader compile error");
    expect(disposed).toEqual(["webgpu"]);
  });

  it("uses WASM straight away when there is no WebGPU adapter", async () => {
    const { tf, loads } = fakeTransformers();
    const { info } = await loaded(tf, {
      probeWebGpu: async () => ({
        available: false,
        reason: "no WebGPU adapter",
      }),
    });
    expect(loads.map((l) => l.device)).toEqual(["wasm"]);
    expect(info).toMatchObject({
      device: "wasm",
      fallbackReason: "no WebGPU adapter",
    });
  });

  it("runs the attention on the CPU kernel on an adapter with 4-wide subgroups (SwiftShader)", async () => {
    const config = { num_hidden_layers: 2 };
    const fetchJson = async (url: string) =>
      url.endsWith("/config.json") ? config : null;
    const narrow = fakeTransformers();
    await new Engine(
      narrow.tf,
      deps({
        fetchJson,
        probeWebGpu: async () => ({ available: true, subgroupMinSize: 4 }),
      }),
    ).load(local, () => undefined);
    expect(narrow.loads[0]).toMatchObject({
      device: "webgpu",
      session_options: {
        executionProviders: [
          {
            name: "webgpu",
            forceCpuNodeNames: [
              "/model/layers.0/attn/GroupQueryAttention",
              "/model/layers.1/attn/GroupQueryAttention",
            ],
          },
        ],
      },
    });
    const wide = fakeTransformers();
    await new Engine(
      wide.tf,
      deps({
        fetchJson,
        probeWebGpu: async () => ({ available: true, subgroupMinSize: 32 }),
      }),
    ).load(local, () => undefined);
    expect(wide.loads[0].device).toBe("webgpu");
    expect(wide.loads[0]).not.toHaveProperty("session_options");
  });

  it("reads the layer count from config.json (text_config for a multimodal one)", () => {
    expect(layerCount({ num_hidden_layers: 18 })).toBe(18);
    expect(layerCount({ text_config: { num_hidden_layers: 26 } })).toBe(26);
    expect(layerCount({})).toBe(0);
    expect(layerCount(null)).toBe(0);
  });

  it("uses WASM when asked, without a fallback notice", async () => {
    const { tf, loads } = fakeTransformers();
    const info = await new Engine(tf, deps()).load(
      { ...local, device: "wasm" },
      () => undefined,
    );
    expect(loads.map((l) => l.device)).toEqual(["wasm"]);
    expect(info.fallbackReason).toBeUndefined();
  });

  describe("a model staged with the q4f16 and q4 variants", () => {
    const manifest = {
      quantization: { bits: 4, quantizedMatMuls: 29 },
      variants: [
        { dtype: "q4f16", model: "onnx/model_q4f16.onnx" },
        { dtype: "q4", model: "onnx/model_q4.onnx" },
      ],
    };
    const fetchJson = async (url: string) =>
      url.endsWith("/edge-llm.json") ? manifest : {};
    /** Loads the staged model where WebGPU has, or lacks, shader-f16. */
    const load = (
      tf: TransformersLike,
      shaderF16: boolean,
      config: LLMConfig = local,
    ) =>
      new Engine(
        tf,
        deps({
          fetchJson,
          probeWebGpu: async () => ({ available: true, shaderF16 }),
        }),
      ).load(config, () => undefined);

    it("loads q4f16 on WebGPU with shader-f16", async () => {
      const { tf, loads } = fakeTransformers();
      const info = await load(tf, true);
      expect(loads.map((l) => [l.device, l.dtype])).toEqual([
        ["webgpu", "q4f16"],
      ]);
      expect(info).toMatchObject({ device: "webgpu", dtype: "q4f16" });
      expect(info.variant).toBe("q4f16");
      expect(info.variantReason).toBeUndefined();
    });

    it("loads q4 on WebGPU without shader-f16 and says why", async () => {
      const { tf, loads } = fakeTransformers();
      const info = await load(tf, false);
      expect(loads.map((l) => [l.device, l.dtype])).toEqual([["webgpu", "q4"]]);
      expect(info).toMatchObject({
        device: "webgpu",
        dtype: "q4",
        variant: "q4",
        variantReason: "no shader-f16",
      });
    });

    it("loads q4 on WASM after a failed WebGPU q4f16 session", async () => {
      const { tf, loads } = fakeTransformers({
        failOn: { device: "webgpu", stage: "load", message: "f16 failed" },
      });
      const info = await load(tf, true);
      expect(loads.map((l) => [l.device, l.dtype])).toEqual([
        ["webgpu", "q4f16"],
        ["wasm", "q4"],
      ]);
      expect(info).toMatchObject({ device: "wasm", variant: "q4" });
      expect(info.variantReason).toBeUndefined();
    });

    it("keeps an explicit dtype", async () => {
      const { tf, loads } = fakeTransformers();
      await load(tf, true, { ...local, dtype: "q4" });
      expect(loads[0]).toMatchObject({ device: "webgpu", dtype: "q4" });
    });
  });

  it("knows the demo model from config.json or from edge-llm.json", async () => {
    expect((await loaded(fakeTransformers({ demo: true }).tf)).info.demo).toBe(
      true,
    );
    const fetchJson = vi.fn(async (_url: string) => ({
      demo: true,
      quantization: { bits: 4, quantizedMatMuls: 29 },
    }));
    const { info } = await loaded(fakeTransformers().tf, { fetchJson });
    expect(info.demo).toBe(true);
    expect(info.weights).toBe("q4");
    expect(fetchJson).toHaveBeenCalledWith("/models/my-model/edge-llm.json");
  });

  it("says whether the model chats or continues text", async () => {
    const { tf } = fakeTransformers({ reply: [1] });
    expect((await loaded(tf)).info.chat).toBe(true);

    const plain = fakeTransformers({ reply: [1] });
    const plainTokenizer = Object.assign(
      (text: string) => ({ input_ids: ["plain:" + text] }),
      {
        ...tokenizer,
        chat_template: null,
      },
    ) as unknown as TokenizerLike;
    plain.tf.AutoTokenizer.from_pretrained = async () => plainTokenizer;
    const generate = recordGenerate(plain.tf);
    const { engine, info } = await loaded(plain.tf);
    expect(info.chat).toBe(false);
    await ask(engine, "Once upon a time", 4);
    expect(generate.mock.calls.at(-1)?.[0]).toMatchObject({
      input_ids: ["plain:Once upon a time"],
      max_new_tokens: 4,
    });
  });

  it("says which file is missing when the local model is not staged", async () => {
    const { tf, loads } = fakeTransformers();
    await expect(
      new Engine(tf, deps({ fetchJson: async () => null })).load(
        local,
        () => undefined,
      ),
    ).rejects.toThrow(
      /\/models\/my-model\/config\.json was not found \(404\)\. Is the model staged\?/,
    );
    expect(loads).toEqual([]);
  });

  it("says how to fix a model that is not staged", async () => {
    const { tf } = fakeTransformers();
    tf.AutoTokenizer.from_pretrained = async () => {
      throw new Error(
        'Could not locate file: "/models/my-model/tokenizer.json".',
      );
    };
    await expect(
      new Engine(tf, deps()).load(local, () => undefined),
    ).rejects.toThrow(
      /Is the model staged\? "mvn package" writes \/models\/my-model\/ \(public\/models\/my-model\/\)/,
    );
    expect(withHint("Protobuf parsing failed.", "/models/m")).toMatch(
      /404, not index\.html/,
    );
    expect(withHint("Protobuf parsing failed.", "org/m-ONNX")).toBe(
      "Protobuf parsing failed.",
    );
    expect(withHint("out of memory", "/models/m")).toBe("out of memory");
  });

  it("refuses another runtime", async () => {
    await expect(
      new Engine(fakeTransformers().tf, deps()).load(
        { ...local, preferredRuntime: "webllm" as never },
        () => undefined,
      ),
    ).rejects.toThrow(/"transformers"/);
  });
});

describe("Engine.generate", () => {
  it("streams each token's text, raw text and ids, then returns the whole reply", async () => {
    const { engine } = await loaded(fakeTransformers({ reply: [8, 9, 0] }).tf);
    const { events, emit } = collect();
    const generation = await ask(engine, "hi", 10, emit);
    expect(events).toEqual([
      { type: "token", text: "h", raw: "h", tokenIds: [8] },
      { type: "token", text: "i", raw: "i", tokenIds: [9] },
      { type: "token", text: "", raw: "<eos>", tokenIds: [0] },
    ]);
    expect(generation).toMatchObject({
      raw: "hi<eos>",
      text: "hi",
      tokenIds: [8, 9, 0],
      aborted: false,
    });
    expect(generation.stats.tokens).toBe(3);
  });

  it("renders the tools with the chat template and stops on generation_config.json's eos ids", async () => {
    const { tf } = fakeTransformers();
    const generate = recordGenerate(tf);
    const { engine, info } = await loaded(tf, {
      fetchJson: async (url) =>
        url.endsWith("/generation_config.json")
          ? { eos_token_id: [1, 5, 10] }
          : url.endsWith("/config.json")
            ? { eos_token_id: 1 }
            : null,
    });
    expect(info.stopTokenIds).toEqual([1, 5, 10]);
    const parameters = {
      type: "object" as const,
      properties: { expression: { type: "string" as const } },
    };
    await engine.generate(
      [
        { role: "user", content: "2+2?" },
        {
          role: "assistant",
          content: "",
          tool_calls: [
            { id: "c1", name: "calc", arguments: { expression: "2+2" } },
          ],
        },
        {
          role: "tool",
          name: "calc",
          tool_call_id: "c1",
          content: '{"result":4}',
        },
      ],
      [{ name: "calc", description: "Calculates", parameters }],
      { maxNewTokens: 8 },
      () => undefined,
    );
    const options = generate.mock.calls.at(-1)![0];
    expect(options).toMatchObject({
      input_ids: ["2+2?", "", '{"result":4}'],
      eos_token_id: [1, 5, 10],
      do_sample: false,
      max_new_tokens: 8,
      options: {
        tools: [
          {
            type: "function",
            function: { name: "calc", description: "Calculates", parameters },
          },
        ],
        add_generation_prompt: true,
        return_dict: true,
      },
    });
  });

  it("stops when aborted and says so", async () => {
    let engine: Engine | null = null;
    const { tf } = fakeTransformers({
      reply: [1, 2, 3, 4, 5, 6],
      beforeToken: (i) => {
        if (i === 2) engine?.abort();
      },
    });
    engine = (await loaded(tf)).engine;
    const { events, emit } = collect();
    const stopped = await ask(engine, "go", 10, emit);
    const text = events
      .flatMap((e) => (e.type === "token" ? [e.text] : []))
      .join("");
    expect(text).toBe("ab");
    expect(stopped).toMatchObject({ text: "ab", aborted: true });

    // The next reply is not stopped by the old abort.
    const engine2 = (await loaded(fakeTransformers({ reply: [3, 4] }).tf))
      .engine;
    engine2.abort();
    const again = await ask(engine2, "go", 10);
    expect(again).toMatchObject({ text: "cd", aborted: false });
  });

  it("refuses to generate before loading", async () => {
    await expect(
      new Engine(fakeTransformers().tf, deps()).generate(
        [],
        [],
        { maxNewTokens: 1 },
        () => undefined,
      ),
    ).rejects.toThrow(/not loaded/);
  });
});

describe("TokenStreamer", () => {
  it("skips the prompt, holds a split character back, and ends with the full decode", () => {
    const pieces: [string, number[]][] = [];
    const s = new TokenStreamer(tokenizer, (text, ids) =>
      pieces.push([text, ids]),
    );
    s.put([[5n, 6n, 7n]]); // the prompt
    s.put([[1n]]);
    s.put([[90n]]); // first half of "é": nothing yet
    s.put([[91n]]);
    s.put([[2n]]);
    s.end();
    expect(pieces).toEqual([
      ["a", [1]],
      ["é", [90, 91]],
      ["b", [2]],
    ]);
    expect(pieces.map((p) => p[0]).join("")).toBe(s.text);
  });

  it("flushes a dangling half character at the end", () => {
    const pieces: string[] = [];
    const s = new TokenStreamer(tokenizer, (text) => pieces.push(text));
    s.put([[9n]]);
    s.put([[1n]]);
    s.put([[90n]]);
    s.end();
    expect(pieces).toEqual(["a", "\uFFFD"]);
  });
});
