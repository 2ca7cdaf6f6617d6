import { describe, expect, it } from "vitest";
import { evaluate } from "./calculator";

describe("calculate's evaluator", () => {
  it("computes with precedence, parentheses, powers and unary minus", () => {
    expect(evaluate("15 + 27")).toBe(42);
    expect(evaluate("2 ** 8")).toBe(256);
    expect(evaluate("2 ^ 3 ^ 2")).toBe(512);
    expect(evaluate("-2 ** 2")).toBe(-4);
    expect(evaluate("(1 + 2) * 3 - 4 / 2")).toBe(7);
    expect(evaluate("10 % 4 + .5")).toBe(2.5);
    expect(evaluate("1e3 / 8")).toBe(125);
  });

  it("rounds binary noise away", () => {
    expect(evaluate("200 * 0.15")).toBe(30);
    expect(evaluate("3.14 * 100")).toBe(314);
    expect(evaluate("0.1 + 0.2")).toBe(0.3);
  });

  it("refuses anything that is not arithmetic", () => {
    for (const bad of [
      "alert(1)",
      "2 +",
      "(1",
      "1 2",
      "Math.PI",
      "1 / 0",
      "",
      "2 ** 5000",
    ])
      expect(() => evaluate(bad), bad).toThrow();
  });
});
