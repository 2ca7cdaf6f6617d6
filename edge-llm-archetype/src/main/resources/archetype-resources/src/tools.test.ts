import { describe, expect, it } from "vitest";
import definitions from "../tools/tool-definitions.json";
import examples from "../tools/examples.json";
import { exampleQueries } from "./examples";
import { DEMO_DATA_TOOLS, tools } from "./tools";

describe("the app's tools", () => {
  it("registers the declarations of tools/tool-definitions.json that have a handler, in order", () => {
    expect(tools.map((t) => t.name)).toEqual([
      "calculate",
      "get_weather",
      "search_web",
    ]);
    for (const t of tools) {
      const { handler: _, ...declaration } = t;
      expect(declaration).toEqual(definitions.find((d) => d.name === t.name));
    }
    expect([...DEMO_DATA_TOOLS]).toEqual(["get_weather", "search_web"]);
  });

  it("reproduces every example's tool responses (what the demo model was trained on)", async () => {
    let checked = 0;
    for (const e of examples) {
      for (const call of e.expectedToolCalls) {
        const tool = tools.find((t) => t.name === call.name);
        if (!tool) continue; // get_calendar_events, send_email, create_reminder: no handler here
        checked++;
        const result = await tool.handler(
          call.arguments as Record<string, unknown>,
        );
        expect(result, e.userQuery).toEqual(
          (e.toolResponses as Record<string, unknown>)[call.name],
        );
      }
    }
    expect(checked).toBe(44);
    expect(exampleQueries).toHaveLength(44);
    expect(exampleQueries[0]).toBe("What is 15 plus 27?");
  });

  it("gives deterministic demo data for anything else", async () => {
    const weather = tools.find((t) => t.name === "get_weather")!;
    const a = await weather.handler({ location: "Reykjavik" });
    expect(await weather.handler({ location: "reykjavik" })).toEqual(a);
    expect(a).toMatchObject({
      temperature: expect.any(Number),
      humidity: expect.any(Number),
    });
    const search = tools.find((t) => t.name === "search_web")!;
    expect(await search.handler({ query: "maven", num_results: 3 })).toEqual({
      results: [
        "Demo result 1 about maven...",
        "Demo result 2 about maven...",
        "Demo result 3 about maven...",
      ],
    });
    const calc = tools.find((t) => t.name === "calculate")!;
    await expect(
      calc.handler({ expression: "process.exit()" }),
    ).rejects.toThrow();
  });
});
