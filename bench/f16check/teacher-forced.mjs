// Runs the q4f16 and q4 fixture models (Q4f16ExportTest writes them to
// edge-llm-maven-plugin/target/q4f16-gpu/NAME/) with the app's onnxruntime-web on WebGPU in
// Chromium, teacher-forced on each fixture's golden tokens as Q4f16ExportTest and
// scripts/q4f16-gpu.py measure: each prompt prefilled at once, then each golden greedy token fed
// through the KV cache; at each position the argmax is compared with the golden next token and
// between q4f16 and q4. Prints the adapter (and whether it has shader-f16) and a table.
//
//   node teacher-forced.mjs MODELS_DIR [--json FILE]
//
// Environment (set by f16check.sh): CHROMIUM (browser binary), CHROMIUM_ARGS (extra flags, space
// separated), HEADFUL=1 (a windowed browser, on $DISPLAY), F16_TIMEOUT_MS (default 1800000).
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = path.dirname(fileURLToPath(import.meta.url));
const [dirArg, ...rest] = process.argv.slice(2);
const option = (name) => {
  const i = rest.indexOf(name);
  return i >= 0 ? rest[i + 1] : null;
};
const modelsDir = path.resolve(dirArg ?? "");
const jsonOut = option("--json");
if (!dirArg || !fs.existsSync(modelsDir)) {
  console.error(
    "usage: node teacher-forced.mjs MODELS_DIR [--json FILE] [--cpu FILE]",
  );
  process.exit(2);
}
// ONNX Runtime's CPU figures: Q4f16ExportTest's "[q4f16] NAME, ..." lines (its surefire report)
const cpu = {};
const cpuFile = option("--cpu");
if (cpuFile && fs.existsSync(cpuFile)) {
  const re =
    /\[q4f16\] (\S+), teacher-forced, \d+ positions: .*?q4f16 vs q4 ([\d.]+)%; q4f16 vs golden ([\d.]+)%; q4 vs golden ([\d.]+)%/g;
  for (const m of fs.readFileSync(cpuFile, "utf8").matchAll(re))
    cpu[m[1]] = { q4f16VsQ4: m[2], q4f16VsGolden: m[3], q4VsGolden: m[4] };
}
const fixtures = fs
  .readdirSync(modelsDir)
  .filter((d) => fs.existsSync(path.join(modelsDir, d, "model_q4f16.onnx")))
  .sort();
const timeout = Number(process.env.F16_TIMEOUT_MS ?? 1_800_000);
const ortDist = path.join(here, "node_modules", "onnxruntime-web", "dist");
const origin = "http://localhost:8931"; // answered by page.route below: no server
const types = {
  ".mjs": "text/javascript",
  ".js": "text/javascript",
  ".wasm": "application/wasm",
  ".json": "application/json",
  ".html": "text/html",
};

