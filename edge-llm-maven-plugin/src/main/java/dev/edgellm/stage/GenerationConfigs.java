package dev.edgellm.stage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.edgellm.util.Json;

/**
 * A generation_config.json for checkpoints that lack one, derived from config.json the way
 * transformers' {@code GenerationConfig.from_model_config} does: the special token ids.
 */
final class GenerationConfigs {
  private GenerationConfigs() {}

  private static final String[] TOKEN_KEYS = {
    "bos_token_id", "eos_token_id", "pad_token_id", "decoder_start_token_id"
  };

  static ObjectNode deriveFrom(JsonNode config) {
    ObjectNode generation = Json.MAPPER.createObjectNode();
    generation.put("_from_model_config", true);
    for (String key : TOKEN_KEYS) {
      JsonNode value = config.get(key);
      if (value != null && !value.isNull()) {
        generation.set(key, value.deepCopy());
      }
    }
    return generation;
  }
}
