// Benchmark (not a test): prefill and greedy-decode tokens/s of one decoder model with
// onnxruntime-web (the version the app ships) on its WebGPU backend in Node through Dawn (npm
// `webgpu`), and on its WASM backend, next to the memory-bandwidth bound of a decoded token.
//
//   node bench.mjs --model DIR|FILE [--label NAME] [--ep webgpu,wasm] [--threads N]
//                  [--prefill 128,512] [--decode 128] [--bandwidth 4.8e12] [--json FILE]
//                  [--logits-to-keep 1]   (0: every position's logits, as without the input)
//   node bench.mjs --table FILE        (prints the markdown table of the runs appended to FILE)
//
// DIR holds model.onnx (and config.json): either a staged/exported model, or a skeleton written by
// WebGpuBenchModels with fill.json, whose large tensors are regenerated here as random data of the
// recorded type and spread (see README.md). Each backend runs in this process in turn; a backend
// that fails prints its error and the others still run.
import fs from "node:fs";
import path from "node:path";
import os from "node:os";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));

function parseArgs(argv) {
  const a = {
    ep: "webgpu,wasm",
    threads: String(os.availableParallelism?.() ?? os.cpus().length),
  };
  a.prefill = "128,512";
  a.decode = "128";
  a.bandwidth = "4.8e12";
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    if (!k.startsWith("--")) throw new Error(`unexpected argument ${k}`);
    a[k.slice(2)] = argv[i + 1];
    i++;
  }
  return a;
}
const args = parseArgs(process.argv.slice(2));
// what generate() feeds (1); 0 asks for every position's logits, as a graph without the input does
const logitsToKeep = BigInt(args["logits-to-keep"] ?? 1);

if (args.table) {
  printTable(args.table);
  process.exit(0);
}
if (!args.model) {
  console.error(
    "usage: node bench.mjs --model DIR|FILE [--label NAME] [--ep webgpu,wasm] ...",
  );
  process.exit(2);
}

// ---- the model -------------------------------------------------------------------------------
const modelFile = fs.statSync(args.model).isDirectory()
  ? path.join(args.model, "model.onnx")
  : args.model;
const modelDir = path.dirname(modelFile);
const label = args.label ?? path.basename(modelDir);
const readJson = (f) =>
  fs.existsSync(f) ? JSON.parse(fs.readFileSync(f, "utf8")) : null;
// config.json beside the model, or one folder up (a staged folder keeps the model in onnx/)
const config =
  readJson(path.join(modelDir, "config.json")) ??
  readJson(path.join(modelDir, "..", "config.json"));
const fill = readJson(path.join(modelDir, "fill.json"));
const modelBytes = fs.readFileSync(modelFile);

/** Random data of each large tensor's type and spread (xorshift, seeded: the same every run). */
function fillData(spec) {
  const buf = new Uint8Array(spec.bytes);
  let s = 0x9e3779b9;
  const next = () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
  const f32 = new Float32Array(1);
  const u32 = new Uint32Array(f32.buffer);
  const toHalf = (v) => {
    f32[0] = v;
    const x = u32[0];
    const sign = (x >>> 16) & 0x8000;
    const e = ((x >>> 23) & 0xff) - 127 + 15;
    if (e <= 0) return sign;
    if (e >= 31) return sign | 0x7bff;
    return sign | (e << 10) | ((x >>> 13) & 0x3ff);
  };
  for (const t of spec.tensors) {
    const view = buf.subarray(t.offset, t.offset + t.length);
    const half = Math.sqrt(3) * (t.std ?? 0);
    if (t.dataType === 1) {
      const v = new Float32Array(buf.buffer, t.offset, t.length / 4);
      for (let i = 0; i < v.length; i++)
        v[i] = t.mean + (2 * next() - 1) * half;
    } else if (t.dataType === 10) {
      const v = new Uint16Array(buf.buffer, t.offset, t.length / 2);
      for (let i = 0; i < v.length; i++)
        v[i] = toHalf(t.mean + (2 * next() - 1) * half);
    } else if (t.dataType === 2 || t.dataType === 3) {
      for (let i = 0; i < view.length; i += 4) {
        const r = (next() * 4294967296) >>> 0;
        view[i] = r;
        view[i + 1] = r >>> 8;
        view[i + 2] = r >>> 16;
        view[i + 3] = r >>> 24;
      }
    } // other types stay zero
  }
  return buf;
}

