// Browser test of the built app: serves dist/ with `vite preview`, loads the staged model in the
// system Chromium (playwright-core, no browser download), sends a prompt and checks that the
// streamed reply equals the model's greedy continuation computed by Transformers.js in Node
// (onnxruntime-node, CPU) on the same files; then, when the model calls the app's tools, sends
// example queries of tools/examples.json and checks that the page shows each tool call (name and
// arguments), the handler's result and the final answer, token for token as Node's run of the
// same tool loop (e2e/expected.mjs) and as the examples say. Once on WebGPU (SwiftShader when there
// is no GPU), once on WASM. Screenshots go to target/e2e/.
//
// Environment: VITE_MODEL_PATH (default: the path in src/model.ts), CHROMIUM (default /usr/bin/chromium),
// E2E_PROMPT (default: the first example query for a model that calls the app's tools, "Hello! Who are you?" for other chat models,
// "Once upon a time," for a model without a chat template), E2E_MAX_NEW_TOKENS (default 48),
// E2E_TOOL_QUERIES (indexes into tools/examples.json, default "0,8,9,17,20,30,42"; "all" for every one), E2E_REQUIRE_TOOLS
// (true: fail when the model calls no tool; default: true for the demo model),
// E2E_DEVICES (default "webgpu,wasm"), E2E_OUT (default target/e2e), E2E_TIMEOUT_MS (default 180000),
// E2E_CHROMIUM_ARGS (more Chromium flags, space separated: f16check.sh points WebGPU at lavapipe with them).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { preview } from "vite";
import {
  expectedConversation,
  loadAppModules,
  nodeRuntime,
} from "./expected.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const dist = path.join(root, "dist");
const out = path.resolve(root, process.env.E2E_OUT ?? "target/e2e");
const executablePath = process.env.CHROMIUM ?? "/usr/bin/chromium";
const maxNewTokens = Number(process.env.E2E_MAX_NEW_TOKENS ?? 48);
// Example queries (indexes into tools/examples.json) run by default: the three tools, seven loops.
// With E2E_TOOL_QUERIES=all every one of the demo's 44 loops equals Node's on WebGPU (SwiftShader,
// where the app runs the attention on the CPU kernel: src/llm/device.ts) and on WASM.
const DEFAULT_TOOL_QUERIES = "0,8,9,17,20,30,42";
const devices = (process.env.E2E_DEVICES ?? "webgpu,wasm")
  .split(",")
  .map((d) => d.trim())
  .filter(Boolean);
const timeout = Number(process.env.E2E_TIMEOUT_MS ?? 180_000);

// The model the app was built for: VITE_MODEL_PATH (set by the pom from edgellm.modelName), else src/model.ts.
const modelPath =
  process.env.VITE_MODEL_PATH ||
  /"(\/models\/[^"]+)"/.exec(
    readFileSync(path.join(root, "src/model.ts"), "utf8"),
  )?.[1];
const results = [];
const t0 = performance.now();
const elapsed = () => `[${((performance.now() - t0) / 1000).toFixed(1)}s]`;
let failures = 0;

function check(name, ok, detail = "") {
  results.push({ name, ok, detail });
  if (!ok) failures++;
  console.log(
    `${elapsed()} ${ok ? "PASS" : "FAIL"} ${name}${detail ? ` — ${detail}` : ""}`,
  );
}

function fail(message) {
  console.error(`e2e: ${message}`);
  process.exit(1);
}

if (!modelPath?.startsWith("/models/"))
  fail(`src/model.ts has no MODEL_PATH "/models/<name>" (found ${modelPath}).`);
const modelName = modelPath.slice("/models/".length);
const modelDir = path.join(dist, "models", modelName);
if (!existsSync(path.join(dist, "index.html")))
  fail(`${dist}/index.html is missing: run "npm run build" first.`);
if (!existsSync(path.join(modelDir, "edge-llm.json"))) {
  fail(
    `${modelDir}/edge-llm.json is missing: stage the model (mvn package) before "npm run build".`,
  );
}
const manifest = JSON.parse(
  readFileSync(path.join(modelDir, "edge-llm.json"), "utf8"),
);
// The file every device can load: onnx/model.onnx, or onnx/model_q4.onnx when staged with variants.
const stagedModel = manifest.model ?? "onnx/model.onnx";
const variants = (manifest.variants ?? []).map((v) => v.dtype);
if (!existsSync(path.join(modelDir, stagedModel))) {
  fail(
    `${modelDir}/${stagedModel} is missing: stage the model (mvn package) before "npm run build".`,
  );
}
if (!existsSync(executablePath))
  fail(
    `${executablePath} not found: install Chromium (apt-get install -y chromium) or set CHROMIUM.`,
  );
