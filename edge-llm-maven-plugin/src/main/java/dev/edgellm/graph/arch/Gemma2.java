package dev.edgellm.graph.arch;

import dev.edgellm.checkpoint.ModelConfig;
import dev.edgellm.graph.DecoderSpec;
import dev.edgellm.graph.Fp16Policy;

/**
 * Gemma 2: embeddings scaled by sqrt(hidden), {@code (1 + w)} RMSNorm, four norms per layer,
 * attention scaled by {@code query_pre_attn_scalar^-0.5}, GELU (tanh), attention and final logit
 * soft-capping, sliding and full layers alternating.
 */
public final class Gemma2 implements Architecture {
  @Override
  public String modelType() {
    return "gemma2";
  }

  @Override
  public DecoderSpec spec(ModelConfig c) {
    return gemma(c).layerTypes(Architectures.slidingPattern(c, 2)).build();
  }

  /** What Gemma 2 and 3 share. */
  static DecoderSpec.Builder gemma(ModelConfig c) {
    Double scalar = c.positiveNumber("query_pre_attn_scalar");
    return DecoderSpec.builder(c)
        .embeddingScale((float) Math.sqrt(c.hiddenSize()))
        .normAddsOne()
        .norms(
            "input_layernorm",
            "post_attention_layernorm",
            "pre_feedforward_layernorm",
            "post_feedforward_layernorm")
        .biases(c.attentionBias(), c.attentionBias(), false)
        .activation("gelu_pytorch_tanh")
        .attentionScale(DecoderSpec.Builder.invSqrt(scalar != null ? scalar : c.headDim()))
        .softcaps(
            c.positiveNumber("attn_logit_softcapping"),
            c.positiveNumber("final_logit_softcapping"));
  }

  /**
   * Gemma's residual stream grows past float16's range (onnxruntime issue 26732: Gemma 3 270M q4f16
   * gives garbage on WebGPU), so its norms and residual stay float32.
   */
  @Override
  public Fp16Policy fp16Policy() {
    return Fp16Policy.FP32_NORMS_AND_RESIDUAL;
  }
}
