package dev.edgellm.validate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.OptionalInt;

/**
 * {@code tokenizer.special-tokens}: the special tokens tokenizer_config.json names (bos, eos, pad,
 * unk, ..., additional_special_tokens) exist in tokenizer.json, and config.json's token ids agree.
 */
final class SpecialTokensCheck implements Check {
  private static final List<String> KEYS =
      List.of(
          "bos_token",
          "eos_token",
          "pad_token",
          "unk_token",
          "sep_token",
          "cls_token",
          "mask_token");

  @Override
  public String id() {
    return "tokenizer.special-tokens";
  }

  @Override
  public String title() {
    return "Special tokens exist in the vocabulary";
  }

  @Override
  public void run(ValidationContext ctx, Findings out) throws SkipCheck {
    Vocabulary vocab = ctx.vocabulary();
    ObjectNode tokenizerConfig = ctx.json("tokenizer_config.json");
    ObjectNode config = ctx.json("config.json");
    int found = 0;
    for (String key : KEYS) {
      String token = SampleText.tokenText(tokenizerConfig.get(key));
      if (token == null) {
        continue;
      }
      OptionalInt id = vocab.id(token);
      if (id.isEmpty()) {
        out.error(
            "tokenizer_config.json",
            key + " '" + token + "' is not in tokenizer.json's vocabulary or added tokens",
            "Copy tokenizer.json and tokenizer_config.json together from the same checkpoint");
        continue;
      }
      found++;
      out.detail(key, token + " = " + id.getAsInt());
      String idKey = key + "_id";
      JsonNode configured = config.get(idKey);
      if (configured != null
          && configured.isIntegralNumber()
          && configured.asInt() != id.getAsInt()) {
        out.warn(
            "config.json",
            "config.json's "
                + idKey
                + " is "
                + configured.asInt()
                + " but the tokenizer's "
                + key
                + " '"
                + token
                + "' has id "
                + id.getAsInt(),
            "Make them agree (copy both files from the same checkpoint)");
      }
    }
    for (JsonNode t : tokenizerConfig.path("additional_special_tokens")) {
      String token = SampleText.tokenText(t);
      if (token != null && !vocab.contains(token)) {
        out.error(
            "tokenizer_config.json",
            "additional special token '" + token + "' is not in tokenizer.json",
            "Copy tokenizer.json and tokenizer_config.json together from the same checkpoint");
      }
    }
    if (found == 0) {
      out.warn(
          "tokenizer_config.json",
          "tokenizer_config.json names no special tokens (bos_token, eos_token, ...)",
          "Copy tokenizer_config.json from the base model");
    }
  }
}
