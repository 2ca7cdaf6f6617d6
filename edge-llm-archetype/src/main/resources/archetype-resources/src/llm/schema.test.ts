import { describe, expect, it } from "vitest";
import { validateArguments } from "./schema";
import type { JSONSchema } from "./types";

const weather: JSONSchema = {
  type: "object",
  properties: {
    location: { type: "string" },
    units: { type: "string", enum: ["celsius", "fahrenheit"] },
    days: { type: "integer" },
    tags: { type: "array", items: { type: "string" } },
    where: {
      type: "object",
      properties: { lat: { type: "number" } },
      required: ["lat"],
    },
  },
  required: ["location"],
  additionalProperties: false,
};

describe("validateArguments", () => {
  it("accepts valid arguments", () => {
    expect(
      validateArguments(weather, {
        location: "Tokyo",
        units: "celsius",
        days: 3,
        tags: ["a"],
        where: { lat: 1.5 },
      }),
    ).toEqual([]);
  });

  it("names each problem", () => {
    expect(
      validateArguments(weather, {
        units: "kelvin",
        days: 1.5,
        tags: ["a", 2],
        where: {},
        extra: 1,
      }),
    ).toEqual([
      'missing required argument "location"',
      '"units" must be one of "celsius", "fahrenheit", got "kelvin"',
      '"days" must be an integer, got 1.5',
      '"tags[1]" must be a string, got 2',
      'missing required argument "where.lat"',
      'unknown argument "extra"',
    ]);
    expect(validateArguments(weather, { location: 42 })).toEqual([
      '"location" must be a string, got 42',
    ]);
  });
});
