package dev.edgellm.chat;

import com.fasterxml.jackson.databind.JsonNode;

/** Reading the component trees (normalizer, pre-tokenizer, decoder) of a {@code tokenizer.json}. */
public final class TokenizerJson {
  private TokenizerJson() {}

  /** True when this component or one nested in it (a sequence's) has this {@code type}. */
  public static boolean mentions(JsonNode node, String type) {
    if (node == null || node.isMissingNode() || node.isNull()) {
      return false;
    }
    if (type.equals(node.path("type").asText())) {
      return true;
    }
    for (JsonNode child : node) {
      if (child.isContainerNode() && mentions(child, type)) {
        return true;
      }
    }
    return false;
  }
}
