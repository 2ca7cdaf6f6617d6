package dev.edgellm.graph;

/**
 * What distinguishes one decoder architecture from another, as the graph builder needs it. Each
 * architecture class in {@code dev.edgellm.graph.arch} turns a config into one of these; the
 * builder has no model-type switches.
 *
 * @param embeddingScale factor applied to the token embeddings (1 = none)
 * @param normAddsOne RMSNorm multiplies by {@code (1 + w)} instead of {@code w} (folded into the
 *     weight)
 * @param preAttnNorm per-layer norm before attention, e.g. {@code input_layernorm}
 * @param postAttnNorm norm of the attention output before the residual add, or null
 * @param preFfnNorm norm before the MLP, e.g. {@code post_attention_layernorm} (llama naming)
 * @param postFfnNorm norm of the MLP output before the residual add, or null
 * @param qkNorm per-head RMSNorm of queries and keys ({@code q_norm}/{@code k_norm})
 * @param qkvBias q/k/v projections have biases
 * @param oBias the output projection has a bias
 * @param mlpBias the MLP projections have biases
 * @param activation the MLP activation
 * @param attentionScale softmax scale of attention scores
 * @param attnSoftcap attention logit soft-capping, or 0
 * @param finalSoftcap final logit soft-capping, or 0
 */
public record DecoderSpec(
    float embeddingScale,
    boolean normAddsOne,
    String preAttnNorm,
    String postAttnNorm,
    String preFfnNorm,
    String postFfnNorm,
    boolean qkNorm,
    boolean qkvBias,
    boolean oBias,
    boolean mlpBias,
    Activation activation,
    float attentionScale,
    float attnSoftcap,
    float finalSoftcap) {}
