/*
 * A model that loads on WebGPU may use an op that ONNX Runtime Web's WASM backend (this app's
 * fallback without WebGPU) has no kernel for: the build Transformers.js 4.3.1 loads lacks
 * GatherBlockQuantized, the 4-bit embedding `export` writes by default (the plugin's validate
 * goal checks this as `ops.wasm`). ONNX Runtime then refuses the session with a message naming
 * the op and the node; this module turns it into one the user can act on.
 */

/** The op (and node) ONNX Runtime found no kernel for. */
export interface MissingKernel {
  /** The op type, e.g. "GatherBlockQuantized". */
  op: string;
  /** The node's name, e.g. "/model/embed_tokens/Gather_Q4", when the message gives it. */
  node?: string;
}

/** The two forms ONNX Runtime (1.30, 1.31 dev) writes when a session has a node without kernel. */
const PATTERNS = [
  // "Could not find an implementation for GatherBlockQuantized(1) node with name '/model/x'"
  /Could not find an implementation for ([\w.]+)\(\d+\) node with name '([^']*)'/,
  // "Failed to find kernel for com.microsoft.GatherBlockQuantized(1) (node:'/model/x' ep:'...')"
  /Failed to find kernel for ([\w.]+)\(\d+\) \(node:'([^']*)'/,
];

/** The op and node a session error says has no kernel, or null for any other error. */
export function missingKernel(message: string): MissingKernel | null {
  for (const pattern of PATTERNS) {
    const m = pattern.exec(message);
    if (m) {
      const op = m[1].slice(m[1].lastIndexOf(".") + 1);
      return m[2] ? { op, node: m[2] } : { op };
    }
  }
  return null;
}

/**
 * What to tell the user when the WASM backend cannot run the model: that it needs WebGPU (and why
 * this browser did not use WebGPU, when known), or an export without the op.
 */
export function wasmKernelMessage(
  missing: MissingKernel,
  whyNotWebGpu?: string,
): string {
  const where = missing.node ? ` (node ${missing.node})` : "";
  const fix =
    missing.op === "GatherBlockQuantized"
      ? "or re-export the model with a float32 embedding: -Dedgellm.export.embeddings=fp32, or export fp32 then quantize (this app's mvn package does)."
      : "or export the model with ops the WASM backend runs (the plugin's validate goal names them: ops.wasm).";
  return (
    "This model needs WebGPU: ONNX Runtime's WASM backend, which this app uses " +
    `without WebGPU${whyNotWebGpu ? ` (${whyNotWebGpu})` : ""}, has no kernel for ` +
    `${missing.op}${where}. Open the app in a browser with WebGPU, ${fix}`
  );
}
