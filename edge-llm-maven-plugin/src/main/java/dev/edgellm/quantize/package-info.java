/**
 * 4-bit block quantization, bit-exact with onnxruntime 1.30's {@code MatMulNBitsQuantizer}.
 *
 * <h2>The kernel, for the export stage</h2>
 *
 * <pre>{@code
 * // a Hugging Face Linear weight, [out, in] = [N, K], fp32/fp16/bf16 little-endian bytes
 * WeightSource w = WeightSource.of(bytes, TensorProto.DataType.BFLOAT16_VALUE, n, k);
 * MatMulNBitsWeight q = BlockQuantizer.quantizeNxK(w, 32, true, true);
 * graph.addAllInitializer(q.initializers("model.layers.0.mlp.up_proj.weight"));
 * graph.addNode(q.node("up_proj_Q4", "hidden", "up", "model.layers.0.mlp.up_proj.weight", 0));
 * // model opset imports must include com.microsoft version 1
 * }</pre>
 *
 * {@link dev.edgellm.quantize.BlockQuantizer#quantizeKxN} takes the same matrix as ONNX stores a
 * MatMul's B ({@code [K, N]}) and gives the same bytes. {@link
 * dev.edgellm.quantize.BlockQuantizer#quantizeTable} quantizes an embedding ({@code [vocab,
 * hidden]}) for {@code GatherBlockQuantized} (INT4, opset 21). For tied embeddings, one weight can
 * serve both the lm_head and the embedding lookup: see {@link
 * dev.edgellm.quantize.MatMulNBitsWeight#gatherNode}.
 *
 * <h2>The stage</h2>
 *
 * {@link dev.edgellm.quantize.ModelQuantizer#run} (the goal's runner: checks, up-to-date check,
 * reading and writing) reads a model and writes one file; {@link
 * dev.edgellm.quantize.QuantizationPass#apply} does the work in memory: it replaces MatMuls (and
 * optionally Gathers) over 2-D fp32/fp16 initializers by the nodes of their {@link
 * dev.edgellm.quantize.QuantizedWeight}s, which also own the {@code _Q4} naming rule. The node
 * order onnxruntime writes is {@link dev.edgellm.onnx.NodeOrder#onnxruntimeOrder}.
 */
package dev.edgellm.quantize;
