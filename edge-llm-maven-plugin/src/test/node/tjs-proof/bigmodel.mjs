// The Node half of ./bigmodel.sh: loads a staged folder whose model keeps its weights in external
// data chunks (transformers.js_config.use_external_data_format) twice and compares greedy tokens:
//  1. @huggingface/transformers 4.x (AutoModelForCausalLM, CPU, local files only): generate();
//  2. onnxruntime-node directly on onnx/model.onnx (it reads the chunks beside it by their
//     locations): a greedy loop through the KV cache, fed as Transformers.js feeds the decoder.
// Usage: node bigmodel.mjs <staged folder> [new tokens, default 8]. Exit code 1 when they differ.
import fs from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { AutoModelForCausalLM, Tensor, env } from '@huggingface/transformers';

const dir = path.resolve(process.argv[2] ?? '');
const steps = Number(process.argv[3] ?? 8);
const config = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8'));
const tjs = config['transformers.js_config'] ?? {};
console.log(`${dir}: transformers.js_config ${JSON.stringify(tjs)}`);
for (const f of fs.readdirSync(path.join(dir, 'onnx')).sort()) {
  console.log(`  onnx/${f}: ${fs.statSync(path.join(dir, 'onnx', f)).size} bytes`);
}
const prompt = [128000, 791, 6460, 315, 279, 1917, 374];
const eos = new Set([].concat(config.eos_token_id ?? []));
const rss = () => `${(process.memoryUsage().rss / 1e9).toFixed(2)} GB RSS`;

// 1. Transformers.js
env.localModelPath = path.dirname(dir) + path.sep;
env.allowRemoteModels = false;
env.allowLocalModels = true;
let t = performance.now();
const files = new Set();
const model = await AutoModelForCausalLM.from_pretrained(path.basename(dir), {
  device: 'cpu',
  progress_callback: (p) => p.status === 'done' && p.file && files.add(p.file),
});
const tjsLoad = (performance.now() - t) / 1000;
console.log(`Transformers.js loaded in ${tjsLoad.toFixed(1)} s (${rss()}); files: ${[...files].join(', ')}`);
t = performance.now();
const ids = new Tensor('int64', BigInt64Array.from(prompt.map(BigInt)), [1, prompt.length]);
const mask = new Tensor('int64', new BigInt64Array(prompt.length).fill(1n), [1, prompt.length]);
const out = await model.generate({ input_ids: ids, attention_mask: mask, max_new_tokens: steps, do_sample: false });
const tjsTokens = Array.from(out.data, Number).slice(prompt.length);
const tjsGen = (performance.now() - t) / 1000;
console.log(`Transformers.js generate(): ${JSON.stringify(tjsTokens)} in ${tjsGen.toFixed(1)} s`);
// the prompt's last logits, to compare with onnxruntime-node's below
const { logits: tjsLogits } = await model({ input_ids: ids, attention_mask: mask });
const vocabSize = tjsLogits.dims[2];
const tjsLast = tjsLogits.data.slice((prompt.length - 1) * vocabSize, prompt.length * vocabSize);
await model.dispose();

// 2. onnxruntime-node, the same files
t = performance.now();
const session = await ort.InferenceSession.create(path.join(dir, 'onnx', 'model.onnx'), {
  executionProviders: ['cpu'],
});
const ortLoad = (performance.now() - t) / 1000;
console.log(`onnxruntime-node ${ort.env.versions?.common ?? ''} session in ${ortLoad.toFixed(1)} s (${rss()})`);
const layers = config.num_hidden_layers;
const kvHeads = config.num_key_value_heads;
const headDim = config.head_dim ?? config.hidden_size / config.num_attention_heads;
let past = {};
for (let i = 0; i < layers; i++) {
  for (const kv of ['key', 'value']) {
    past[`past_key_values.${i}.${kv}`] = new ort.Tensor('float32', new Float32Array(0), [1, kvHeads, 0, headDim]);
  }
}
t = performance.now();
const ortTokens = [];
let feed = prompt;
let length = 0;
for (let s = 0; s < steps; s++) {
  const n = feed.length;
  const inputs = {
    input_ids: new ort.Tensor('int64', BigInt64Array.from(feed.map(BigInt)), [1, n]),
    attention_mask: new ort.Tensor('int64', new BigInt64Array(length + n).fill(1n), [1, length + n]),
    ...past,
  };
  if (session.inputNames.includes('position_ids')) {
    inputs.position_ids = new ort.Tensor(
      'int64',
      BigInt64Array.from(Array.from({ length: n }, (_, i) => BigInt(length + i))),
      [1, n],
    );
  }
  const result = await session.run(inputs);
  const logits = result.logits;
  const vocab = logits.dims[2];
  const row = (n - 1) * vocab;
  if (s === 0) {
    let diff = 0;
    let top = [];
    for (let v = 0; v < vocab; v++) diff = Math.max(diff, Math.abs(logits.data[row + v] - tjsLast[v]));
    const sorted = Array.from(tjsLast.keys()).sort((a, b) => tjsLast[b] - tjsLast[a]).slice(0, 3);
    top = sorted.map((v) => `${v}: ${tjsLast[v].toFixed(4)}`);
    console.log(`prompt's last logits: max |Transformers.js - onnxruntime-node| = ${diff}; Transformers.js top 3 ${top.join(', ')}`);
  }
  let best = 0;
  for (let v = 1; v < vocab; v++) if (logits.data[row + v] > logits.data[row + best]) best = v;
  ortTokens.push(best);
  past = {};
  for (let i = 0; i < layers; i++) {
    for (const kv of ['key', 'value']) past[`past_key_values.${i}.${kv}`] = result[`present.${i}.${kv}`];
  }
  length += n;
  feed = [best];
  if (eos.has(best)) break;
}
const ortGen = (performance.now() - t) / 1000;
console.log(`onnxruntime-node greedy:   ${JSON.stringify(ortTokens)} in ${ortGen.toFixed(1)} s`);
await session.release();

const same = tjsTokens.length === ortTokens.length && tjsTokens.every((x, i) => x === ortTokens[i]);
console.log(
  `${same ? 'EQUAL' : 'DIFFERENT'}: ${tjsTokens.length} tokens from Transformers.js, ${ortTokens.length} from onnxruntime-node` +
    ` (prompt ${JSON.stringify(prompt)})`,
);
process.exit(same && tjsTokens.length === steps ? 0 : 1);
