// Measurement (not a test; see README.md): runs each model under ROOT
// (ROOT/<fixture>/<variant>/model.onnx, written by dev.edgellm.bench.WasmOpsModels) on
// onnxruntime-web's WASM backend and on onnxruntime-node's CPU: a decoder gets a 4-token prefill
// then one decode step through the KV cache, a one-node model one run of deterministic inputs.
// Prints per model whether it ran on WASM, the error if not, and the largest difference of the
// logits (the output) to the CPU's.
//
//   node probe.mjs ROOT [--build asyncify|plain] [--ort-dir DIR/node_modules] [--json FILE]
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
const root = argv[0];
const opt = (k, d) => {
  const i = argv.indexOf(`--${k}`);
  return i >= 0 ? argv[i + 1] : d;
};
const build = opt("build", "asyncify");
const modules = opt("ort-dir", path.join(here, "node_modules"));
const dist = path.join(modules, "onnxruntime-web", "dist");

// the asyncify build is the one Transformers.js's web bundle imports (onnxruntime-web/webgpu, its
// CPU EP being the WASM backend); "plain" is onnxruntime-web's WASM-only build
const [bundle, wasm] =
  build === "asyncify"
    ? ["ort.webgpu.min.mjs", "ort-wasm-simd-threaded.asyncify.wasm"]
    : ["ort.wasm.min.mjs", "ort-wasm-simd-threaded.wasm"];
const web = await import(pathToFileURL(path.join(dist, bundle)).href);
web.env.wasm.wasmBinary = fs.readFileSync(path.join(dist, wasm));
web.env.wasm.numThreads = 1;
web.env.logLevel = "fatal";
const cpuModule = await import(
  pathToFileURL(path.join(modules, "onnxruntime-node", "dist", "index.js")).href
);
const cpu = cpuModule.default ?? cpuModule;
const webVersion = JSON.parse(
  fs.readFileSync(path.join(modules, "onnxruntime-web", "package.json")),
).version;

function feedsFor(ort, session, ids, past, start) {
  const feeds = {};
  const meta = session.inputMetadata;
  for (const m of meta) {
    const n = m.name;
    if (n === "input_ids") {
      feeds[n] = new ort.Tensor("int64", BigInt64Array.from(ids, BigInt), [
        1,
        ids.length,
      ]);
    } else if (n === "attention_mask") {
      feeds[n] = new ort.Tensor(
        "int64",
        new BigInt64Array(start + ids.length).fill(1n),
        [1, start + ids.length],
      );
    } else if (n === "position_ids") {
      feeds[n] = new ort.Tensor(
        "int64",
        BigInt64Array.from(ids, (_, i) => BigInt(start + i)),
        [1, ids.length],
      );
    } else if (n === "num_logits_to_keep") {
      feeds[n] = new ort.Tensor("int64", [0n], []);
    } else if (n.startsWith("past_key_values")) {
      if (past) {
        const p = past[n.replace("past_key_values", "present")];
        feeds[n] = new ort.Tensor(p.type, p.data, p.dims);
      } else {
        const dims = m.shape.map((d, i) =>
          i === 2 ? 0 : typeof d === "number" ? d : 1,
        );
        const size = 0;
        feeds[n] =
          m.type === "float16"
            ? new ort.Tensor("float16", new Uint16Array(size), dims)
            : new ort.Tensor("float32", new Float32Array(size), dims);
      }
    } else {
      throw new Error(`unknown input ${n}`);
    }
  }
  return feeds;
}

function half(h) {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f ? NaN : s * Infinity;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}
const floats = (t) =>
  t.type === "float16" && t.data instanceof Uint16Array
    ? Array.from(t.data, half)
    : Array.from(t.data);

function toHalf(v) {
  const f = new Float32Array([v]);
  const x = new Uint32Array(f.buffer)[0];
  const sign = (x >>> 16) & 0x8000;
  const e = ((x >>> 23) & 0xff) - 127 + 15;
  if (e <= 0) return sign;
  return sign | (e << 10) | ((x >>> 13) & 0x3ff);
}

