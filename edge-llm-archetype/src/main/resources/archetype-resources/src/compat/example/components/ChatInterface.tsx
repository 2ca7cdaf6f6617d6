// Stand-in for examples/app/src/components/ChatInterface.tsx: uses the example's useChat hook.
import { useChat } from "../hooks/useChat";

export function ChatInterface() {
  const { handleSend } = useChat();
  return <button onClick={handleSend}>Send</button>;
}
