import { describe, expect, it, vi } from "vitest";
import {
  devicesToTry,
  loadWithFallback,
  probeWebGpu,
  webGpuSessionOptions,
  type GpuLike,
} from "./device";

const gpu = (adapter: unknown, deviceError?: Error): GpuLike => ({
  requestAdapter: async () =>
    adapter
      ? {
          requestDevice: async () => {
            if (deviceError) throw deviceError;
            return { destroy: () => undefined };
          },
        }
      : null,
});

describe("WebGPU probe", () => {
  it("is available with an adapter and a device", async () => {
    expect(await probeWebGpu(gpu({}))).toEqual({
      available: true,
      shaderF16: false,
    });
  });
  it("tells whether the adapter has shader-f16 (q4f16 models need it)", async () => {
    const withF16: GpuLike = {
      requestAdapter: async () => ({
        features: new Set(["shader-f16", "timestamp-query"]),
        requestDevice: async () => ({}),
      }),
    };
    expect(await probeWebGpu(withF16)).toEqual({
      available: true,
      shaderF16: true,
    });
  });
  it("names the adapter", async () => {
    const swiftshader: GpuLike = {
      requestAdapter: async () => ({
        info: { vendor: "google", architecture: "swiftshader" },
        requestDevice: async () => ({}),
      }),
    };
    expect(await probeWebGpu(swiftshader)).toEqual({
      available: true,
      adapter: "google swiftshader",
      shaderF16: false,
    });
  });
  it("reports the adapter's smallest subgroup size", async () => {
    const swiftshader: GpuLike = {
      requestAdapter: async () => ({
        info: {
          vendor: "google",
          architecture: "swiftshader",
          subgroupMinSize: 4,
        },
        requestDevice: async () => ({}),
      }),
    };
    expect(await probeWebGpu(swiftshader)).toEqual({
      available: true,
      adapter: "google swiftshader",
      shaderF16: false,
      subgroupMinSize: 4,
    });
  });
  it("says why not: no navigator.gpu, no adapter, or a device that fails", async () => {
    expect(await probeWebGpu(undefined)).toMatchObject({
      available: false,
      reason: expect.stringMatching(/navigator\.gpu/),
    });
    expect(await probeWebGpu(gpu(null))).toMatchObject({
      available: false,
      reason: expect.stringMatching(/no WebGPU adapter/),
    });
    expect(await probeWebGpu(gpu({}, new Error("lost")))).toMatchObject({
      available: false,
      reason: expect.stringMatching(/lost/),
    });
  });
});

describe("device order", () => {
  it("prefers WebGPU then WASM when WebGPU is there", () => {
    expect(devicesToTry("auto", { available: true })).toEqual([
      "webgpu",
      "wasm",
    ]);
    expect(devicesToTry(undefined, { available: true })).toEqual([
      "webgpu",
      "wasm",
    ]);
  });
  it("uses WASM only when WebGPU is missing or WASM is asked for", () => {
    expect(devicesToTry("auto", { available: false })).toEqual(["wasm"]);
    expect(devicesToTry("wasm", { available: true })).toEqual(["wasm"]);
  });
  it("tries nothing when WebGPU is required but missing", () => {
    expect(devicesToTry("webgpu", { available: false })).toEqual([]);
  });
});

describe("loadWithFallback", () => {
  it("falls back from WebGPU to WASM when the WebGPU session fails", async () => {
    const onFallback = vi.fn();
    const result = await loadWithFallback(
      ["webgpu", "wasm"],
      async (d) => {
        if (d === "webgpu")
          throw new Error("no kernel for GroupQueryAttention");
        return "model-on-" + d;
      },
      onFallback,
    );
    expect(result.value).toBe("model-on-wasm");
    expect(result.device).toBe("wasm");
    expect(result.failures).toEqual([
      { device: "webgpu", reason: "no kernel for GroupQueryAttention" },
    ]);
    expect(onFallback).toHaveBeenCalledWith(
      "webgpu",
      "wasm",
      "no kernel for GroupQueryAttention",
    );
  });

  it("keeps WebGPU when it works", async () => {
    const load = vi.fn(async (d: string) => d);
    const result = await loadWithFallback(["webgpu", "wasm"], load);
    expect(result.device).toBe("webgpu");
    expect(load).toHaveBeenCalledTimes(1);
  });

  it("reports every device's reason when none works, including non-Error throws", async () => {
    await expect(
      loadWithFallback(["webgpu", "wasm"], async (d) => {
        throw d === "webgpu" ? new Error("gpu broke") : 12345;
      }),
    ).rejects.toThrow("webgpu: gpu broke; wasm: 12345");
  });

  it("explains an impossible WebGPU-only request", async () => {
    await expect(loadWithFallback([], async () => 1)).rejects.toThrow(
      /device "auto"/,
    );
  });
});

describe("WebGPU session options", () => {
  it("run the export's attention nodes on the CPU kernel where subgroups are narrower than 8", () => {
    expect(
      webGpuSessionOptions({ available: true, subgroupMinSize: 4 }, 3),
    ).toEqual({
      executionProviders: [
        {
          name: "webgpu",
          forceCpuNodeNames: [
            "/model/layers.0/attn/GroupQueryAttention",
            "/model/layers.1/attn/GroupQueryAttention",
            "/model/layers.2/attn/GroupQueryAttention",
          ],
        },
      ],
    });
  });
  it("are ONNX Runtime's defaults on 8-wide or wider subgroups, or when the size or layers are unknown", () => {
    expect(
      webGpuSessionOptions({ available: true, subgroupMinSize: 8 }, 3),
    ).toBeUndefined();
    expect(webGpuSessionOptions({ available: true }, 3)).toBeUndefined();
    expect(
      webGpuSessionOptions({ available: true, subgroupMinSize: 4 }, 0),
    ).toBeUndefined();
  });
});