// ---- bytes one decoded token reads -----------------------------------------------------------
function bytesPerToken(kvElemBytes, context) {
  const weights = fill
    ? fill.tensors.reduce((a, t) => a + t.readPerToken, 0) + modelBytes.length
    : modelBytes.length;
  let kv = 0;
  if (config) {
    const layers = config.num_hidden_layers;
    const kvHeads = config.num_key_value_heads ?? config.num_attention_heads;
    const hd =
      config.head_dim ?? config.hidden_size / config.num_attention_heads;
    for (let l = 0; l < layers; l++) {
      const sliding =
        config.layer_types?.[l] === "sliding_attention" &&
        config.sliding_window;
      const ctx = sliding ? Math.min(context, config.sliding_window) : context;
      kv += 2 * kvHeads * hd * ctx * kvElemBytes;
    }
  }
  return { weights, kv, total: weights + kv };
}

// ---- runtime ---------------------------------------------------------------------------------
const ortDist = path.join(here, "node_modules", "onnxruntime-web", "dist");
// onnxruntime-web loads its .mjs glue by URL; for a multi-threaded WASM backend it first fetches
// that file into a blob: URL (its worker must be same-origin), which Node can neither fetch (file:)
// nor import (blob:). Serve file: URLs from disk and hand the file URL itself back for the blob.
const nodeFetch = globalThis.fetch;
globalThis.fetch = async (url, init) => {
  const u = String(url);
  if (!u.startsWith("file:")) return nodeFetch(url, init);
  const blob = new Blob([fs.readFileSync(fileURLToPath(u))], {
    type: "text/javascript",
  });
  blob.fileUrl = u;
  return {
    ok: true,
    status: 200,
    blob: async () => blob,
    arrayBuffer: async () => blob.arrayBuffer(),
  };
};
const createObjectURL = URL.createObjectURL;
URL.createObjectURL = (blob) => blob?.fileUrl ?? createObjectURL(blob);
const ort = await import(
  pathToFileURL(path.join(ortDist, "ort.webgpu.min.mjs")).href
);
ort.env.wasm.wasmBinary = fs.readFileSync(
  path.join(ortDist, "ort-wasm-simd-threaded.asyncify.wasm"),
);
ort.env.logLevel = "error";

async function setUpWebGpu() {
  const { create, globals } = await import("webgpu");
  Object.assign(globalThis, globals);
  // onnxruntime-web's WASM memory is a SharedArrayBuffer; dawn.node's writeBuffer refuses views of
  // one ("Invalid argument"), where browsers take them: hand it a copy.
  const writeBuffer = globals.GPUQueue.prototype.writeBuffer;
  globals.GPUQueue.prototype.writeBuffer = function (
    buffer,
    offset,
    data,
    ...rest
  ) {
    const copy =
      data?.buffer instanceof SharedArrayBuffer ? data.slice() : data;
    return writeBuffer.call(this, buffer, offset, copy, ...rest);
  };
  // onnxruntime-web's WebGPU EP waits for its futures by blocking the JS thread in Node, so a
  // promise dawn.node resolves from the event loop never settles: compile pipelines synchronously
  // and settle at once. (mapAsync, which reads results back, still hangs that way here: README.md.)
  globals.GPUDevice.prototype.createComputePipelineAsync = function (
    descriptor,
  ) {
    let pipeline;
    let error;
    try {
      pipeline = this.createComputePipeline(descriptor);
    } catch (e) {
      error = e;
    }
    const settled = error ? Promise.reject(error) : Promise.resolve(pipeline);
    settled.catch(() => {});
    return {
      then(resolve, reject) {
        if (error) reject?.(error);
        else resolve?.(pipeline);
        return settled;
      },
      catch: () => settled,
    };
  };
  const flags = (process.env.DAWN_FLAGS ?? "").split(" ").filter(Boolean);
  const gpu = create(flags);
  Object.defineProperty(globalThis, "navigator", {
    value: { gpu, userAgent: "node", hardwareConcurrency: os.cpus().length },
    configurable: true,
    writable: true,
  });
  const adapter = await gpu.requestAdapter({
    powerPreference: "high-performance",
  });
  if (!adapter)
    throw new Error(
      "navigator.gpu.requestAdapter() returned null: no WebGPU adapter (Dawn found no Vulkan driver?)",
    );
  const info = adapter.info ?? {};
  const f16 = adapter.features.has("shader-f16");
  console.log(
    `WebGPU adapter: vendor '${info.vendor}', architecture '${info.architecture}', device '${info.device}', ` +
      `description '${info.description}'; shader-f16: ${f16 ? "yes" : "NO"}; ` +
      `maxBufferSize ${adapter.limits.maxBufferSize}, maxStorageBufferBindingSize ${adapter.limits.maxStorageBufferBindingSize}`,
  );
  const wanted = ["shader-f16", "subgroups", "timestamp-query"].filter((f) =>
    adapter.features.has(f),
  );
  const device = await adapter.requestDevice({
    requiredFeatures: wanted,
    requiredLimits: {
      maxBufferSize: adapter.limits.maxBufferSize,
      maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
      maxComputeWorkgroupStorageSize:
        adapter.limits.maxComputeWorkgroupStorageSize,
      maxComputeInvocationsPerWorkgroup:
        adapter.limits.maxComputeInvocationsPerWorkgroup,
      maxComputeWorkgroupSizeX: adapter.limits.maxComputeWorkgroupSizeX,
    },
  });
  if (process.env.BENCH_OWN_DEVICE === "1") ort.env.webgpu.device = device;
  else device.destroy();
  return {
    adapter:
      `${info.vendor} ${info.architecture} ${info.description || info.device}`.trim(),
    f16,
  };
}

