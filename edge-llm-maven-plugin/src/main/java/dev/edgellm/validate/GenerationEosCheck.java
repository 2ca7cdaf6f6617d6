package dev.edgellm.validate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/**
 * {@code generation.eos}: generation_config.json's eos_token_id (one id or a list; config.json's
 * when absent) are tokens of the vocabulary, so generation can stop; bos_token_id too.
 */
final class GenerationEosCheck implements Check {
  @Override
  public String id() {
    return "generation.eos";
  }

  @Override
  public String title() {
    return "generation_config's eos ids are in the vocabulary";
  }

  @Override
  public void run(ValidationContext ctx, Findings out) throws SkipCheck {
    Vocabulary vocab = ctx.vocabulary();
    ObjectNode generation = ctx.json("generation_config.json");
    ObjectNode config = ctx.json("config.json");
    JsonNode eos = generation.get("eos_token_id");
    String source = "generation_config.json";
    if (eos == null || eos.isNull()) {
      eos = config.get("eos_token_id");
      source = "config.json";
    }
    List<Integer> eosIds = ids(eos);
    if (eosIds.isEmpty()) {
      out.warn(
          "generation_config.json",
          "No eos_token_id in generation_config.json or config.json: generation stops only at max_new_tokens",
          "Add eos_token_id to generation_config.json");
      return;
    }
    out.detail("eosTokenIds", eosIds);
    List<String> names = new ArrayList<>();
    for (int id : eosIds) {
      String token = vocab.token(id);
      if (id < 0 || token == null) {
        out.error(
            source,
            "eos_token_id "
                + id
                + " is not a token of tokenizer.json (size "
                + vocab.size()
                + "): generation never stops",
            "Set eos_token_id to the tokenizer's end token (copy generation_config.json from the base model)");
      } else {
        names.add(token);
      }
    }
    out.detail("eosTokens", names);
    for (int id :
        ids(
            generation.has("bos_token_id")
                ? generation.get("bos_token_id")
                : config.get("bos_token_id"))) {
      if (vocab.token(id) == null) {
        out.error(
            source,
            "bos_token_id " + id + " is not a token of tokenizer.json",
            "Copy generation_config.json from the base model");
      }
    }
    String eosToken = SampleText.tokenText(ctx.json("tokenizer_config.json").get("eos_token"));
    if (eosToken != null) {
      OptionalInt id = vocab.id(eosToken);
      if (id.isPresent() && !eosIds.contains(id.getAsInt())) {
        out.warn(
            source,
            "The tokenizer's eos_token '"
                + eosToken
                + "' (id "
                + id.getAsInt()
                + ") is not among the eos ids "
                + eosIds
                + ": generation does not stop at it",
            "Add " + id.getAsInt() + " to eos_token_id in generation_config.json");
      }
    }
  }

  static List<Integer> ids(JsonNode node) {
    List<Integer> ids = new ArrayList<>();
    if (node == null || node.isNull()) {
      return ids;
    }
    if (node.isIntegralNumber()) {
      ids.add(node.asInt());
    } else if (node.isArray()) {
      node.forEach(
          n -> {
            if (n.isIntegralNumber()) {
              ids.add(n.asInt());
            }
          });
    }
    return ids;
  }
}