mkdirSync(out, { recursive: true });

// 1. The expected replies, from Node, through the app's own prompt rendering, tools and tool loop.
// A model without a chat template continues text.
const app = await loadAppModules(root);
const runtime = await nodeRuntime({
  modelsDir: path.join(dist, "models"),
  modelName,
  app,
});
const chat = runtime.chat;

// The example queries, each a whole tool loop in Node.
const examples = JSON.parse(
  readFileSync(path.join(root, "tools/examples.json"), "utf8"),
);
const toolQueries = (process.env.E2E_TOOL_QUERIES ?? DEFAULT_TOOL_QUERIES)
  .split(",")
  .flatMap((i) =>
    i.trim() === "all" ? examples.map((_, n) => n) : [Number(i.trim())],
  )
  .map((i) => examples[i])
  .filter((e) =>
    e?.expectedToolCalls.every((c) => app.tools.some((t) => t.name === c.name)),
  );
const toolRuns = [];
for (const example of chat ? toolQueries : []) {
  const run = await expectedConversation({
    runtime,
    app,
    query: example.userQuery,
    maxNewTokens,
  });
  toolRuns.push({ example, steps: run.steps });
}
const callsTools = toolRuns.some((r) => r.steps[0]?.kind === "calls");
const requireTools =
  (process.env.E2E_REQUIRE_TOOLS ?? String(manifest.demo === true)) === "true";
if (requireTools || callsTools) {
  check(
    `Node: the model calls the app's tools (${toolRuns.length} example queries)`,
    callsTools,
  );
} else {
  console.log(
    "the model called none of the app's tools on the example queries: tool checks skipped",
  );
}
const toolChecks = callsTools ? toolRuns : [];

// The chat prompt (streaming, tokens/s, Stop): a tool caller gets its first example query (what it
// was trained for), a chat model a greeting, a plain language model text to continue.
const prompt =
  process.env.E2E_PROMPT ??
  (callsTools
    ? toolChecks[0].example.userQuery
    : chat
      ? "Hello! Who are you?"
      : "Once upon a time,");
console.log(
  `model ${modelPath}: ${chat ? "chat template" : "no chat template (text continuation)"}; stop tokens ${runtime.stop.join(",")}; tools ${app.tools.map((t) => t.name).join(", ")}; prompt ${JSON.stringify(prompt)}`,
);
const tNode = performance.now();
const plain = await expectedConversation({
  runtime,
  app,
  query: prompt,
  maxNewTokens,
});
const nodeMs = performance.now() - tNode;
await runtime.dispose();
// The first reply (what streams first, and what Stop interrupts).
const first = plain.steps[0];
const expected = { ids: first.ids, text: first.text ?? "" };
console.log(
  `expected (Node, onnxruntime-node CPU, greedy, ${maxNewTokens} tokens, ${nodeMs.toFixed(0)} ms): ${JSON.stringify(plain.steps)}`,
);
check("Node greedy continuation is not empty", expected.ids.length > 0);

// What the server answers for model files, asked from a page of the app (after its model loaded:
// a page closed while its worker still compiles WASM keeps the renderer busy for a long time).
async function checkServing(page) {
  const probe = await page.evaluate(
    async ({ model, file }) => {
      const head = async (url) => {
        const r = await fetch(url);
        await r.arrayBuffer();
        return {
          status: r.status,
          type: r.headers.get("content-type"),
          coep: r.headers.get("cross-origin-embedder-policy"),
        };
      };
      return {
        onnx: await head(`${model}/${file}`),
        missing: await head("/models/no-such-model/onnx/model.onnx"),
        wasm: await head("/ort/ort-wasm-simd-threaded.asyncify.wasm"),
        isolated: self.crossOriginIsolated,
      };
    },
    { model: modelPath, file: stagedModel },
  );
  check(
    "the model file is served as application/octet-stream",
    probe.onnx.status === 200 && probe.onnx.type === "application/octet-stream",
    JSON.stringify(probe.onnx),
  );
  check(
    "a missing model file is a real 404, not index.html",
    probe.missing.status === 404 &&
      !String(probe.missing.type).includes("html"),
    JSON.stringify(probe.missing),
  );
  check(
    "ONNX Runtime's WASM is served by the app",
    probe.wasm.status === 200 && probe.wasm.type === "application/wasm",
    JSON.stringify(probe.wasm),
  );
  check(
    "the page is cross-origin isolated (COOP/COEP)",
    probe.isolated === true,
  );
}

