// What the browser must show, computed in Node: Transformers.js with onnxruntime-node (CPU) on the
// same staged files, and the app's own modules (loaded from src/ by Vite): the prompt rendering
// (src/llm/prompt.ts: the chat template with the tools), the stop tokens, the tool loop
// (src/llm/toolLoop.ts: parse the call, check its arguments, run the handler, render again) and the
// tools (src/tools.ts). Greedy decoding, so the browser's tokens must be the same, one for one.
import {
  AutoModelForCausalLM,
  AutoTokenizer,
  env,
} from "@huggingface/transformers";
import { createServer } from "vite";

/** The app's modules, transformed by Vite as the build does (TypeScript, JSON imports). */
export async function loadAppModules(root) {
  const server = await createServer({
    root,
    configFile: false,
    logLevel: "error",
    appType: "custom",
    server: { middlewareMode: true, hmr: false, watch: null },
    optimizeDeps: { noDiscovery: true, include: [] },
  });
  try {
    return {
      prompt: await server.ssrLoadModule("/src/llm/prompt.ts"),
      engine: await server.ssrLoadModule("/src/llm/engine.ts"),
      loop: await server.ssrLoadModule("/src/llm/toolLoop.ts"),
      tools: (await server.ssrLoadModule("/src/tools.ts")).tools,
    };
  } finally {
    await server.close();
  }
}

/** The staged model in Node, generating as the app's worker does (src/llm/engine.ts). */
export async function nodeRuntime({ modelsDir, modelName, app }) {
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.localModelPath = modelsDir.endsWith("/") ? modelsDir : modelsDir + "/";
  const tokenizer = await AutoTokenizer.from_pretrained(modelName);
  const model = await AutoModelForCausalLM.from_pretrained(modelName, {
    device: "cpu",
  });
  const stop = app.engine.stopTokenIds(model.generation_config ?? {});
  return {
    chat: Boolean(tokenizer.chat_template),
    stop,
    /** One greedy generation: what the worker's Engine.generate returns (ids, raw and shown text). */
    async generate(messages, schemas, maxNewTokens) {
      const inputs = app.prompt.encodePrompt(tokenizer, messages, schemas);
      const output = await model.generate({
        ...inputs,
        max_new_tokens: maxNewTokens,
        do_sample: false,
        ...(stop.length > 0 ? { eos_token_id: stop } : {}),
      });
      const tokenIds = output
        .tolist()[0]
        .slice(inputs.input_ids.dims.at(-1))
        .map(Number);
      return {
        tokenIds,
        raw: tokenizer.decode(tokenIds, { skip_special_tokens: false }),
        text: tokenizer.decode(tokenIds, { skip_special_tokens: true }),
        aborted: false,
        stats: { tokens: tokenIds.length, firstTokenMs: 0, tokensPerSecond: 0 },
      };
    },
    dispose: () => model.dispose(),
  };
}

/**
 * The whole send() of `query` as the app runs it: every reply (its token ids, its tool calls or its
 * text) and every tool result, in the order the page shows them.
 */
export async function expectedConversation({
  runtime,
  app,
  query,
  maxNewTokens,
}) {
  const steps = [];
  let n = 1;
  const response = await app.loop.runToolLoop(
    [{ role: "user", content: query }],
    (messages, schemas) => runtime.generate(messages, schemas, maxNewTokens),
    {
      tools: app.tools,
      maxRounds: 5,
      executeTools: true,
      signal: new AbortController().signal,
      newCallId: () => `call_${n++}`,
    },
    {
      onReply: (message, generation) =>
        steps.push(
          message.tool_calls?.length
            ? {
                kind: "calls",
                ids: generation.tokenIds,
                calls: message.tool_calls.map((c) => ({
                  name: c.name,
                  arguments: c.arguments,
                })),
              }
            : { kind: "text", ids: generation.tokenIds, text: message.content },
        ),
      onToolResult: (message, error) =>
        steps.push({
          kind: "result",
          name: message.name,
          content: message.content,
          error,
        }),
    },
  );
  return { steps, response };
}
