import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App";
import { LLMProvider, type LLMConfig } from "./llm";
import { MODEL_PATH } from "./model";
import "./app.css";

// ?device=wasm|webgpu|auto, ?maxNewTokens=N and ?model=... override the defaults (the browser test uses them).
const params = new URLSearchParams(window.location.search);
const device = params.get("device");
const maxNewTokens = Number(params.get("maxNewTokens"));

const model = params.get("model") ?? MODEL_PATH;
const config: LLMConfig = {
  preferredRuntime: "transformers",
  models: { transformers: model },
  device: device === "wasm" || device === "webgpu" ? device : "auto",
  ...(Number.isInteger(maxNewTokens) && maxNewTokens > 0
    ? { maxNewTokens }
    : {}),
};

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <LLMProvider config={config}>
      <App model={model} />
    </LLMProvider>
  </StrictMode>,
);
