// Benchmark (not a test): what num_logits_to_keep saves in a prefill, with onnxruntime-node (native
// CPU, the one Transformers.js uses in Node; taken from the Transformers.js proof's node_modules, so
// run `npm ci` in edge-llm-maven-plugin/src/test/node/tjs-proof once). One prefill of P random
// tokens per process, since the peak RSS only grows:
//   node prefill-logits.mjs MODEL.onnx P KEEP [THREADS]
// KEEP = 1 is what generate() feeds; 0 returns every position's logits, as a graph without the
// input does. Prints the prefill time (best of 3 after a warm-up), the logits' shape and size, and
// the process's peak RSS.
import path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const ort = require(
  path.join(
    here,
    "../../edge-llm-maven-plugin/src/test/node/tjs-proof/node_modules/onnxruntime-node",
  ),
);

const [model, p = "512", keep = "1", threads = "2"] = process.argv.slice(2);
const P = Number(p);
const session = await ort.InferenceSession.create(model, {
  intraOpNumThreads: Number(threads),
  graphOptimizationLevel: "all",
});
const past = session.inputNames.filter((n) => n.startsWith("past_key_values."));
const meta = session.inputMetadata?.find?.((m) => m.name === past[0]);
const kvHeads = meta?.shape?.[1] ?? 1;
const headDim = meta?.shape?.[3] ?? 256;
const ids = BigInt64Array.from({ length: P }, (_, i) =>
  BigInt(10 + ((i * 7919) % 200000)),
);
const feeds = {
  input_ids: new ort.Tensor("int64", ids, [1, P]),
  attention_mask: new ort.Tensor("int64", new BigInt64Array(P).fill(1n), [
    1,
    P,
  ]),
  position_ids: new ort.Tensor(
    "int64",
    BigInt64Array.from({ length: P }, (_, i) => BigInt(i)),
    [1, P],
  ),
};
if (session.inputNames.includes("num_logits_to_keep")) {
  feeds.num_logits_to_keep = new ort.Tensor(
    "int64",
    BigInt64Array.from([BigInt(keep)]),
    [],
  );
} else if (keep !== "0") {
  console.log(
    "the model has no num_logits_to_keep input: every position comes back",
  );
}
for (const n of past)
  feeds[n] = new ort.Tensor("float32", new Float32Array(0), [
    1,
    kvHeads,
    0,
    headDim,
  ]);
let best = Infinity;
let dims;
for (let i = 0; i < 4; i++) {
  const t = performance.now();
  const out = await session.run(feeds);
  if (i > 0) best = Math.min(best, (performance.now() - t) / 1000);
  dims = out.logits.dims;
}
const rss = process.resourceUsage().maxRSS / 1024;
const logitsMb = (dims.reduce((a, b) => a * b, 1) * 4) / 1e6;
console.log(
  `prefill ${P} tokens, num_logits_to_keep ${keep}, ${threads} threads: ${best.toFixed(3)} s (best of 3), ` +
    `${(P / best).toFixed(1)} tok/s; logits [${dims}] ${logitsMb.toFixed(1)} MB; peak RSS ${rss.toFixed(0)} MB`,
);
process.exit(0);
