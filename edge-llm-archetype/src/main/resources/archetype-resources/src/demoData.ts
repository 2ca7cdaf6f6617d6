import examples from "../tools/examples.json";

/*
 * DEMO DATA, not real: what get_weather and search_web return in this demo app. For the queries of
 * tools/examples.json (what the demo model was trained on) they return the examples' toolResponses,
 * so the model's answers match; anything else gets made-up values derived from the arguments.
 * Replace these handlers with real services in your app.
 */

interface Example {
  expectedToolCalls: { name: string; arguments: Record<string, unknown> }[];
  toolResponses: Record<string, unknown>;
}

/** The example's response to a call with exactly these arguments (case-insensitive strings). */
function fromExamples(
  name: string,
  args: Record<string, unknown>,
): unknown | undefined {
  const key = canonical(args);
  for (const e of examples as Example[]) {
    const call = e.expectedToolCalls.find((c) => c.name === name);
    if (call && canonical(call.arguments) === key) return e.toolResponses[name];
  }
  return undefined;
}

function canonical(args: Record<string, unknown>): string {
  return JSON.stringify(
    Object.keys(args)
      .filter((k) => args[k] !== undefined)
      .sort()
      .map((k) => [
        k,
        typeof args[k] === "string"
          ? (args[k] as string).trim().toLowerCase()
          : args[k],
      ]),
  );
}

/** A small deterministic hash of a string (FNV-1a). */
function hash(s: string): number {
  let h = 0x811c9dc5;
  for (const c of s.toLowerCase()) {
    h ^= c.codePointAt(0)!;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

const CONDITIONS = ["sunny", "cloudy", "rainy", "windy", "clear", "foggy"];

export function demoWeather(args: Record<string, unknown>): unknown {
  const known = fromExamples("get_weather", args);
  if (known !== undefined) return known;
  const location = String(args["location"] ?? "");
  const h = hash(location);
  const celsius = (h % 35) - 5;
  return {
    temperature:
      args["units"] === "fahrenheit" ? Math.round(celsius * 1.8 + 32) : celsius,
    condition: CONDITIONS[(h >>> 8) % CONDITIONS.length],
    humidity: 30 + ((h >>> 16) % 60),
  };
}

export function demoSearch(args: Record<string, unknown>): unknown {
  const known = fromExamples("search_web", args);
  if (known !== undefined) return known;
  const query = String(args["query"] ?? "");
  const n = Math.max(1, Math.min(10, Number(args["num_results"] ?? 2) || 2));
  return {
    results: Array.from(
      { length: n },
      (_, i) => `Demo result ${i + 1} about ${query}...`,
    ),
  };
}
