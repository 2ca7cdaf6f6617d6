// Decode check (not a test): where and by how much onnxruntime-web's WebGPU (Chromium; SwiftShader
// where there is no GPU) and WASM backends depart from the CPU on a staged decoder, token by token,
// on the conversations the generated app's browser test compares.
//
//   node decode.mjs APP_DIR MODELS_DIR VARIANT[,VARIANT...] [--queries all|0,4,...]
//     [--devices webgpu,wasm] [--json OUT]
//
// APP_DIR is a generated app with node_modules and dist/ (the archetype IT's my-chat); MODELS_DIR
// holds one staged model folder per VARIANT (a copy of dist/models/<name> with its ONNX file
// replaced). Per variant: the app's own tool loop runs each example query of tools/examples.json in
// Node (e2e/expected.mjs: Transformers.js on onnxruntime-node, greedy), recording every prompt and
// every generated token; then each prompt + reply is replayed teacher-forced through the bare ONNX
// session (prefill, then one token a step through the KV cache, as generate() does) on the CPU
// (onnxruntime-node) and in Chromium on WebGPU and WASM. Prints, per variant and backend, the
// steps whose greedy token differs from the CPU's, the CPU's top-1 - top-2 logit margin there, the
// largest logit difference to the CPU over all steps, and which example loops match in full.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import * as ortNode from "onnxruntime-node";
import { openOrtPage } from "./page.mjs";

const [appDir, modelsDir, variantList] = process.argv
  .slice(2)
  .map((a, i) => (i < 2 ? path.resolve(a) : a));
const opt = (name, fallback) =>
  process.argv.includes(name)
    ? process.argv[process.argv.indexOf(name) + 1]
    : fallback;
const variants = variantList.split(",");
const devices = opt("--devices", "webgpu,wasm").split(",");
const { loadAppModules, nodeRuntime, expectedConversation } = await import(
  pathToFileURL(path.join(appDir, "e2e/expected.mjs")).href
);
const examples = JSON.parse(
  readFileSync(path.join(appDir, "tools/examples.json"), "utf8"),
);
const queryIndexes =
  opt("--queries", "all") === "all"
    ? examples.map((_, i) => i)
    : opt("--queries").split(",").map(Number);

/** The staged ONNX file of a model folder (edge-llm.json's model). */
const onnxFile = (variant) => {
  const m = JSON.parse(
    readFileSync(path.join(modelsDir, variant, "edge-llm.json"), "utf8"),
  );
  return m.model ?? "onnx/model.onnx";
};

/** Node's tool loops: per query, every generation's prompt ids and generated ids. */
async function nodeConversations(variant) {
  const app = await loadAppModules(appDir);
  const encode = app.prompt.encodePrompt;
  const prompts = [];
  app.prompt = {
    ...app.prompt,
    encodePrompt: (...args) => {
      const inputs = encode(...args);
      prompts.push(Array.from(inputs.input_ids.data, Number));
      return inputs;
    },
  };
  const runtime = await nodeRuntime({ modelsDir, modelName: variant, app });
  const out = [];
  for (const q of queryIndexes) {
    prompts.length = 0;
    const { steps } = await expectedConversation({
      runtime,
      app,
      query: examples[q].userQuery,
      maxNewTokens: 48,
    });
    const replies = steps.filter((s) => s.kind !== "result");
    out.push({
      query: q,
      generations: replies.map((r, i) => ({ prompt: prompts[i], ids: r.ids })),
    });
  }
  await runtime.dispose();
  return out;
}

/**
 * Teacher-forced greedy replay of {prompt, ids} through an ORT session: the logits before each of
 * ids (prefill of the prompt, then one token a step). Written once, run both in Node and in the
 * page (its source is sent there): `ort` is onnxruntime-node or onnxruntime-web.
 */
async function replay(ort, session, generations) {
  const meta = session.inputMetadata ?? [];
  const pastNames = session.inputNames.filter((n) =>
    n.startsWith("past_key_values."),
  );
  const shapeOf = (n) => meta.find?.((m) => m.name === n)?.shape;
  const out = [];
  for (const g of generations) {
    const steps = [];
    let past = Object.fromEntries(
      pastNames.map((n) => {
        const s = shapeOf(n) ?? ["b", 1, "p", 32];
        return [
          n,
          new ort.Tensor("float32", new Float32Array(0), [1, s[1], 0, s[3]]),
        ];
      }),
    );
    let total = 0;
    let feedIds = g.prompt;
    for (let i = 0; i < g.ids.length; i++) {
      const n = feedIds.length;
      const feeds = {
        input_ids: new ort.Tensor(
          "int64",
          BigInt64Array.from(feedIds.map(BigInt)),
          [1, n],
        ),
        attention_mask: new ort.Tensor(
          "int64",
          new BigInt64Array(total + n).fill(1n),
          [1, total + n],
        ),
        position_ids: new ort.Tensor(
          "int64",
          BigInt64Array.from(feedIds.map((_, j) => BigInt(total + j))),
          [1, n],
        ),
        ...past,
      };
      if (session.inputNames.includes("num_logits_to_keep"))
        feeds.num_logits_to_keep = new ort.Tensor(
          "int64",
          BigInt64Array.from([1n]),
          [],
        );
      const r = await session.run(feeds);
      const logits = await r.logits.getData();
      const vocab = r.logits.dims.at(-1);
      steps.push(Array.from(logits.subarray(logits.length - vocab)));
      past = Object.fromEntries(
        pastNames.map((p) => [p, r[p.replace("past_key_values.", "present.")]]),
      );
      total += n;
      feedIds = [g.ids[i]];
    }
    out.push(steps);
  }
  return out;
}

