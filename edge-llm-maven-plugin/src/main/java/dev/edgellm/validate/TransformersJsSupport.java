package dev.edgellm.validate;

import java.util.Set;

/**
 * What Transformers.js 4.x (read from {@code @huggingface/transformers} 4.3.1) can load as a causal
 * language model: the {@code model_type}s of its {@code MODEL_FOR_CAUSAL_LM_MAPPING_NAMES}, and the
 * inputs its decoder loop feeds.
 */
public final class TransformersJsSupport {
  private TransformersJsSupport() {}

  /** model_type values {@code AutoModelForCausalLM} maps to a class in Transformers.js 4.3. */
  public static final Set<String> CAUSAL_LM_MODEL_TYPES =
      Set.of(
          "bloom",
          "gpt2",
          "gpt_oss",
          "jais",
          "gptj",
          "gpt_bigcode",
          "gpt_neo",
          "gpt_neox",
          "codegen",
          "llama",
          "nanochat",
          "apertus",
          "llama4_text",
          "arcee",
          "afmoe",
          "lfm2",
          "lfm2_moe",
          "smollm3",
          "exaone",
          "olmo",
          "olmo2",
          "olmo3",
          "olmo_hybrid",
          "mobilellm",
          "granite",
          "granitemoehybrid",
          "cohere",
          "cohere2",
          "gemma",
          "gemma2",
          "vaultgemma",
          "gemma3_text",
          "gemma3",
          "helium",
          "glm",
          "glm_moe_dsa",
          "openelm",
          "qwen2",
          "qwen2_moe",
          "qwen3",
          "qwen3_moe",
          "qwen3_next",
          "qwen2_vl",
          "qwen2_5_vl",
          "qwen3_vl",
          "qwen3_vl_moe",
          "qwen3_5",
          "qwen3_5_text",
          "qwen3_5_moe",
          "gemma3n",
          "gemma4",
          "phi",
          "phi3",
          "mpt",
          "opt",
          "mbart",
          "mistral",
          "mistral4",
          "ministral",
          "ministral3",
          "ernie4_5",
          "starcoder2",
          "deepseek_v3",
          "deepseek_v4",
          "falcon",
          "falcon_h1",
          "nemotron_h",
          "trocr",
          "solar_open",
          "stablelm",
          "modernbert-decoder",
          "hunyuan_v1_dense",
          "youtu",
          "zaya",
          "hrm_text",
          "phi3_v");

  /**
   * Model types whose cache Transformers.js names {@code past_key_values.N.key/value} for every
   * layer (no hybrid Mamba/conv caches, no shared-KV layers): the ones contract.io can check.
   */
  public static final Set<String> STANDARD_KV_CACHE =
      Set.of(
          "llama",
          "nanochat",
          "apertus",
          "arcee",
          "smollm3",
          "olmo",
          "olmo2",
          "olmo3",
          "mobilellm",
          "granite",
          "cohere",
          "cohere2",
          "mistral",
          "starcoder2",
          "qwen2",
          "qwen2_moe",
          "qwen3",
          "qwen3_moe",
          "phi",
          "phi3",
          "gemma",
          "gemma2",
          "vaultgemma",
          "gemma3_text",
          "glm",
          "helium",
          "ernie4_5",
          "hunyuan_v1_dense",
          "ministral",
          "ministral3",
          "solar_open",
          "exaone",
          "gpt_neox",
          "stablelm",
          "opt",
          "falcon",
          "modernbert-decoder",
          "gpt_oss",
          "llama4_text",
          "afmoe");

  /**
   * Inputs Transformers.js feeds a decoder besides the cache; any other input is missing at run
   * time.
   */
  public static final Set<String> FED_INPUTS =
      Set.of(
          "input_ids", "attention_mask", "position_ids", "num_logits_to_keep", "use_cache_branch");
}
