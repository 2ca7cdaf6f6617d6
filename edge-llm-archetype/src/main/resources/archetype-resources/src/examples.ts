import examples from "../tools/examples.json";
import { tools } from "./tools";

const registered = new Set(tools.map((t) => t.name));

/**
 * The user queries of tools/examples.json (Edge-LLM's fine-tuning examples) whose calls all use a
 * tool this app registers: the one-click prompts shown while the demo model is staged.
 */
export const exampleQueries: string[] = examples
  .filter(
    (e) =>
      e.expectedToolCalls.length > 0 &&
      e.expectedToolCalls.every((c) => registered.has(c.name)),
  )
  .map((e) => e.userQuery);
