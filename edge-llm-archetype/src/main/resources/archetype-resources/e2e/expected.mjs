// The model's greedy continuation, computed by Transformers.js in Node (onnxruntime-node, CPU)
// on the same staged files and chat template the browser uses.
import { AutoModelForCausalLM, AutoTokenizer, env } from "@huggingface/transformers";

export async function expectedReply({ modelsDir, modelName, prompt, maxNewTokens }) {
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.localModelPath = modelsDir.endsWith("/") ? modelsDir : modelsDir + "/";
  const tokenizer = await AutoTokenizer.from_pretrained(modelName);
  const model = await AutoModelForCausalLM.from_pretrained(modelName, { device: "cpu" });
  try {
    const inputs = tokenizer.apply_chat_template([{ role: "user", content: prompt }], {
      add_generation_prompt: true,
      return_dict: true,
    });
    const output = await model.generate({ ...inputs, max_new_tokens: maxNewTokens, do_sample: false });
    const ids = output.tolist()[0].slice(inputs.input_ids.dims.at(-1)).map(Number);
    return { ids, text: tokenizer.decode(ids, { skip_special_tokens: true }) };
  } finally {
    await model.dispose();
  }
}
