import type { WebGpuProbe } from "./device";
import type { Device } from "./types";

/*
 * Which ONNX variant to load where. A model staged with `edgellm.stage.variants=q4f16,q4` has
 * onnx/model_q4f16.onnx (float16 activations and KV cache: half the activation traffic, but its
 * shaders need the adapter's `shader-f16` feature) and onnx/model_q4.onnx (float32 activations,
 * runs everywhere). edge-llm.json lists them under `variants`.
 */

/** The variant to load on one device, and why it is the fallback when it is. */
export interface VariantChoice {
  /** The dtype to pass to Transformers.js; undefined lets the model's config.json decide. */
  dtype?: string;
  /** Why q4f16 was not taken although the model has it, e.g. "no shader-f16". */
  reason?: string;
}

/** The dtypes a staged model offers: edge-llm.json's `variants` (empty when it has none). */
export function stagedVariants(
  manifest: Record<string, unknown> | null | undefined,
): string[] {
  const list = manifest?.["variants"];
  if (!Array.isArray(list)) return [];
  return list
    .map((v: unknown) =>
      typeof v === "string" ? v : (v as { dtype?: unknown } | null)?.dtype,
    )
    .filter((d): d is string => typeof d === "string");
}

/**
 * The variant for `device`: an explicit `configured` dtype always wins; a model with q4f16 and q4
 * gets q4f16 on WebGPU when the adapter has `shader-f16`, and q4 on WebGPU without it and on WASM;
 * any other model gets no dtype (its config.json decides).
 */
export function chooseVariant(
  device: Device,
  probe: WebGpuProbe,
  variants: string[],
  configured?: string,
): VariantChoice {
  if (configured) return { dtype: configured };
  if (!variants.includes("q4f16") || !variants.includes("q4")) return {};
  if (device !== "webgpu") return { dtype: "q4" };
  return probe.shaderF16
    ? { dtype: "q4f16" }
    : { dtype: "q4", reason: "no shader-f16" };
}

/**
 * The device badge: "WebGPU" or "WASM", followed by the variant when the model offers several,
 * e.g. "WebGPU · q4f16", "WebGPU · q4 (no shader-f16)", "WASM · q4".
 */
export function deviceLabel(
  device: Device,
  variant?: string,
  reason?: string,
): string {
  const name = device === "webgpu" ? "WebGPU" : "WASM";
  if (!variant) return name;
  return `${name} · ${variant}${reason ? ` (${reason})` : ""}`;
}