// The page: loads onnxruntime-web's WebGPU build and runs one model over the golden prompts.
const page = `<!doctype html><meta charset="utf-8"><script type="module">
import * as ort from "/ort/ort.webgpu.min.mjs";
ort.env.wasm.wasmPaths = "/ort/";
ort.env.wasm.numThreads = 1;
ort.env.logLevel = "error";
const half = new Float32Array(1);
const bits = new Uint32Array(half.buffer);
function toFloat(h) {
  const s = (h & 0x8000) << 16, e = (h >> 10) & 0x1f, m = h & 0x3ff;
  if (e === 0) return (s ? -1 : 1) * m * 2 ** -24;
  if (e === 31) { bits[0] = s | 0x7f800000 | (m << 13); return half[0]; }
  bits[0] = s | ((e + 112) << 23) | (m << 13);
  return half[0];
}
window.adapterInfo = async () => {
  const a = await navigator.gpu?.requestAdapter({ powerPreference: "high-performance" });
  if (!a) return null;
  const i = a.info ?? {};
  return { vendor: i.vendor, architecture: i.architecture, description: i.description,
    isFallbackAdapter: i.isFallbackAdapter, shaderF16: a.features.has("shader-f16") };
};
window.run = async (modelUrl, golden) => {
  const session = await ort.InferenceSession.create(modelUrl, { executionProviders: ["webgpu"] });
  const meta = Object.fromEntries(session.inputMetadata.map((m) => [m.name, m]));
  const pastNames = session.inputNames.filter((n) => n.startsWith("past_key_values."));
  const past0 = meta["past_key_values.0.key"];
  const kvType = past0.type;
  const [, kvHeads, , headDim] = past0.shape;
  const argmaxes = [];
  let nonFinite = 0;
  for (const p of golden.prompts) {
    let past = {};
    for (const n of pastNames)
      past[n] = new ort.Tensor(kvType, kvType === "float16" ? new Uint16Array(0) : new Float32Array(0), [1, kvHeads, 0, headDim]);
    let length = 0;
    const step = async (ids) => {
      const total = length + ids.length;
      const feeds = { ...past };
      feeds.input_ids = new ort.Tensor("int64", BigInt64Array.from(ids.map(BigInt)), [1, ids.length]);
      feeds.attention_mask = new ort.Tensor("int64", new BigInt64Array(total).fill(1n), [1, total]);
      if (session.inputNames.includes("position_ids"))
        feeds.position_ids = new ort.Tensor("int64", BigInt64Array.from({ length: ids.length }, (_, i) => BigInt(length + i)), [1, ids.length]);
      if (session.inputNames.includes("num_logits_to_keep"))
        feeds.num_logits_to_keep = new ort.Tensor("int64", BigInt64Array.from([1n]), []);
      const out = await session.run(feeds);
      for (const n of pastNames) past[n] = out[n.replace("past_key_values.", "present.")];
      length = total;
      const logits = out.logits;
      const vocab = logits.dims[2];
      const data = logits.data;
      const offset = data.length - vocab;
      let best = 0, bestValue = -Infinity;
      for (let v = 0; v < vocab; v++) {
        const x = logits.type === "float16" && data instanceof Uint16Array ? toFloat(data[offset + v]) : Number(data[offset + v]);
        if (!Number.isFinite(x)) { nonFinite++; continue; }
        if (x > bestValue) { bestValue = x; best = v; }
      }
      return best;
    };
    let next = await step(p.input_ids);
    for (let k = 0; k < p.greedy.length; k++) {
      argmaxes.push(next);
      if (k + 1 < p.greedy.length) next = await step([p.greedy[k]]);
    }
  }
  await session.release();
  return { argmaxes, nonFinite };
};
window.ready = true;
</script>`;

const launchArgs = [
  "--no-sandbox",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--enable-unsafe-webgpu",
  ...(process.env.CHROMIUM_ARGS ?? "").split(" ").filter(Boolean),
];
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  headless: process.env.HEADFUL !== "1",
  // Playwright adds it; without it this Chromium's Dawn may still pick its own SwiftShader
  ignoreDefaultArgs: ["--enable-unsafe-swiftshader"],
  args: launchArgs,
});
const rows = [];
let failed = 0;

/** What chrome://gpu says: Dawn's adapters (backend, name, status, whether shader-f16 is listed). */
async function dawnAdapters() {
  const tab = await browser.newPage();
  await tab.goto("chrome://gpu");
  await tab.waitForTimeout(3000);
  const text = await tab.evaluate(() => {
    const walk = (n) =>
      (n.shadowRoot ? [...n.shadowRoot.childNodes].map(walk).join("") : "") +
      [...n.childNodes].map(walk).join("") +
      (n.nodeType === 3
        ? n.textContent
        : n.nodeType === 1 && /^(DIV|TR|H3|LI|P|SPAN|TD)$/.test(n.tagName)
          ? "\n"
          : "");
    return walk(document.body);
  });
  await tab.close();
  const lines = text
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
  const out = [];
  lines.forEach((l, i) => {
    if (!/^<[^>]+>\s+\S+ backend - /.test(l)) return;
    const end = lines.findIndex(
      (m, j) => j > i && /^<[^>]+>\s+\S+ backend - /.test(m),
    );
    const block = lines.slice(i + 1, end < 0 ? undefined : end);
    const status =
      block
        .slice(block.indexOf("[WebGPU Status]") + 1)
        .find((m) => !/^[-*\s]*$/.test(m)) ?? "";
    out.push(
      `${l.replace(/\s+/g, " ")}: ${status.replace(/\s*\|\s*$/, "")}${block.includes("shader-f16") ? ", shader-f16" : ""}`,
    );
  });
  const renderer = lines[lines.indexOf("GL_RENDERER") + 2] ?? "";
  return { adapters: out, glRenderer: renderer };
}

