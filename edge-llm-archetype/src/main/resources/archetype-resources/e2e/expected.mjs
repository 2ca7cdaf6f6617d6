// The model's greedy continuation, computed by Transformers.js in Node (onnxruntime-node, CPU)
// on the same staged files and chat template the browser uses.
import {
  AutoModelForCausalLM,
  AutoTokenizer,
  env,
} from "@huggingface/transformers";

/** Whether the staged model has a chat template (else the app continues plain text). */
export async function hasChatTemplate({ modelsDir, modelName }) {
  configure(modelsDir);
  const tokenizer = await AutoTokenizer.from_pretrained(modelName);
  return Boolean(tokenizer.chat_template);
}

function configure(modelsDir) {
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.localModelPath = modelsDir.endsWith("/") ? modelsDir : modelsDir + "/";
}

export async function expectedReply({
  modelsDir,
  modelName,
  prompt,
  maxNewTokens,
}) {
  configure(modelsDir);
  const tokenizer = await AutoTokenizer.from_pretrained(modelName);
  const model = await AutoModelForCausalLM.from_pretrained(modelName, {
    device: "cpu",
  });
  try {
    // As src/llm/prompt.ts: the chat template when the model has one, else the text itself.
    const inputs = tokenizer.chat_template
      ? tokenizer.apply_chat_template([{ role: "user", content: prompt }], {
          add_generation_prompt: true,
          return_dict: true,
        })
      : tokenizer(prompt);
    const output = await model.generate({
      ...inputs,
      max_new_tokens: maxNewTokens,
      do_sample: false,
    });
    const ids = output
      .tolist()[0]
      .slice(inputs.input_ids.dims.at(-1))
      .map(Number);
    return { ids, text: tokenizer.decode(ids, { skip_special_tokens: true }) };
  } finally {
    await model.dispose();
  }
}