const top2 = (v) => {
  let a = -1;
  let b = -1;
  for (let i = 0; i < v.length; i++) {
    if (a < 0 || v[i] > v[a]) {
      b = a;
      a = i;
    } else if (b < 0 || v[i] > v[b]) b = i;
  }
  return [a, v[a] - v[b]];
};

// The page: onnxruntime-web as the app loads it (ort.webgpu.min.mjs, asyncify WASM).
const { origin, browser, close } = await openOrtPage("decode check", (p) =>
  path.join(modelsDir, decodeURIComponent(p.slice("/models/".length))),
);
const report = {};
try {
  const page = await browser.newPage();
  await page.goto(origin);
  await page.evaluate(`window.replay = ${replay.toString()}`);
  for (const variant of variants) {
    const t0 = performance.now();
    const convs = await nodeConversations(variant);
    const gens = convs.flatMap((c) => c.generations);
    const file = path.join(modelsDir, variant, onnxFile(variant));
    const cpuSession = await ortNode.InferenceSession.create(file, {
      intraOpNumThreads: 1,
    });
    const logits = { cpu: await replay(ortNode, cpuSession, gens) };
    await cpuSession.release();
    for (const device of devices) {
      logits[device] = await page.evaluate(
        async ({ url, gens, device }) => {
          const ort = (window.__ort ??=
            await import("/ort/ort.webgpu.min.mjs"));
          ort.env.wasm.wasmPaths = "/ort/";
          ort.env.logLevel = "error";
          try {
            const s = await ort.InferenceSession.create(url, {
              executionProviders: [device],
            });
            const r = await window.replay(ort, s, gens);
            await s.release();
            return r;
          } catch (e) {
            return String(e.message ?? e).split("\n")[0];
          }
        },
        { url: `/models/${variant}/${onnxFile(variant)}`, gens, device },
      );
    }
    // Compare with the CPU step by step.
    const rv = (report[variant] = { queries: convs.map((c) => c.query) });
    for (const device of devices) {
      const d = logits[device];
      if (typeof d === "string") {
        rv[device] = { error: d };
        continue;
      }
      let g = 0;
      let maxDiff = 0;
      let maxLogit = 0;
      let steps = 0;
      const flips = [];
      const matching = [];
      const large = [];
      for (const c of convs) {
        let same = true;
        for (const gen of c.generations) {
          for (let i = 0; i < gen.ids.length; i++) {
            const cpu = logits.cpu[g][i];
            const dev = d[g][i];
            steps++;
            let stepDiff = 0;
            for (let v = 0; v < cpu.length; v++) {
              stepDiff = Math.max(stepDiff, Math.abs(cpu[v] - dev[v]));
              maxLogit = Math.max(maxLogit, Math.abs(cpu[v]));
            }
            maxDiff = Math.max(maxDiff, stepDiff);
            if (stepDiff > 1e-3)
              large.push({
                query: c.query,
                generation: c.generations.indexOf(gen),
                step: i,
                position: gen.prompt.length + i - 1,
                diff: stepDiff,
              });
            const [ct, margin] = top2(cpu);
            const [dt] = top2(dev);
            if (ct !== dt) {
              same = false;
              flips.push({
                query: c.query,
                step: i,
                cpu: ct,
                [device]: dt,
                cpuMargin: margin,
              });
            }
          }
          g++;
        }
        if (same) matching.push(c.query);
      }
      rv[device] = {
        steps,
        maxLogitDiff: maxDiff,
        maxLogit,
        flips,
        matching,
        large,
      };
      console.log(
        `${variant} ${device}: ${matching.length}/${convs.length} loops with every greedy token as the CPU's (teacher-forced, ${steps} steps); max |logit - CPU| ${maxDiff.toExponential(2)} (max |logit| ${maxLogit.toFixed(2)}); ${flips.length} differing steps, CPU margins there: ${flips.map((f) => f.cpuMargin.toExponential(1)).join(", ") || "none"}`,
      );
      console.log(`  matching: ${matching.join(",")}`);
      console.log(
        `  ${large.length} steps with |logit - CPU| > 1e-3: ${large.map((l) => `q${l.query}/g${l.generation}/s${l.step}@pos${l.position}:${l.diff.toFixed(2)}`).join(" ")}`,
      );
    }
    console.log(`  (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
  }
} finally {
  await close();
}
const jsonOut = opt("--json", null);
if (jsonOut) {
  mkdirSync(path.dirname(path.resolve(jsonOut)), { recursive: true });
  writeFileSync(jsonOut, JSON.stringify(report, null, 2) + "\n");
}
