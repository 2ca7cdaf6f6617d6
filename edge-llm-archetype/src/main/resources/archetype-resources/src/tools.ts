import definitions from "../tools/tool-definitions.json";
import { evaluate } from "./calculator";
import { demoSearch, demoWeather } from "./demoData";
import type { ToolDefinition, ToolSchema } from "./llm";

/*
 * The tools this app registers (App.tsx): their declarations come from tools/tool-definitions.json
 * (Edge-LLM's tool-definitions format, the file the model was fine-tuned with), the handlers from
 * here. A declaration without a handler below is not registered.
 */

const handlers: Record<string, ToolDefinition["handler"]> = {
  calculate: async (args) => ({ result: evaluate(String(args["expression"])) }),
  get_weather: async (args) => demoWeather(args),
  search_web: async (args) => demoSearch(args),
};

/** Tools whose results are made-up demo data (the UI labels them so). */
export const DEMO_DATA_TOOLS: ReadonlySet<string> = new Set([
  "get_weather",
  "search_web",
]);

export const tools: ToolDefinition[] = (definitions as unknown as ToolSchema[])
  .filter((d) => handlers[d.name] !== undefined)
  .map((d) => ({ ...d, handler: handlers[d.name] }));
