import {
  useEffect,
  useRef,
  useState,
  type FormEvent,
  type KeyboardEvent,
} from "react";
import { Conversation } from "./Conversation";
import { exampleQueries } from "./examples";
import { deviceLabel, totalProgress, useLLM } from "./llm";
import { tools } from "./tools";

const KB = 1024;
const MB = 1024 * KB;

function formatBytes(bytes: number): string {
  if (bytes < MB) return `${(bytes / KB).toFixed(1)} KB`;
  return `${(bytes / MB).toFixed(bytes < 10 * MB ? 2 : 1)} MB`;
}

export function App({ model }: { model: string }) {
  const llm = useLLM();
  const [draft, setDraft] = useState("");
  const bottom = useRef<HTMLDivElement>(null);
  const { registerTools } = llm;

  useEffect(() => registerTools(tools), [registerTools]);

  useEffect(() => {
    bottom.current?.scrollIntoView({ block: "end" });
  }, [llm.messages]);

  const generating = llm.generating;
  const canSend = llm.status === "ready" && !generating;
  const sendText = (text: string) => {
    if (!canSend || text.trim().length === 0) return;
    llm.send(text).catch(() => undefined); // errors are shown from llm.error
    setDraft("");
  };
  const submit = (e?: FormEvent) => {
    e?.preventDefault();
    sendText(draft);
  };
  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === "Enter" && !e.shiftKey) submit();
  };

  const progress = totalProgress(llm.files);

  return (
    <div
      className="app"
      data-status={llm.status}
      data-generating={generating ? "true" : "false"}
    >
      <header>
        <h1>Edge-LLM chat</h1>
        <span className="model" title="model">
          {model}
        </span>
        {llm.device && (
          <span
            className={`badge badge-${llm.device}`}
            data-testid="device-badge"
            data-device={llm.device}
            data-adapter={llm.adapter ?? ""}
            data-variant={llm.variant ?? ""}
            title={
              llm.adapter
                ? `WebGPU adapter: ${llm.adapter}`
                : "WebAssembly on the CPU"
            }
          >
            {deviceLabel(llm.device, llm.variant, llm.variantReason)}
          </span>
        )}
        {llm.dtype && (
          <span
            className="badge badge-dtype"
            data-testid="weights"
            title={`ONNX file variant: ${llm.dtype}`}
          >
            {llm.weights ?? llm.dtype}
          </span>
        )}
        <span className="tps" data-testid="tps">
          {llm.lastStats
            ? `${llm.lastStats.tokensPerSecond.toFixed(1)} tokens/s`
            : ""}
        </span>
      </header>

      {llm.demo && (
        <div className="notice demo" data-testid="demo-banner" role="note">
          <strong>Demo model:</strong> a tiny tool caller that only memorized
          the example queries below (weather and search results are demo data);
          anything else gets nonsense. Point <code>edgellm.checkpoint</code> in{" "}
          <code>pom.xml</code> at your fine-tuned model and run{" "}
          <code>mvn package</code> again.
        </div>
      )}
      {llm.demo && llm.initialized && (
        <div className="examples" data-testid="examples">
          {exampleQueries.map((q) => (
            <button
              key={q}
              type="button"
              data-testid="example"
              disabled={!canSend}
              onClick={() => sendText(q)}
            >
              {q}
            </button>
          ))}
        </div>
      )}
      {llm.initialized && !llm.chat && (
        <div
          className="notice completion"
          data-testid="completion-mode"
          role="note"
        >
          This model has no chat template: each message is continued as plain
          text.
        </div>
      )}
      {llm.device === "wasm" && llm.fallbackReason && (
        <div className="notice fallback" data-testid="fallback" role="note">
          Running on WASM (CPU): {llm.fallbackReason}
        </div>
      )}
      {llm.notice && (
        <div className="notice limit" data-testid="notice" role="note">
          {llm.notice}
        </div>
      )}
      {llm.error && (
        <div className="notice error" data-testid="error" role="alert">
          {llm.error}
        </div>
      )}

      {llm.status === "loading" && (
        <div className="loading" data-testid="loading">
          <progress
            max={1}
            value={progress.known ? progress.fraction : undefined}
          />
          <span>
            Loading model… {formatBytes(progress.loaded)}
            {progress.known ? ` of ${formatBytes(progress.total)}` : ""}
          </span>
          <ul>
            {Object.values(llm.files).map((f) => (
              <li key={f.file}>
                {f.file}: {formatBytes(f.loaded)}
                {f.total > 0 ? ` / ${formatBytes(f.total)}` : ""}
              </li>
            ))}
          </ul>
        </div>
      )}

      <main className="messages" data-testid="messages">
        <Conversation messages={llm.messages} />
        <div ref={bottom} />
      </main>

      <form className="composer" onSubmit={submit}>
        <textarea
          data-testid="prompt"
          value={draft}
          placeholder={
            llm.initialized ? "Message the model" : "The model is loading…"
          }
          onChange={(e) => setDraft(e.target.value)}
          onKeyDown={onKeyDown}
          rows={2}
        />
        {generating ? (
          <button
            key="stop"
            type="button"
            data-testid="stop"
            onClick={() => llm.abort()}
          >
            Stop
          </button>
        ) : (
          <button
            key="send"
            type="submit"
            data-testid="send"
            disabled={!canSend || draft.trim() === ""}
          >
            Send
          </button>
        )}
        <button
          type="button"
          className="secondary"
          onClick={() => llm.clear()}
          disabled={generating}
        >
          Clear
        </button>
      </form>
      <details className="tools" data-testid="tools">
        <summary>Tools the model may call ({llm.tools.length})</summary>
        <ul>
          {llm.tools.map((t) => (
            <li key={t.name} data-testid="tool" data-name={t.name}>
              <code>{t.name}</code> — {t.description}
            </li>
          ))}
        </ul>
      </details>
    </div>
  );
}