function halfToFloat(h) {
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  const v =
    e === 0
      ? m * 2 ** -24
      : e === 31
        ? m
          ? NaN
          : Infinity
        : (1 + m / 1024) * 2 ** (e - 15);
  return h & 0x8000 ? -v : v;
}

function tensorInt64(values, dims) {
  return new ort.Tensor("int64", BigInt64Array.from(values, BigInt), dims);
}

async function runBackend(ep) {
  const result = {
    label,
    ep,
    threads: ep === "wasm" ? Number(args.threads) : undefined,
  };
  let gpuInfo;
  if (ep === "webgpu") {
    gpuInfo = await setUpWebGpu();
    result.adapter = gpuInfo.adapter;
    result.shaderF16 = gpuInfo.f16;
  } else {
    ort.env.wasm.numThreads = Number(args.threads);
    result.adapter = `${os.cpus()[0]?.model ?? "cpu"} (WASM, ${args.threads} threads)`;
  }
  const options = { executionProviders: [ep], graphOptimizationLevel: "all" };
  if (ep === "webgpu") options.preferredOutputLocation = "gpu-buffer"; // the KV cache stays on the GPU
  if (fill) {
    const t = performance.now();
    options.externalData = [{ path: fill.file, data: fillData(fill) }];
    console.log(
      `  regenerated ${(fill.bytes / 1e6).toFixed(1)} MB of random weights in ${((performance.now() - t) / 1000).toFixed(1)} s`,
    );
  }
  const t0 = performance.now();
  const run = await ort.InferenceSession.create(modelBytes, options);
  result.loadSeconds = (performance.now() - t0) / 1000;
  console.log(
    `  ${label} on ${ep}: session created in ${result.loadSeconds.toFixed(1)} s`,
  );
  const inputs = run.inputNames;
  const pastNames = inputs.filter((n) => n.startsWith("past_key_values."));
  const meta = run.inputMetadata?.find?.((m) => m.name === pastNames[0]);
  const kvType = meta?.type ?? "float32";
  const kvElemBytes = kvType === "float16" ? 2 : 4;
  const kvHeads = config?.num_key_value_heads ?? meta?.shape?.[1];
  const headDim = config?.head_dim ?? meta?.shape?.[3];
  const vocab = config?.vocab_size;
  result.kvType = kvType;
  result.numLogitsToKeep = inputs.includes("num_logits_to_keep");

  const emptyPast = () => {
    const feeds = {};
    for (const n of pastNames) {
      const data =
        kvType === "float16" ? new Uint16Array(0) : new Float32Array(0);
      feeds[n] = new ort.Tensor(kvType, data, [1, kvHeads, 0, headDim]);
    }
    return feeds;
  };
  let seed = 12345;
  const randomIds = (n) =>
    Array.from({ length: n }, () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return 10 + (seed % ((vocab ?? 32000) - 10));
    });
  const argmax = (t, d) => {
    const v = t.dims[t.dims.length - 1];
    const off = d.length - v;
    let best = 0;
    for (let i = 1; i < v; i++) if (d[off + i] > d[off + best]) best = i;
    return best;
  };
  const step = async (ids, past, pastLength) => {
    const total = pastLength + ids.length;
    const feeds = { ...past, input_ids: tensorInt64(ids, [1, ids.length]) };
    if (inputs.includes("attention_mask"))
      feeds.attention_mask = tensorInt64(new Array(total).fill(1), [1, total]);
    if (inputs.includes("position_ids"))
      feeds.position_ids = tensorInt64(
        ids.map((_, i) => pastLength + i),
        [1, ids.length],
      );
    if (inputs.includes("num_logits_to_keep"))
      feeds.num_logits_to_keep = new ort.Tensor("int64", [logitsToKeep], []);
    const out = await run.run(feeds);
    const next = {};
    for (const n of pastNames)
      next[n] = out[n.replace("past_key_values.", "present.")];
    if (pastLength > 0) for (const n of pastNames) past[n].dispose?.();
    // reads the logits back, as generate() does
    let data =
      out.logits.location === "gpu-buffer"
        ? await out.logits.getData(true)
        : out.logits.data;
    if (out.logits.type === "float16" && data instanceof Uint16Array)
      data = Float32Array.from(data, halfToFloat);
    const token = argmax(out.logits, data);
    const finite = Number.isFinite(data[data.length - 1]);
    return { next, token, finite };
  };
  const generate = async (promptLength, decode) => {
    let past = emptyPast();
    const t0 = performance.now();
    let r = await step(randomIds(promptLength), past, 0);
    const prefill = (performance.now() - t0) / 1000;
    past = r.next;
    let finite = r.finite;
    const t1 = performance.now();
    for (let i = 0; i < decode; i++) {
      r = await step([r.token], past, promptLength + i);
      past = r.next;
      finite &&= r.finite;
    }
    const decodeSeconds = (performance.now() - t1) / 1000;
    for (const n of pastNames) past[n].dispose?.();
    return { prefill, decodeSeconds, finite };
  };

  result.runs = [];
  const decode = Number(args.decode);
  for (const p of args.prefill.split(",").map(Number)) {
    await generate(p, 4); // warm-up: compiles the shaders / kernels for these shapes
    const g = await generate(p, decode);
    const bytes = bytesPerToken(kvElemBytes, p + decode / 2);
    const bound = Number(args.bandwidth) / bytes.total;
    const r = {
      prompt: p,
      decode,
      prefillTokPerS: p / g.prefill,
      prefillSeconds: g.prefill,
      decodeTokPerS: decode / g.decodeSeconds,
      bytesPerToken: bytes.total,
      weightBytesPerToken: bytes.weights,
      kvBytesPerToken: bytes.kv,
      boundTokPerS: bound,
      finiteLogits: g.finite,
    };
    result.runs.push(r);
    console.log(
      `  ${label} ${ep}: prompt ${p}: prefill ${r.prefillTokPerS.toFixed(1)} tok/s (${g.prefill.toFixed(3)} s); ` +
        `decode ${decode}: ${r.decodeTokPerS.toFixed(1)} tok/s; ${(bytes.total / 1e6).toFixed(1)} MB read per token ` +
        `(weights ${(bytes.weights / 1e6).toFixed(1)}, KV ${(bytes.kv / 1e6).toFixed(1)}) -> bandwidth bound ` +
        `${bound.toFixed(0)} tok/s at ${(Number(args.bandwidth) / 1e12).toFixed(2)} TB/s (${((100 * r.decodeTokPerS) / bound).toFixed(2)}%)` +
        (g.finite ? "" : "; logits NOT finite"),
    );
  }
  await run.release();
  result.maxRssMb = process.resourceUsage().maxRSS / 1024;
  console.log(
    `  peak RSS of this process so far: ${result.maxRssMb.toFixed(0)} MB (num_logits_to_keep fed: ${logitsToKeep})`,
  );
  return result;
}

