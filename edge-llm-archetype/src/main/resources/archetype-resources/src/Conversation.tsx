import type { ChatEntry } from "./llm";
import { DEMO_DATA_TOOLS } from "./tools";

/** The conversation: user messages, replies, each tool call (name, arguments) and its result. */
export function Conversation({ messages }: { messages: ChatEntry[] }) {
  return (
    <>
      {messages.map((m) =>
        m.role === "tool" ? (
          <ToolResult key={m.id} entry={m} />
        ) : (
          <div
            key={m.id}
            className={`message ${m.role}`}
            data-testid="message"
            data-role={m.role}
            data-kind={m.tool_calls?.length ? "tool-calls" : "text"}
            data-streaming={m.streaming ? "true" : "false"}
            data-aborted={m.aborted ? "true" : "false"}
            data-token-ids={m.tokenIds?.join(",")}
          >
            {m.tool_calls?.length ? (
              m.tool_calls.map((c) => (
                <div
                  key={c.id}
                  className="tool-call"
                  data-testid="tool-call"
                  data-name={c.name}
                  data-arguments={JSON.stringify(c.arguments)}
                >
                  <span className="label">calls</span> <code>{c.name}</code>
                  <code className="args">{JSON.stringify(c.arguments)}</code>
                </div>
              ))
            ) : (
              <div className="text" data-testid="message-text">
                {m.content}
                {m.streaming && <span className="cursor">▍</span>}
              </div>
            )}
            {m.tool_calls?.length && m.content ? (
              <div className="text">{m.content}</div>
            ) : null}
            {m.stats && (
              <div className="meta">
                {m.stats.tokens} tokens · {m.stats.tokensPerSecond.toFixed(1)}{" "}
                tokens/s
                {m.aborted ? " · stopped" : ""}
              </div>
            )}
          </div>
        ),
      )}
    </>
  );
}

function ToolResult({ entry }: { entry: ChatEntry }) {
  const name = entry.name ?? "";
  return (
    <div
      className={`tool-result${entry.error ? " failed" : ""}`}
      data-testid="tool-result"
      data-name={name}
      data-error={entry.error ? "true" : "false"}
      data-content={entry.content}
    >
      <span className="label">{entry.error ? "error" : "result"}</span>{" "}
      <code>{name}</code>
      {DEMO_DATA_TOOLS.has(name) && !entry.error && (
        <span className="demo-data" title="Made-up data: see src/demoData.ts">
          demo data
        </span>
      )}
      <code className="args">{entry.content}</code>
    </div>
  );
}
