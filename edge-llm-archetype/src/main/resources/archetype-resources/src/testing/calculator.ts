import type { Message, ToolSchema } from "../llm/types";

/**
 * The tool-call turn the tests share, as tool-calls.json records it for the demo model: the user's
 * question, the assistant's call of `calculate` and the tool's result, in the messages' own shape.
 */
export const calculateSchema: ToolSchema = {
  name: "calculate",
  description: "Evaluate a mathematical expression and return the result",
  parameters: {
    type: "object",
    properties: { expression: { type: "string" } },
    required: ["expression"],
  },
};

export const question: Message = {
  role: "user",
  content: "What is 15 plus 27?",
};

export const calculateCall: Message = {
  role: "assistant",
  content: "",
  tool_calls: [
    {
      id: "call_1",
      name: "calculate",
      arguments: { expression: "15 + 27" },
    },
  ],
};

export const calculateResult: Message = {
  role: "tool",
  tool_call_id: "call_1",
  name: "calculate",
  content: '{"result":42}',
};

/** The conversation after the call: what the second generation of the tool loop reads. */
export const afterTheCall: Message[] = [
  question,
  calculateCall,
  calculateResult,
];
