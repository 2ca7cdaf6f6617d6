/*
 * The code of @edge-llm/react's README (packages/react/README.md) and of Edge-LLM's README, as
 * published (MIT, github.com/ryuheiyokokawa/edge-llm); only the imports the snippets leave out
 * (useEffect, YourApp) are added. It must compile against this app's src/llm unchanged.
 */
import { useEffect } from "react";
import { LLMProvider } from "@edge-llm/react";
import { useLLM } from "@edge-llm/react";

const YourApp = () => null;

// README.md, "Configuration"
export function ConfiguredApp() {
  return (
    // App.tsx
    <LLMProvider
      config={{
        // Auto-detect best available runtime
        preferredRuntime: "auto",

        // Fallback API (e.g., local Ollama bridge)
        apiUrl: "http://localhost:3001/v1/chat/completions",

        // Models to use
        models: {
          webllm: "Llama-3-8B-Instruct-q4f16_1-MLC",
          transformers: "onnx-community/functiongemma-270m-it-ONNX",
          api: "llama3",
        },
      }}
    >
      <YourApp />
    </LLMProvider>
  );
}

// packages/react/README.md, "1. Wrap your app with LLMProvider"
export function App() {
  return (
    <LLMProvider
      config={{
        preferredRuntime: "auto",
        apiUrl: "http://localhost:3001/v1/chat/completions",
        models: {
          webllm: "Llama-3-8B-Instruct-q4f16_1-MLC",
        },
      }}
    >
      <ChatInterface />
    </LLMProvider>
  );
}

// packages/react/README.md, "2. Use the useLLM hook"
export function ChatInterface() {
  const { send, status, activeRuntime, registerTools } = useLLM();

  // 1. Register tools (optional)
  useEffect(() => {
    registerTools([
      {
        name: "get_time",
        description: "Get current time",
        parameters: { type: "object", properties: {} },
        handler: async () => new Date().toISOString(),
      },
    ]);
  }, []);

  const handleSend = async () => {
    // "send" automatically handles the full tool-execution loop
    const response = await send([
      { role: "user", content: "What time is it?" },
    ]);

    console.log("Response:", response.text);
  };

  return (
    <div>
      <div className="status-bar">
        Status: {status} {/* "initializing" | "loading" | "ready" */}
        Runtime: {activeRuntime} {/* "api" -> "webllm" */}
      </div>

      <button onClick={handleSend} disabled={status !== "ready"}>
        Send
      </button>
    </div>
  );
}

// packages/react/README.md, "Hybrid UI Patterns"
const Spinner = () => null;
const Badge = (_: { color: string; children: string }) => null;
const Chat = () => null;
export function HybridUi() {
  const { status, activeRuntime } = useLLM();

  if (status === "initializing") return <Spinner />;

  return (
    <div>
      {activeRuntime === "api" && (
        <Badge color="yellow">Cloud Mode (Downloading Local Model...)</Badge>
      )}
      {activeRuntime === "webllm" && (
        <Badge color="green">Local Mode (Private & Free)</Badge>
      )}
      <Chat />
    </div>
  );
}
