import { describe, expect, it } from "vitest";
import { missingKernel, wasmKernelMessage } from "./kernels";

// What onnxruntime-web 1.31.0-dev.20260914-8d85527a0's WASM backend (the asyncify build
// Transformers.js 4.3.1 loads) answers for a q4 export's shared 4-bit embedding, as measured in
// bench/wasm-ops: the float32 graph and the float16 graph word it differently.
const FP32_GRAPH =
  "Can't create a session. ERROR_CODE: 9, ERROR_MESSAGE: Could not find an implementation for GatherBlockQuantized(1) node with name '/model/embed_tokens/Gather_Q4'";
const FP16_GRAPH =
  "Can't create a session. ERROR_CODE: 9, ERROR_MESSAGE: Failed to find kernel for com.microsoft.GatherBlockQuantized(1) (node:'/model/embed_tokens/Gather_Q4' ep:'CPUExecutionProvider'). Kernel not found";

describe("missingKernel", () => {
  it("reads the op and the node from both of ONNX Runtime's messages", () => {
    const expected = {
      op: "GatherBlockQuantized",
      node: "/model/embed_tokens/Gather_Q4",
    };
    expect(missingKernel(FP32_GRAPH)).toEqual(expected);
    expect(missingKernel(FP16_GRAPH)).toEqual(expected);
    expect(
      missingKernel(
        "Could not find an implementation for Mod(13) node with name ''",
      ),
    ).toEqual({ op: "Mod" });
  });

  it("ignores every other error", () => {
    expect(missingKernel("Protobuf parsing failed.")).toBeNull();
    expect(
      missingKernel(
        "failed to call OrtRun(). ERROR_CODE: 2, ERROR_MESSAGE: Non-zero status code returned while running GatherBlockQuantized node.",
      ),
    ).toBeNull();
  });
});

describe("wasmKernelMessage", () => {
  it("says the model needs WebGPU, why WebGPU was not used, and the float32-embedding export", () => {
    const message = wasmKernelMessage(
      { op: "GatherBlockQuantized", node: "/model/embed_tokens/Gather_Q4" },
      "this browser has no WebGPU (navigator.gpu is missing)",
    );
    expect(message).toBe(
      "This model needs WebGPU: ONNX Runtime's WASM backend, which this app uses without WebGPU " +
        "(this browser has no WebGPU (navigator.gpu is missing)), has no kernel for " +
        "GatherBlockQuantized (node /model/embed_tokens/Gather_Q4). Open the app in a browser " +
        "with WebGPU, or re-export the model with a float32 embedding: " +
        "-Dedgellm.export.embeddings=fp32, or export fp32 then quantize (this app's mvn package does).",
    );
  });

  it("points other ops to validate's ops.wasm check", () => {
    const message = wasmKernelMessage({ op: "Mod" });
    expect(message).toMatch(
      /^This model needs WebGPU: .* has no kernel for Mod\. /,
    );
    expect(message).toContain("ops.wasm");
    expect(message).not.toContain("embeddings");
  });
});
