package dev.edgellm.validate;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * {@code contract.model-type}: config.json's model_type is one Transformers.js 4.x loads as a
 * causal LM.
 */
final class ModelTypeCheck implements Check {
  @Override
  public String id() {
    return "contract.model-type";
  }

  @Override
  public String title() {
    return "model_type is supported by Transformers.js 4.x";
  }

  @Override
  public void run(ValidationContext ctx, Findings out) throws SkipCheck {
    ObjectNode config = ctx.json("config.json");
    String type = config.path("model_type").asText("");
    out.detail("modelType", type);
    if (type.isEmpty()) {
      out.error(
          "config.json",
          "config.json has no model_type: Transformers.js cannot choose a model class",
          "Copy config.json from the base model");
    } else if (!TransformersJsSupport.CAUSAL_LM_MODEL_TYPES.contains(type)) {
      out.error(
          "config.json",
          "model_type '"
              + type
              + "' is not one Transformers.js 4.x loads with AutoModelForCausalLM",
          "Pick a checkpoint of a supported architecture (llama, qwen3, gemma3_text, ...)");
    } else if (!TransformersJsSupport.STANDARD_KV_CACHE.contains(type)) {
      out.warn(
          "config.json",
          "model_type '" + type + "' uses a cache layout this validation does not check",
          "Test the model in the browser");
    }
  }
}
