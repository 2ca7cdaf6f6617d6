import type { Device } from "./types";

/** The parts of `navigator.gpu` this module needs (so tests can pass a fake). */
export interface GpuLike {
  requestAdapter(options?: {
    powerPreference?: "high-performance" | "low-power";
  }): Promise<AdapterLike | null>;
}
export interface AdapterLike {
  requestDevice(): Promise<{ destroy?: () => void }>;
  info?: {
    vendor?: string;
    architecture?: string;
    description?: string;
    subgroupMinSize?: number;
  };
  features?: { has(feature: string): boolean };
}

export interface WebGpuProbe {
  available: boolean;
  /** The adapter, e.g. "google swiftshader" (a CPU implementation) or "nvidia ampere". */
  adapter?: string;
  /** Why WebGPU can't be used, when it can't. */
  reason?: string;
  /** The adapter has `shader-f16` (float16 in shaders), which q4f16 models need. */
  shaderF16?: boolean;
  /** The adapter's smallest subgroup size, where it reports one (SwiftShader: 4). */
  subgroupMinSize?: number;
}

/** Whether this browser gives a WebGPU adapter and a device. */
export async function probeWebGpu(
  gpu: GpuLike | undefined | null,
): Promise<WebGpuProbe> {
  if (!gpu) {
    return {
      available: false,
      reason: "this browser has no WebGPU (navigator.gpu is missing)",
    };
  }
  try {
    const adapter = await gpu.requestAdapter({
      powerPreference: "high-performance",
    });
    if (!adapter) {
      return {
        available: false,
        reason: "no WebGPU adapter (GPU blocked or unsupported)",
      };
    }
    const device = await adapter.requestDevice();
    device.destroy?.();
    const info = adapter.info;
    const name = [info?.vendor, info?.architecture || info?.description]
      .filter(Boolean)
      .join(" ");
    const shaderF16 = adapter.features?.has("shader-f16") ?? false;
    const subgroups =
      typeof info?.subgroupMinSize === "number"
        ? { subgroupMinSize: info.subgroupMinSize }
        : {};
    return name
      ? { available: true, adapter: name, shaderF16, ...subgroups }
      : { available: true, shaderF16, ...subgroups };
  } catch (e) {
    return {
      available: false,
      reason: `WebGPU adapter failed: ${errorMessage(e)}`,
    };
  }
}

/**
 * ONNX Runtime Web's WebGPU attention (1.31.0-dev, the version Transformers.js 4.3.1 loads) is
 * wrong on adapters whose subgroups are narrower than this: its flash-attention prefill, used from
 * 32 prompt tokens on, scores 8 keys a step but loads only as many as a subgroup is wide, so from
 * the 5th token on each row also weighs 4 keys that were never loaded.
 */
export const MIN_SUBGROUP_FOR_WEBGPU_ATTENTION = 8;

/**
 * Session options for a WebGPU session on this adapter, or undefined for ONNX Runtime's defaults.
 * On an adapter with subgroups narrower than {@link MIN_SUBGROUP_FOR_WEBGPU_ATTENTION}
 * (SwiftShader's are 4 wide, as on some older Mali GPUs) the attention nodes of an Edge-LLM export
 * (`/model/layers.<i>/attn/GroupQueryAttention`, one per layer) run on ONNX Runtime's CPU kernel
 * instead, which is exact; everything else stays on the GPU.
 */
export function webGpuSessionOptions(
  probe: WebGpuProbe,
  layers: number,
): { executionProviders: unknown[] } | undefined {
  const narrow =
    probe.subgroupMinSize !== undefined &&
    probe.subgroupMinSize < MIN_SUBGROUP_FOR_WEBGPU_ATTENTION;
  if (!narrow || layers <= 0) return undefined;
  return {
    executionProviders: [
      {
        name: "webgpu",
        forceCpuNodeNames: Array.from(
          { length: layers },
          (_, i) => `/model/layers.${i}/attn/GroupQueryAttention`,
        ),
      },
    ],
  };
}

/** The devices to try, in order, for a preference. */
export function devicesToTry(
  preference: Device | "auto" | undefined,
  probe: WebGpuProbe,
): Device[] {
  if (preference === "wasm") return ["wasm"];
  if (preference === "webgpu") return probe.available ? ["webgpu"] : [];
  return probe.available ? ["webgpu", "wasm"] : ["wasm"];
}

export interface FallbackResult<T> {
  value: T;
  device: Device;
  /** What failed before, one line per device tried in vain. */
  failures: { device: Device; reason: string }[];
}

/**
 * Runs `load` for each device in turn until one succeeds (e.g. a WebGPU session that can't be
 * created falls back to WASM). Throws with every device's reason when none works.
 */
export async function loadWithFallback<T>(
  devices: Device[],
  load: (device: Device) => Promise<T>,
  onFallback?: (from: Device, to: Device, reason: string) => void,
): Promise<FallbackResult<T>> {
  const failures: { device: Device; reason: string }[] = [];
  for (let i = 0; i < devices.length; i++) {
    const device = devices[i];
    try {
      const value = await load(device);
      return { value, device, failures };
    } catch (e) {
      const reason = errorMessage(e);
      failures.push({ device, reason });
      if (i + 1 < devices.length) onFallback?.(device, devices[i + 1], reason);
    }
  }
  if (failures.length === 0) {
    throw new Error(
      'WebGPU was requested (device: "webgpu") but this browser has none; use device "auto".',
    );
  }
  throw new Error(
    "The model could not be loaded on any device: " +
      failures.map((f) => `${f.device}: ${f.reason}`).join("; "),
  );
}

export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message;
  if (typeof e === "string") return e;
  // ONNX Runtime Web sometimes throws plain numbers (a WASM pointer) or objects.
  try {
    return JSON.stringify(e);
  } catch {
    return String(e);
  }
}
