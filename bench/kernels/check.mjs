// Kernel check (not a test): runs the single-op models KernelCheckModels writes (every quantized
// layout the plugin emits) with onnxruntime-web in Chromium, on its WebGPU backend (SwiftShader
// where there is no GPU) and its WASM backend, the build and version the app loads
// (ort.webgpu.min.mjs: the asyncify WASM with the native WebGPU EP), and with onnxruntime-node on
// the CPU; compares each output with the exact product of the dequantized weight (computed in
// double by the generator) and with the Java ONNX Runtime's CPU output.
//
//   node check.mjs CASES_DIR [--json OUT.json]
//
// Per case and backend it prints err = max |out - exact| / max |exact| (float32 rounding of a K-long
// dot product is ~1e-7..1e-6; a wrong dequantization is ~1e-1 or more), and the same against the
// CPU (Java). GroupQueryAttention cases are not quantized: their reference is the CPU (Java).
// Environment: CHROMIUM (default /usr/bin/chromium), CASES (comma-separated name fragments to run
// only some).
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import * as ortNode from "onnxruntime-node";
import { openOrtPage } from "./page.mjs";

const dir = path.resolve(process.argv[2] ?? "target/kernel-check");
const jsonOut = process.argv.includes("--json")
  ? process.argv[process.argv.indexOf("--json") + 1]
  : null;
const only = (process.env.CASES ?? "").split(",").filter(Boolean);
const cases = JSON.parse(
  readFileSync(path.join(dir, "cases.json"), "utf8"),
).filter((c) => only.length === 0 || only.some((o) => c.name.includes(o)));

const f32 = (file) => {
  const b = readFileSync(path.join(dir, file));
  return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
};
const ARRAYS = {
  float32: Float32Array,
  int64: BigInt64Array,
  int32: Int32Array,
};
/** An input's data, as the typed array of its type. */
const typed = (type, bytes) => {
  const A = ARRAYS[type];
  const copy = new Uint8Array(bytes).slice().buffer;
  return new A(copy, 0, copy.byteLength / A.BYTES_PER_ELEMENT);
};

/** max |a - b| / max |b|, or null when there is no output. */
function err(a, b) {
  if (!a || a.length !== b.length) return null;
  let d = 0;
  let m = 0;
  for (let i = 0; i < b.length; i++) {
    d = Math.max(d, Math.abs(a[i] - b[i]));
    m = Math.max(m, Math.abs(b[i]));
  }
  return m === 0 ? d : d / m;
}

// 1. onnxruntime-node, CPU.
const results = {};
for (const c of cases) {
  const r = (results[c.name] = {});
  try {
    const s = await ortNode.InferenceSession.create(
      path.join(dir, `${c.name}.onnx`),
      {
        intraOpNumThreads: 1,
      },
    );
    const feed = Object.fromEntries(
      c.inputs.map((i) => [
        i.name,
        new ortNode.Tensor(
          i.type,
          typed(i.type, readFileSync(path.join(dir, i.file))),
          i.dims,
        ),
      ]),
    );
    const out = await s.run(feed);
    r.node = Float32Array.from(out[s.outputNames[0]].data);
    await s.release();
  } catch (e) {
    r.nodeError = String(e.message ?? e).split("\n")[0];
  }
}

// 2. onnxruntime-web in Chromium: a page that imports ort.webgpu.min.mjs, cross-origin isolated.
const { origin, browser, close } = await openOrtPage("kernel check", (p) =>
  p.startsWith("/cases/") ? path.join(dir, path.basename(p)) : null,
);
let adapter = "";
try {
  const page = await browser.newPage();
  page.on("console", (m) => {
    if (m.type() === "error") console.error(`page: ${m.text()}`);
  });
  await page.goto(origin);
  adapter = await page.evaluate(async () => {
    const a = await navigator.gpu?.requestAdapter();
    const i = a?.info;
    return i ? `${i.vendor} ${i.architecture} ${i.description}` : "no adapter";
  });
  for (const device of ["webgpu", "wasm"]) {
    for (const c of cases) {
      const out = await page.evaluate(
        async ({ c, device }) => {
          const ort = (window.__ort ??=
            await import("/ort/ort.webgpu.min.mjs"));
          ort.env.wasm.wasmPaths = "/ort/";
          ort.env.wasm.numThreads = 1;
          ort.env.logLevel = "error";
          const buf = async (f) => (await fetch(`/cases/${f}`)).arrayBuffer();
          const ARRAYS = {
            float32: Float32Array,
            int64: BigInt64Array,
            int32: Int32Array,
          };
          try {
            const s = await ort.InferenceSession.create(
              await buf(`${c.name}.onnx`),
              {
                executionProviders: [device],
              },
            );
            const feeds = {};
            for (const i of c.inputs)
              feeds[i.name] = new ort.Tensor(
                i.type,
                new ARRAYS[i.type](await buf(i.file)),
                i.dims,
              );
            const r = await s.run(feeds);
            const y = Array.from(await r[s.outputNames[0]].getData());
            await s.release();
            return { y };
          } catch (e) {
            return { error: String(e.message ?? e).split("\n")[0] };
          }
        },
        { c, device },
      );
      if (out.y) results[c.name][device] = Float32Array.from(out.y);
      else results[c.name][`${device}Error`] = out.error;
    }
  }
} finally {
  await close();
}

// 3. Compare.
const fmt = (v) => (v === null ? "—" : v === 0 ? "0" : v.toExponential(1));
const rows = [];
console.log(`WebGPU adapter: ${adapter}`);
console.log(
  "| case | exact: Java CPU | node CPU | WebGPU | WASM | vs Java CPU: node | WebGPU | WASM |",
);
console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
for (const c of cases) {
  const ref = f32(`${c.name}.ref.bin`);
  const java = f32(`${c.name}.java.bin`);
  const r = results[c.name];
  const row = {
    name: c.name,
    op: c.op,
    layout: c.layout,
    M: c.M,
    exact: {
      java: err(java, ref),
      node: err(r.node, ref),
      webgpu: err(r.webgpu, ref),
      wasm: err(r.wasm, ref),
    },
    cpu: {
      node: err(r.node, java),
      webgpu: err(r.webgpu, java),
      wasm: err(r.wasm, java),
    },
    errors: Object.fromEntries(
      ["node", "webgpu", "wasm"]
        .filter((d) => r[`${d}Error`])
        .map((d) => [d, r[`${d}Error`]]),
    ),
  };
  rows.push(row);
  const cell = (d, v) => (r[`${d}Error`] ? "error" : fmt(v));
  console.log(
    `| ${c.name} | ${fmt(row.exact.java)} | ${cell("node", row.exact.node)} | ${cell("webgpu", row.exact.webgpu)} | ${cell("wasm", row.exact.wasm)} | ${cell("node", row.cpu.node)} | ${cell("webgpu", row.cpu.webgpu)} | ${cell("wasm", row.cpu.wasm)} |`,
  );
}
for (const row of rows)
  for (const [d, e] of Object.entries(row.errors))
    console.log(`${row.name} ${d}: ${e}`);
if (jsonOut)
  writeFileSync(jsonOut, JSON.stringify({ adapter, rows }, null, 2) + "\n");