/** Waits until the page's send() has finished (every round of tool calls included). */
async function waitUntilIdle(page) {
  await page.waitForFunction(
    () =>
      document.querySelector(".app")?.getAttribute("data-generating") ===
        "false" &&
      document.querySelectorAll("[data-testid=message][data-role=assistant]")
        .length > 0,
    null,
    { timeout },
  );
}

/** What the page shows after the user's message: replies (token ids, calls or text) and tool results. */
function readConversation(page) {
  return page.evaluate(() =>
    [
      ...document.querySelectorAll(
        "[data-testid=messages] > [data-testid=message][data-role=assistant], [data-testid=messages] > [data-testid=tool-result]",
      ),
    ].map((el) => {
      if (el.getAttribute("data-testid") === "tool-result")
        return {
          kind: "result",
          name: el.getAttribute("data-name"),
          content: el.getAttribute("data-content"),
          error: el.getAttribute("data-error") === "true",
        };
      const ids = (el.getAttribute("data-token-ids") ?? "")
        .split(",")
        .filter(Boolean)
        .map(Number);
      if (el.getAttribute("data-kind") === "tool-calls")
        return {
          kind: "calls",
          ids,
          calls: [...el.querySelectorAll("[data-testid=tool-call]")].map(
            (c) => ({
              name: c.getAttribute("data-name"),
              arguments: JSON.parse(c.getAttribute("data-arguments")),
            }),
          ),
        };
      return {
        kind: "text",
        ids,
        text: el.querySelector("[data-testid=message-text]")?.textContent,
      };
    }),
  );
}

/** JSON with sorted keys. */
function canonical(value) {
  return JSON.stringify(value, (_, v) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1)),
        )
      : v,
  );
}

function sameCalls(shown, expectedCalls) {
  return (
    canonical(shown.map((c) => [c.name, c.arguments])) ===
    canonical(expectedCalls.map((c) => [c.name, c.arguments]))
  );
}

function sameSteps(shown, steps) {
  return canonical(shown) === canonical(steps);
}

