// Loads every model the Java test TransformersJsProofTest staged into target/tjs-proof/models with
// @huggingface/transformers 4.x in Node (onnxruntime-node, CPU; local files only) and checks:
//  - the tokenizer from the staged tokenizer.json/tokenizer_config.json encodes each prompt to the golden ids;
//  - generate() with greedy decoding yields transformers' golden greedy tokens (fp32 exports: exactly);
//  - tiny-gemma3: apply_chat_template works from the staged tokenizer_config.json;
//  - the 4-bit tinystories models (local layout: onnx/model.onnx + dtype fp32; hub layout:
//    onnx/model_q4.onnx + dtype q4): their agreement with the fp32 goldens, greedy and teacher-forced.
// Usage: node proof.mjs <target/tjs-proof>. Writes results.json there; exit code 1 when a check fails.
import fs from 'node:fs';
import path from 'node:path';
import { AutoTokenizer, AutoModelForCausalLM, Tensor, env } from '@huggingface/transformers';

const root = path.resolve(process.argv[2] ?? '../../../../target/tjs-proof');
const casesFile = path.join(root, 'cases.json');
if (!fs.existsSync(casesFile)) {
  console.log(`No ${casesFile}: the Java test TransformersJsProofTest did not run in this build; nothing to prove.`);
  process.exit(0);
}
const { modelsDirectory, cases } = JSON.parse(fs.readFileSync(casesFile, 'utf8'));
env.localModelPath = modelsDirectory + path.sep;
env.allowRemoteModels = false;
env.allowLocalModels = true;

// The 4-bit model's teacher-forced top-1 agreement with the fp32 greedy tokens, over all prompts,
// must reach this. It is a floor that catches a broken quantization (a wrong block layout or scale
// agrees almost nowhere); the measured value is reported in results.json and the build log.
const Q4_MIN_TEACHER_FORCED = 0.7;

let passed = 0;
let failed = 0;
const results = [];
function check(ok, label, detail = '') {
  if (ok) {
    passed++;
    console.log(`  ok    ${label}${detail ? ': ' + detail : ''}`);
  } else {
    failed++;
    console.log(`  FAIL  ${label}${detail ? ': ' + detail : ''}`);
  }
  return ok;
}
const ids = (t) => Array.from(t.data, (x) => Number(x));
const same = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

for (const c of cases) {
  console.log(`${c.name} (${c.precision}, golden ${c.golden})`);
  const result = { name: c.name, precision: c.precision, prompts: [] };
  results.push(result);
  let tokenizer, model;
  try {
    tokenizer = await AutoTokenizer.from_pretrained(c.name);
    model = await AutoModelForCausalLM.from_pretrained(c.name, { device: 'cpu' });
    check(true, 'loads with AutoTokenizer and AutoModelForCausalLM');
  } catch (e) {
    check(false, 'loads with AutoTokenizer and AutoModelForCausalLM', String(e));
    continue;
  }
  for (const p of c.prompts) {
    const enc = tokenizer(p.text);
    const promptIds = ids(enc.input_ids);
    check(same(promptIds, p.input_ids), `tokenizer encodes ${JSON.stringify(p.text)}`, JSON.stringify(promptIds));
    const n = p.greedy.length;
    const input_ids = new Tensor('int64', BigInt64Array.from(p.input_ids.map(BigInt)), [1, p.input_ids.length]);
    const attention_mask = new Tensor('int64', new BigInt64Array(p.input_ids.length).fill(1n), [1, p.input_ids.length]);
    const out = await model.generate({ input_ids, attention_mask, max_new_tokens: n, do_sample: false });
    const generated = ids(out).slice(p.input_ids.length);
    let prefix = 0;
    while (prefix < n && generated[prefix] === p.greedy[prefix]) prefix++;
    const equal = generated.filter((t, i) => t === p.greedy[i]).length;
    const entry = { text: p.text, generated, golden: p.greedy, greedyPrefixMatch: prefix, greedyEqualPositions: equal };
    if (c.precision === 'fp32') {
      check(same(generated, p.greedy), `generate() greedy ${n} tokens equal the golden`, JSON.stringify(generated.slice(0, 12)) + '...');
    } else {
      // Teacher-forced: one pass over prompt + golden continuation; the model's top-1 at each position vs the fp32 choice.
      const full = p.input_ids.concat(p.greedy);
      const fullIds = new Tensor('int64', BigInt64Array.from(full.map(BigInt)), [1, full.length]);
      const fullMask = new Tensor('int64', new BigInt64Array(full.length).fill(1n), [1, full.length]);
      const { logits } = await model({ input_ids: fullIds, attention_mask: fullMask });
      const [, seq, vocab] = logits.dims;
      const data = logits.data;
      let agree = 0;
      for (let i = 0; i < n; i++) {
        const row = p.input_ids.length - 1 + i;
        let best = 0;
        for (let v = 1; v < vocab; v++) if (data[row * vocab + v] > data[row * vocab + best]) best = v;
        if (best === p.greedy[i]) agree++;
      }
      entry.teacherForcedTopOne = agree / n;
      console.log(`        greedy: first ${prefix} of ${n} tokens equal fp32's, ${equal} of ${n} positions equal; ` +
        `teacher-forced top-1 agreement ${agree}/${n} = ${(agree / n).toFixed(3)}`);
      entry.teacherForcedAgree = agree;
      check(generated.length === n, `generate() greedy produced ${n} tokens`, JSON.stringify(tokenizer.decode(generated)));
    }
    result.prompts.push(entry);
  }
  if (c.precision !== 'fp32') {
    const agree = result.prompts.reduce((a, e) => a + e.teacherForcedAgree, 0);
    const total = result.prompts.reduce((a, e) => a + e.golden.length, 0);
    const equal = result.prompts.reduce((a, e) => a + e.greedyEqualPositions, 0);
    result.teacherForcedTopOne = agree / total;
    result.greedyEqualPositions = equal / total;
    console.log(`        ${c.name} vs fp32 over all prompts: teacher-forced top-1 ${agree}/${total} = ${(agree / total).toFixed(3)},` +
      ` greedy positions equal ${equal}/${total}`);
    check(agree / total >= Q4_MIN_TEACHER_FORCED, `teacher-forced top-1 agreement with fp32 >= ${Q4_MIN_TEACHER_FORCED}`, (agree / total).toFixed(3));
    const twin = results.find((r) => r !== result && r.precision === c.precision && r.prompts.length === result.prompts.length);
    if (twin) {
      check(result.prompts.every((e, i) => same(e.generated, twin.prompts[i].generated)),
        `same tokens as ${twin.name} (the same model in the other layout)`);
    }
  }
  if (c.chat) {
    const messages = [{ role: 'user', content: 'Hello' }];
    const text = tokenizer.apply_chat_template(messages, { tokenize: false, add_generation_prompt: true });
    check(text === '<bos><start_of_turn>user\nHello<end_of_turn>\n<start_of_turn>model\n',
      'apply_chat_template from the staged tokenizer_config.json', JSON.stringify(text));
    const chatIds = tokenizer.apply_chat_template(messages, { add_generation_prompt: true, return_dict: true });
    const chatOut = await model.generate({ ...chatIds, max_new_tokens: 8, do_sample: false });
    check(ids(chatOut).length === ids(chatIds.input_ids).length + 8, 'generate() from the chat template', JSON.stringify(ids(chatOut)));
    result.chatTemplate = text;
  }
  await model.dispose();
}

fs.writeFileSync(path.join(root, 'results.json'), JSON.stringify({ passed, failed, results }, null, 2) + '\n');
console.log(`Transformers.js proof: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
