import { describe, expect, it } from "vitest";
import { chooseVariant, deviceLabel, stagedVariants } from "./variant";

const both = ["q4f16", "q4"];
const f16 = { available: true, shaderF16: true };
const noF16 = { available: true, shaderF16: false };

describe("stagedVariants", () => {
  it("reads edge-llm.json's variants (objects with a dtype, or names)", () => {
    expect(
      stagedVariants({
        variants: [
          { dtype: "q4f16", model: "onnx/model_q4f16.onnx" },
          { dtype: "q4", model: "onnx/model_q4.onnx" },
        ],
      }),
    ).toEqual(both);
    expect(stagedVariants({ variants: ["q4f16", "q4"] })).toEqual(both);
  });
  it("is empty for a model without variants or without a manifest", () => {
    expect(stagedVariants({ dtype: "fp32" })).toEqual([]);
    expect(stagedVariants(null)).toEqual([]);
    expect(stagedVariants({ variants: "q4" })).toEqual([]);
  });
});

describe("chooseVariant", () => {
  it("takes q4f16 on WebGPU when the adapter has shader-f16", () => {
    expect(chooseVariant("webgpu", f16, both)).toEqual({ dtype: "q4f16" });
  });
  it("falls back to q4 on WebGPU without shader-f16, and says why", () => {
    expect(chooseVariant("webgpu", noF16, both)).toEqual({
      dtype: "q4",
      reason: "no shader-f16",
    });
    expect(chooseVariant("webgpu", { available: true }, both)).toEqual({
      dtype: "q4",
      reason: "no shader-f16",
    });
  });
  it("takes q4 on WASM (no float16 shaders there)", () => {
    expect(chooseVariant("wasm", f16, both)).toEqual({ dtype: "q4" });
  });
  it("lets an explicit dtype win, and a model without variants keep its config's", () => {
    expect(chooseVariant("webgpu", f16, both, "q4")).toEqual({ dtype: "q4" });
    expect(chooseVariant("webgpu", f16, [])).toEqual({});
    expect(chooseVariant("webgpu", f16, ["q4"])).toEqual({});
  });
});

describe("deviceLabel", () => {
  it("names the device and the variant with the fallback's reason", () => {
    expect(deviceLabel("webgpu", "q4", "no shader-f16")).toBe(
      "WebGPU · q4 (no shader-f16)",
    );
    expect(deviceLabel("webgpu", "q4f16")).toBe("WebGPU · q4f16");
    expect(deviceLabel("wasm", "q4")).toBe("WASM · q4");
    expect(deviceLabel("wasm")).toBe("WASM");
  });
});
