package dev.edgellm.validate;

import dev.edgellm.maven.Properties;
import dev.edgellm.onnx.NodeBuilder;
import java.util.Map;

/**
 * The ops onnxruntime-web's WASM backend has no kernel for, although onnxruntime's native CPU
 * provider (which {@code run.greedy} uses) has one: a model with such a node does not load on the
 * WASM backend ("Could not find an implementation for OP(1) node"), which the app uses in browsers
 * without WebGPU.
 *
 * <p>Measured ({@code bench/wasm-ops}), not read from a list: every graph the plugin writes (fp32,
 * q4 with keep none/auto/lm_head, q4 with a float32 embedding, q4 with every weight at 8 bits,
 * q4f16 with the shared and the float32 embedding, and quantize with and without embeddings) of
 * every tiny fixture, run on {@link #MEASURED_ON} in Node, a prefill and a decode step, against
 * onnxruntime-node's CPU. All ran, with logits within 1.3e-5 of the CPU's (3.9e-3 for q4f16),
 * except those with a GatherBlockQuantized: uint8 data at bits 4 and 8 (the shared lm_head), int4
 * data ({@code quantize} with embeddings), float32 and float16 scales. The same version's plain
 * WASM build ({@code ort-wasm-simd-threaded.wasm}) and JSEP build do run GatherBlockQuantized, and
 * onnxruntime's CPU contrib registry ({@code contrib_ops/cpu/cpu_contrib_kernels.cc}) registers it
 * for uint8, UInt4x2 and Int4x2 data without a build condition: only the WebGPU build's CPU
 * provider (the asyncify build that Transformers.js and the app load) lacks it, also in
 * onnxruntime-web 1.30.0.
 *
 * <p>One-node models of ops the plugin might write ran as well: com.microsoft RotaryEmbedding, ONNX
 * RotaryEmbedding (opset 23) and Gelu (opset 21), float and float16. Other ops were not measured; a
 * model staged from elsewhere may use an op that build lacks without this table knowing it.
 */
public final class WasmKernels {
  private WasmKernels() {}

  /** The onnxruntime-web build the table was measured on. */
  public static final String MEASURED_ON =
      "onnxruntime-web 1.31.0-dev.20260914-8d85527a0 (ort-wasm-simd-threaded.asyncify.wasm,"
          + " the build Transformers.js 4.3.1 and the app load)";

  /** Missing op (domain::op) to the fix for a model that has it. */
  private static final Map<String, String> MISSING =
      Map.of(
          key(NodeBuilder.MS_DOMAIN, "GatherBlockQuantized"),
          "Keep the token embedding a float32 Gather: export with -D"
              + Properties.EXPORT_EMBEDDINGS
              + "=fp32 (the lm_head stays 4-bit), or export fp32 and quantize without "
              + Properties.QUANTIZE_EMBEDDINGS);

  private static String key(String domain, String op) {
    return WebGpuKernels.normalizeDomain(domain) + "::" + op;
  }

  /** True unless the WASM backend is known to lack {@code op} of {@code domain}. */
  public static boolean supports(String domain, String op) {
    return !MISSING.containsKey(key(domain, op));
  }

  /** How to export without {@code op}, or null when the WASM backend has it. */
  public static String fix(String domain, String op) {
    return MISSING.get(key(domain, op));
  }
}