/** One run of a one-node model with deterministic inputs of the declared shapes. */
async function oneRun(ort, session) {
  const feeds = {};
  for (const m of session.inputMetadata) {
    const dims = m.shape.map((d) => (typeof d === "number" ? d : 1));
    const n = dims.reduce((a, b) => a * b, 1);
    const vals = Array.from({ length: n }, (_, i) => Math.sin(i * 0.37) * 2);
    if (m.type === "int64") {
      feeds[m.name] = new ort.Tensor(
        "int64",
        BigInt64Array.from({ length: n }, (_, i) => BigInt(i % 4)),
        dims,
      );
    } else if (m.type === "float16") {
      feeds[m.name] = new ort.Tensor(
        "float16",
        Uint16Array.from(vals, toHalf),
        dims,
      );
    } else {
      feeds[m.name] = new ort.Tensor("float32", Float32Array.from(vals), dims);
    }
  }
  const out = await session.run(feeds);
  return [floats(out[session.outputNames[0]])];
}

async function twoSteps(ort, bytes, opts) {
  const session = await ort.InferenceSession.create(bytes, opts);
  try {
    if (!session.inputNames.includes("input_ids")) {
      return await oneRun(ort, session);
    }
    const a = await session.run(feedsFor(ort, session, [1, 5, 9, 3], null, 0));
    const b = await session.run(feedsFor(ort, session, [7], a, 4));
    return [floats(a.logits), floats(b.logits)];
  } finally {
    await session.release(); // 200 sessions would otherwise fill the WASM heap
  }
}

function maxDiff(x, y) {
  let d = 0;
  let m = 0;
  for (let i = 0; i < x.length; i++) {
    d = Math.max(d, Math.abs(x[i] - y[i]));
    m = Math.max(m, Math.abs(y[i]));
  }
  return { d, m };
}

// Every CPU reference first, then every WASM run: creating an onnxruntime-node session after
// onnxruntime-web's module ran in the same process stalled for minutes on the busy 2-core machine.
const models = [];
for (const fixture of fs.readdirSync(root).sort()) {
  for (const variant of fs.readdirSync(path.join(root, fixture)).sort()) {
    const file = path.join(root, fixture, variant, "model.onnx");
    if (fs.existsSync(file)) models.push({ fixture, variant, file });
  }
}
const refs = [];
for (const m of models) {
  try {
    refs.push(
      await twoSteps(cpu, fs.readFileSync(m.file), {
        executionProviders: ["cpu"],
      }),
    );
  } catch (e) {
    refs.push(String(e.message ?? e).split("\n")[0]);
  }
}
const results = [];
for (const [i, { fixture, variant, file }] of models.entries()) {
  const r = { fixture, variant };
  const ref = typeof refs[i] === "string" ? null : refs[i];
  if (!ref) r.cpuError = refs[i];
  try {
    const got = await twoSteps(web, fs.readFileSync(file), {
      executionProviders: ["wasm"],
      graphOptimizationLevel: "all",
    });
    r.wasm = "runs";
    if (ref) {
      const p = maxDiff(got[0], ref[0]);
      const s = got[1] ? maxDiff(got[1], ref[1]) : p;
      r.maxDiff = Math.max(p.d, s.d);
      r.maxLogit = Math.max(p.m, s.m);
    }
  } catch (e) {
    r.wasm = "fails";
    r.error = String(e.message ?? e)
      .replace(/\s+/g, " ")
      .slice(0, 300);
  }
  results.push(r);
  console.log(
    `${fixture.padEnd(20)} ${variant.padEnd(14)} ${r.wasm.padEnd(6)} ` +
      (r.error ??
        (r.maxDiff !== undefined
          ? `max |diff| vs CPU ${r.maxDiff.toExponential(2)} (max |value| ${r.maxLogit.toFixed(2)})`
          : `cpu: ${r.cpuError}`)),
  );
}
const cpuVersion = JSON.parse(
  fs.readFileSync(path.join(modules, "onnxruntime-node", "package.json")),
).version;
console.log(
  `onnxruntime-web ${webVersion} (${bundle}, ${wasm}); onnxruntime-node ${cpuVersion}`,
);
if (opt("json"))
  fs.writeFileSync(opt("json"), JSON.stringify(results, null, 2));
// onnxruntime-web's module keeps the event loop alive
process.exit(0);