// 2. Serve the build.
const server = await preview({
  root,
  logLevel: "warn",
  preview: { host: "127.0.0.1", port: 4317, strictPort: false },
});
const address = server.httpServer.address();
const origin = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 4317}`;
console.log(`serving ${dist} at ${origin}`);

const browser = await chromium.launch({
  executablePath,
  headless: true,
  args: [
    "--no-sandbox",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--enable-unsafe-webgpu",
    ...(process.env.E2E_CHROMIUM_ARGS ?? "").split(" ").filter(Boolean),
  ],
});
// A model staged with q4f16 and q4: the page loads q4f16 only where the WebGPU adapter has
// shader-f16, q4 otherwise, and the device badge says which (with the reason for the fallback).
async function checkVariant(page, device, requests) {
  const shaderF16 =
    device === "webgpu" &&
    (await page.evaluate(async () => {
      const adapter = await navigator.gpu?.requestAdapter({
        powerPreference: "high-performance",
      });
      return adapter?.features.has("shader-f16") ?? false;
    }));
  const { text, variant } = await page.evaluate(() => {
    const badge = document.querySelector("[data-testid=device-badge]");
    return {
      text: badge?.textContent ?? null,
      variant: badge?.getAttribute("data-variant") ?? null,
    };
  });
  const want = shaderF16
    ? "WebGPU · q4f16"
    : device === "webgpu"
      ? "WebGPU · q4 (no shader-f16)"
      : "WASM · q4";
  const wantFile = shaderF16 ? "onnx/model_q4f16.onnx" : "onnx/model_q4.onnx";
  check(
    `${device}: the badge shows ${shaderF16 ? "q4f16" : device === "webgpu" ? "the q4 fallback (no shader-f16)" : "q4"}`,
    text === want && variant === (shaderF16 ? "q4f16" : "q4"),
    `badge ${JSON.stringify(text)}, expected ${JSON.stringify(want)}, data-variant ${variant}, adapter shader-f16 ${shaderF16}`,
  );
  check(
    `${device}: the page loaded ${wantFile} only`,
    requests.length > 0 && requests.every((f) => f === wantFile),
    `model requests: ${requests.join(", ")}`,
  );
}

const timings = { nodeExpectedMs: Math.round(nodeMs) };
let servingChecked = false;
try {
  // 3. Chat, once per device.
  for (const device of devices) {
    const page = await browser.newPage({
      viewport: { width: 1000, height: 720 },
    });
    const errors = [];
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("console", (m) => {
      // checkServing() asks for a missing file on purpose.
      const deliberate404 = m.location().url.includes("/models/no-such-model/");
      if (m.type() === "error" && !deliberate404) errors.push(m.text());
    });
    const modelRequests = [];
    page.on("request", (r) => {
      const m = /\/(onnx\/model[^/?]*\.onnx)/.exec(r.url());
      if (m) modelRequests.push(m[1]);
    });
    const started = performance.now();
    const showLoading = device === devices[0];
    // The model file the page loads: the staged one, or q4f16 on an adapter with shader-f16.
    const modelFiles = variants.includes("q4f16")
      ? [stagedModel, "onnx/model_q4f16.onnx"]
      : [stagedModel];
    if (showLoading) {
      // Hold model.onnx back a moment, to see (and photograph) the progress while loading.
      await page.route(/\/onnx\/model[^/?]*\.onnx/, async (route) => {
        await new Promise((resolve) => setTimeout(resolve, 1500));
        await route.continue();
      });
    }
    await page.goto(`${origin}/?device=${device}&maxNewTokens=${maxNewTokens}`);
    if (showLoading) {
      const listed = await page
        .waitForFunction(
          (files) => {
            const items = [
              ...document.querySelectorAll("[data-testid=loading] li"),
            ].map((li) => li.textContent ?? "");
            return items.some((t) => files.some((f) => t.startsWith(f)))
              ? items
              : null;
          },
          modelFiles,
          { timeout },
        )
        .then((handle) => handle.jsonValue())
        .catch(() => []);
      await page.screenshot({ path: path.join(out, "chat-loading.png") });
      check(
        "the progress lists each model file with its bytes while loading",
        ["config.json", "tokenizer.json"].every((f) =>
          listed.some((t) => t.startsWith(f + ":") && /[KM]B/.test(t)),
        ) &&
          modelFiles.some((f) =>
            listed.some((t) => t.startsWith(f + ":") && /[KM]B/.test(t)),
          ),
        listed.join("; "),
      );
    }
    try {
      await page.waitForFunction(
        () =>
          document.querySelector(".app")?.getAttribute("data-status") ===
            "ready" ||
          document.querySelector(".app")?.getAttribute("data-status") ===
            "error",
        null,
        { timeout },
      );
    } catch (e) {
      await page.screenshot({
        path: path.join(out, `chat-${device}-load-failed.png`),
      });
      check(
        `${device}: model loads`,
        false,
        `${e.message}; console errors: ${errors.join(" | ")}`,
      );
      await page.close();
      continue;
    }
    const loadMs = performance.now() - started;
    const { status, badge, adapter, error } = await page.evaluate(() => ({
      status: document.querySelector(".app")?.getAttribute("data-status"),
      badge:
        document
          .querySelector("[data-testid=device-badge]")
          ?.getAttribute("data-device") ?? null,
      adapter:
        document
          .querySelector("[data-testid=device-badge]")
          ?.getAttribute("data-adapter") ?? "",
      error: document.querySelector("[data-testid=error]")?.textContent ?? null,
    }));
    check(
      `${device}: model loads on ${device}`,
      status === "ready" && badge === device,
      `status ${status}, badge ${badge}${adapter ? ` (adapter: ${adapter})` : ""}, error ${error}, console: ${errors.join(" | ")}`,
    );
    if (status !== "ready") {
      await page.screenshot({
        path: path.join(out, `chat-${device}-load-failed.png`),
      });
      await page.close();
      continue;
    }
    if (variants.includes("q4f16")) {
      await checkVariant(page, device, modelRequests);
    }
    if (!servingChecked) {
      await checkServing(page);
      servingChecked = true;
    }
    const demoFlag = manifest.demo === true;
    const bannerShown =
      (await page.locator("[data-testid=demo-banner]").count()) > 0;
    check(
      `${device}: demo banner shown exactly when edge-llm.json says demo`,
      bannerShown === demoFlag,
      `demo ${demoFlag}, banner ${bannerShown}`,
    );
    const completionNotice =
      (await page.locator("[data-testid=completion-mode]").count()) > 0;
    check(
      `${device}: text-continuation notice shown exactly when there is no chat template`,
      completionNotice === !chat,
    );
    const weights = await page.evaluate(
      () =>
        document.querySelector("[data-testid=weights]")?.textContent ?? null,
    );
    const wantWeights = manifest.quantization?.bits
      ? `q${manifest.quantization.bits}`
      : (manifest.dtype ?? "fp32");
    check(
      `${device}: weights badge says ${wantWeights}`,
      weights === wantWeights,
      `badge ${weights}`,
    );

    // Count the distinct texts the first reply shows while it streams.
    await page.evaluate(() => {
      window.__replyTexts = [];
      const observer = new MutationObserver(() => {
        const replies = document.querySelectorAll(
          "[data-testid=message][data-role=assistant] [data-testid=message-text]",
        );
        const last = replies[0];
        if (last) {
          const text = last.textContent ?? "";
          if (window.__replyTexts.at(-1) !== text)
            window.__replyTexts.push(text);
        }
      });
      observer.observe(document.querySelector("[data-testid=messages]"), {
        subtree: true,
        childList: true,
        characterData: true,
      });
    });
    await page.fill("[data-testid=prompt]", prompt);
    const sent = performance.now();
    await page.click("[data-testid=send]");
    await waitUntilIdle(page);
    const replyMs = performance.now() - sent;
    const conversation = await readConversation(page);
    const reply = await page.evaluate(() => {
      const el = document.querySelector(
        "[data-testid=message][data-role=assistant]",
      );
      return {
        text: el.querySelector("[data-testid=message-text]")?.textContent ?? "",
        ids: (el.getAttribute("data-token-ids") ?? "")
          .split(",")
          .filter(Boolean)
          .map(Number),
        updates: window.__replyTexts.length,
        tps: document.querySelector("[data-testid=tps]")?.textContent ?? "",
      };
    });
    await page.screenshot({
      path: path.join(out, `chat-${device}.png`),
      fullPage: true,
    });
    console.log(
      `${device}: reply ${JSON.stringify(reply.text)} (${reply.ids.length} tokens, ${reply.tps}, ${reply.updates} streamed updates)`,
    );
    check(
      `${device}: streamed token ids equal Node's greedy ids`,
      JSON.stringify(reply.ids) === JSON.stringify(expected.ids),
      `browser ${reply.ids.join(",")}`,
    );
    check(
      `${device}: streamed text equals Node's decoded text`,
      reply.text === expected.text,
      JSON.stringify(reply.text),
    );
    check(
      `${device}: the reply streamed (more than one update)`,
      reply.updates > 1 || expected.ids.length <= 1,
      `${reply.updates} updates`,
    );
    check(
      `${device}: the whole reply (tool calls, results, answer) equals Node's run of the tool loop`,
      sameSteps(conversation, plain.steps),
      JSON.stringify(conversation),
    );
    check(`${device}: tokens/s shown`, /tokens\/s/.test(reply.tps), reply.tps);
    const listed = await page.evaluate(() =>
      [...document.querySelectorAll("[data-testid=tool]")].map((t) =>
        t.getAttribute("data-name"),
      ),
    );
    check(
      `${device}: the registered tools are listed`,
      JSON.stringify(listed) === JSON.stringify(app.tools.map((t) => t.name)),
      listed.join(", "),
    );

    // The example queries: call (name, arguments), the handler's result, the final answer.
    for (const { example, steps } of toolChecks) {
      await page.click("button:has-text('Clear')");
      const q = example.userQuery;
      const chip = page.locator("[data-testid=example]", { hasText: q });
      const viaChip = demoFlag && (await chip.count()) > 0;
      if (viaChip) await chip.first().click();
      else {
        await page.fill("[data-testid=prompt]", q);
        await page.click("[data-testid=send]");
      }
      await waitUntilIdle(page);
      const shown = await readConversation(page);
      const call = shown.find((s) => s.kind === "calls");
      const results = shown.filter((s) => s.kind === "result");
      const answer = shown.at(-1);
      const label = `${device}: ${JSON.stringify(q)}${viaChip ? " (example button)" : ""}`;
      check(
        `${label}: shows the call ${example.expectedToolCalls.map((c) => `${c.name}(${JSON.stringify(c.arguments)})`).join(", ")}`,
        call !== undefined && sameCalls(call.calls, example.expectedToolCalls),
        JSON.stringify(call?.calls),
      );
      check(
        `${label}: shows the handler's result (the example's tool response)`,
        results.length === example.expectedToolCalls.length &&
          results.every(
            (r) =>
              !r.error &&
              canonical(JSON.parse(r.content)) ===
                canonical(example.toolResponses[r.name]),
          ),
        results.map((r) => r.content).join(" | "),
      );
      check(
        `${label}: the final answer is ${JSON.stringify(example.expectedFinalResponse)}`,
        answer?.kind === "text" &&
          answer.text === example.expectedFinalResponse,
        JSON.stringify(answer?.text),
      );
      check(
        `${label}: call, result and answer equal Node's run, token for token`,
        sameSteps(shown, steps),
        `browser ${JSON.stringify(shown)}`,
      );
    }
    if (toolChecks.length > 0)
      await page.screenshot({
        path: path.join(out, `chat-${device}-tools.png`),
        fullPage: true,
      });
    check(`${device}: no page errors`, errors.length === 0, errors.join(" | "));
    timings[device] = {
      adapter: adapter || undefined,
      loadMs: Math.round(loadMs),
      replyMs: Math.round(replyMs),
      tokens: reply.ids.length,
      shown: reply.tps,
    };

    // Stop: the same prompt again, stopped after its first token. What streamed stays, and is the
    // start of the same greedy reply.
    await page.click("button:has-text('Clear')");
    await page.fill("[data-testid=prompt]", prompt);
    await page.click("[data-testid=send]");
    await page.waitForFunction(
      () =>
        (
          document
            .querySelector("[data-testid=message][data-role=assistant]")
            ?.getAttribute("data-token-ids") ?? ""
        ).length > 0,
      null,
      { timeout },
    );
    // On a fast device the reply may end before the click lands: then there is nothing to stop.
    await page
      .click("[data-testid=stop]", { timeout: 2000 })
      .catch(() => undefined);
    await waitUntilIdle(page);
    const stopped = await page.evaluate(() => {
      const el = document.querySelector(
        "[data-testid=message][data-role=assistant]",
      );
      return {
        aborted: el.getAttribute("data-aborted") === "true",
        ids: (el.getAttribute("data-token-ids") ?? "")
          .split(",")
          .filter(Boolean)
          .map(Number),
        status: document.querySelector(".app")?.getAttribute("data-status"),
      };
    });
    const prefix =
      JSON.stringify(stopped.ids) ===
      JSON.stringify(expected.ids.slice(0, stopped.ids.length));
    const finishedFirst =
      !stopped.aborted && stopped.ids.length === expected.ids.length;
    check(
      `${device}: Stop ends the reply early and keeps what streamed`,
      prefix &&
        stopped.status === "ready" &&
        (stopped.aborted
          ? stopped.ids.length < expected.ids.length
          : finishedFirst),
      `${stopped.aborted ? "stopped" : "finished before the click"} after ${stopped.ids.length} of ${expected.ids.length} tokens`,
    );
    if (stopped.aborted)
      await page.screenshot({
        path: path.join(out, `chat-${device}-stopped.png`),
        fullPage: true,
      });
    await page.close();
  }
} finally {
  await browser.close();
  server.httpServer.closeAllConnections?.();
  await new Promise((resolve) => server.httpServer.close(resolve));
}

writeFileSync(
  path.join(out, "result.json"),
  JSON.stringify(
    {
      prompt,
      maxNewTokens,
      expected,
      expectedConversation: plain.steps,
      toolQueries: toolChecks.map((r) => ({
        query: r.example.userQuery,
        steps: r.steps,
      })),
      timings,
      results,
    },
    null,
    2,
  ) + "\n",
);
console.log(`screenshots and result.json in ${out}`);
console.log(`${results.length - failures} passed, ${failures} failed`);
process.exit(failures === 0 ? 0 : 1);