const results = [];
for (const ep of args.ep.split(",")) {
  try {
    results.push(await runBackend(ep));
  } catch (e) {
    console.log(`  ${label} on ${ep}: FAILED: ${e?.stack ?? e}`);
    results.push({ label, ep, error: String(e?.message ?? e) });
  }
}
if (args.json) {
  for (const r of results)
    fs.appendFileSync(args.json, JSON.stringify(r) + "\n");
}
printRows(results);
// dawn.node keeps the process alive while navigator.gpu is referenced, and process.exit() can wait
// for ever on onnxruntime-web's WASM worker threads (seen here, process.reallyExit() too): the
// output above is written synchronously, then the process kills itself.
delete globalThis.navigator;
process.kill(process.pid, "SIGKILL"); // device-run.sh takes its exit status 137 as the end

function printRows(rows) {
  const log = (line) => fs.writeSync(1, line + "\n");
  log(
    "| model | backend | adapter | prompt | prefill tok/s | decode tok/s | MB read/token | bound tok/s | % of bound |",
  );
  log("| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |");
  for (const r of rows) {
    if (r.error) {
      log(
        `| ${r.label} | ${r.ep} | failed: ${r.error.replace(/\|/g, "/").slice(0, 120)} | | | | | | |`,
      );
      continue;
    }
    const ep =
      r.ep === "webgpu"
        ? `webgpu${r.shaderF16 ? " (shader-f16)" : ""}`
        : `wasm ${r.threads}t`;
    for (const x of r.runs) {
      log(
        `| ${r.label} | ${ep} | ${r.adapter} | ${x.prompt} | ${x.prefillTokPerS.toFixed(1)} | ${x.decodeTokPerS.toFixed(1)} | ` +
          `${(x.bytesPerToken / 1e6).toFixed(1)} | ${x.boundTokPerS.toFixed(0)} | ${((100 * x.decodeTokPerS) / x.boundTokPerS).toFixed(2)} |`,
      );
    }
  }
}

function printTable(file) {
  const rows = fs
    .readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l));
  printRows(rows);
}