try {
  console.log(`Chromium ${browser.version()}`);
  const gpuPage = await dawnAdapters();
  console.log(`GL: ${gpuPage.glRenderer}`);
  for (const a of gpuPage.adapters) console.log(`Dawn: ${a}`);
  const tab = await browser.newPage();
  tab.setDefaultTimeout(timeout);
  const errors = [];
  tab.on("pageerror", (e) => errors.push(e.message));
  tab.on("console", (m) => {
    // onnxruntime's node-placement warnings come as console errors
    if (
      m.type() === "error" &&
      !m.text().includes("VerifyEachNodeIsAssignedToAnEp")
    )
      errors.push(m.text());
  });
  await tab.route(`${origin}/**`, async (route) => {
    const url = new URL(route.request().url());
    let file = null;
    if (url.pathname === "/")
      return route.fulfill({ contentType: "text/html", body: page });
    if (url.pathname.startsWith("/ort/"))
      file = path.join(ortDist, url.pathname.slice(5));
    if (url.pathname.startsWith("/models/"))
      file = path.join(modelsDir, decodeURIComponent(url.pathname.slice(8)));
    if (!file || !fs.existsSync(file))
      return route.fulfill({ status: 404, body: "" });
    return route.fulfill({
      contentType: types[path.extname(file)] ?? "application/octet-stream",
      body: fs.readFileSync(file),
    });
  });
  await tab.goto(`${origin}/`);
  await tab.waitForFunction(() => window.ready === true);
  const adapter = await tab.evaluate(() => window.adapterInfo());
  console.log(`adapter: ${JSON.stringify(adapter)}`);
  if (!adapter?.shaderF16) {
    console.error(
      "f16check: the WebGPU adapter has no shader-f16: q4f16 would not run in float16 here",
    );
    failed++;
  }
  for (const name of fixtures) {
    const golden = JSON.parse(
      fs.readFileSync(path.join(modelsDir, name, "golden.json"), "utf8"),
    );
    const expected = golden.prompts.flatMap((p) => p.greedy);
    const t0 = performance.now();
    const result = {};
    for (const variant of ["q4f16", "q4"]) {
      try {
        result[variant] = await tab.evaluate(
          ([url, g]) => window.run(url, g),
          [`/models/${name}/model_${variant}.onnx`, golden],
        );
      } catch (e) {
        result[variant] = { error: String(e.message ?? e).split("\n")[0] };
      }
    }
    const share = (a, b) =>
      a && b ? a.filter((t, i) => t === b[i]).length / b.length : NaN;
    const h = result.q4f16.argmaxes,
      q = result.q4.argmaxes;
    const row = {
      fixture: name,
      positions: expected.length,
      q4f16VsGolden: share(h, expected),
      q4VsGolden: share(q, expected),
      q4f16VsQ4: share(h, q),
      nonFinite: (result.q4f16.nonFinite ?? 0) + (result.q4.nonFinite ?? 0),
      seconds: (performance.now() - t0) / 1000,
      error: result.q4f16.error ?? result.q4.error,
      q4f16: h,
      q4: q,
    };
    rows.push(row);
    if (row.error || row.nonFinite > 0) failed++;
    const pct = (x) => (Number.isNaN(x) ? "—" : `${(100 * x).toFixed(1)}%`);
    console.log(
      `${name}: q4f16 vs golden ${pct(row.q4f16VsGolden)}, q4 vs golden ${pct(row.q4VsGolden)}, q4f16 vs q4 ${pct(row.q4f16VsQ4)}` +
        `, non-finite logits ${row.nonFinite}, ${row.seconds.toFixed(1)} s${row.error ? `, ERROR ${row.error}` : ""}`,
    );
  }
  if (errors.length)
    console.log(`page errors: ${errors.slice(0, 5).join(" | ")}`);
  console.log("");
  console.log(
    "| fixture | positions | q4f16 vs golden | q4 vs golden | q4f16 vs q4 | non-finite logits | CPU q4f16 vs golden | CPU q4 vs golden | CPU q4f16 vs q4 |",
  );
  console.log("|---|---|---|---|---|---|---|---|---|");
  const pct = (x) => (Number.isNaN(x) ? "—" : `${(100 * x).toFixed(1)}%`);
  for (const r of rows) {
    const c = cpu[r.fixture];
    const cells = c
      ? [c.q4f16VsGolden, c.q4VsGolden, c.q4f16VsQ4].map((x) => `${x}%`)
      : ["", "", ""];
    console.log(
      `| ${r.fixture} | ${r.positions} | ${pct(r.q4f16VsGolden)} | ${pct(r.q4VsGolden)} | ${pct(r.q4f16VsQ4)} | ${r.error ? `error: ${r.error}` : r.nonFinite} | ${cells.join(" | ")} |`,
    );
  }
  if (jsonOut)
    fs.writeFileSync(
      jsonOut,
      JSON.stringify(
        { chromium: browser.version(), ...gpuPage, adapter, rows },
        null,
        2,
      ),
    );
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);
