package dev.edgellm.validate;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The sizes config.json promises, which the ONNX model's inputs and outputs must match: layer
 * count, KV heads, head size and vocabulary. Reads both the transformers 5 and the older v4 config
 * keys ({@code head_dim} absent means {@code hidden_size / num_attention_heads}).
 */
public record ModelDims(
    String modelType, int layers, int attentionHeads, int kvHeads, int headDim, int vocabSize) {

  /** Reads the dims; throws {@link IllegalArgumentException} naming the missing key. */
  public static ModelDims of(JsonNode config) {
    JsonNode c =
        config.has("text_config") && !config.has("num_hidden_layers")
            ? config.get("text_config")
            : config;
    String type = config.path("model_type").asText("");
    int layers = required(c, "num_hidden_layers", "n_layer", "num_layers");
    int heads = required(c, "num_attention_heads", "n_head", "num_heads");
    int kv = optional(c, heads, "num_key_value_heads", "num_kv_heads");
    int hidden = optional(c, -1, "hidden_size", "n_embd", "d_model");
    int headDim = optional(c, -1, "head_dim");
    if (headDim <= 0) {
      if (hidden <= 0) {
        throw new IllegalArgumentException("config.json has neither head_dim nor hidden_size");
      }
      headDim = hidden / heads;
    }
    int vocab = required(c, "vocab_size");
    return new ModelDims(type, layers, heads, kv, headDim, vocab);
  }

  private static int required(JsonNode c, String... keys) {
    int v = optional(c, Integer.MIN_VALUE, keys);
    if (v == Integer.MIN_VALUE) {
      throw new IllegalArgumentException("config.json has no " + keys[0]);
    }
    return v;
  }

  private static int optional(JsonNode c, int fallback, String... keys) {
    for (String k : keys) {
      JsonNode v = c.get(k);
      if (v != null && v.isIntegralNumber()) {
        return v.asInt();
      }
    }
    return fallback;
  }
}
