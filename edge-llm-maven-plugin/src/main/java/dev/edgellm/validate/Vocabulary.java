package dev.edgellm.validate;

import com.fasterxml.jackson.databind.JsonNode;
import dev.edgellm.chat.TokenizerJson;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.OptionalInt;

/**
 * The token table of a {@code tokenizer.json} (BPE, Unigram, WordPiece or WordLevel model plus its
 * added tokens), and how the tokenizer writes spaces: byte-level ({@code Ġ}), metaspace ({@code ▁})
 * or plain. Enough to look tokens up and to derive sample ids; not a tokenizer.
 */
public final class Vocabulary {
  /** How a tokenizer represents text in its vocabulary. */
  public enum Style {
    /** GPT-2 style: every byte mapped to a printable character, a space is {@code Ġ}. */
    BYTE_LEVEL,
    /**
     * SentencePiece style: a space is {@code ▁}, often prepended; may fall back to {@code <0xNN>}
     * byte tokens.
     */
    METASPACE,
    /** Words as they are (WordPiece, WordLevel). */
    PLAIN
  }

  private final String modelType;
  private final Map<String, Integer> ids;
  private final Map<Integer, String> tokens;
  private final int size;
  private final int added;
  private final Style style;
  private final boolean prependSpace;
  private final int maxTokenLength;

  private Vocabulary(
      String modelType,
      Map<String, Integer> ids,
      Map<Integer, String> tokens,
      int added,
      Style style,
      boolean prependSpace) {
    this.modelType = modelType;
    this.ids = ids;
    this.tokens = tokens;
    this.added = added;
    this.style = style;
    this.prependSpace = prependSpace;
    int max = -1;
    int longest = 1;
    for (Map.Entry<Integer, String> e : tokens.entrySet()) {
      max = Math.max(max, e.getKey());
      longest = Math.max(longest, e.getValue().length());
    }
    this.size = max + 1;
    this.maxTokenLength = Math.min(longest, 64);
  }

  /** Reads the table; throws {@link IllegalArgumentException} saying what is missing. */
  public static Vocabulary of(JsonNode tokenizer) {
    JsonNode model = tokenizer.path("model");
    if (!model.isObject()) {
      throw new IllegalArgumentException("tokenizer.json has no \"model\" object");
    }
    String type = model.path("type").asText("");
    JsonNode vocab = model.get("vocab");
    if (type.isEmpty()) {
      type =
          vocab != null && vocab.isArray() ? "Unigram" : model.has("merges") ? "BPE" : "WordPiece";
    }
    Map<String, Integer> ids = new HashMap<>();
    Map<Integer, String> tokens = new HashMap<>();
    if (vocab == null || vocab.isEmpty()) {
      throw new IllegalArgumentException(
          "tokenizer.json's model (" + type + ") has an empty vocab");
    }
    switch (type) {
      case "BPE", "WordPiece", "WordLevel" -> {
        if (!vocab.isObject()) {
          throw new IllegalArgumentException(
              "tokenizer.json's " + type + " vocab is not a token -> id object");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = vocab.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> e = it.next();
          if (!e.getValue().isIntegralNumber() || e.getValue().asInt() < 0) {
            throw new IllegalArgumentException(
                "token '" + e.getKey() + "' has no valid id in tokenizer.json");
          }
          put(ids, tokens, e.getKey(), e.getValue().asInt());
        }
      }
      case "Unigram" -> {
        if (!vocab.isArray()) {
          throw new IllegalArgumentException(
              "tokenizer.json's Unigram vocab is not a list of [piece, score]");
        }
        for (int i = 0; i < vocab.size(); i++) {
          put(ids, tokens, vocab.get(i).path(0).asText(), i);
        }
      }
      default ->
          throw new IllegalArgumentException(
              "tokenizer.json has an unknown model type '" + type + "'");
    }
    int added = 0;
    for (JsonNode t : tokenizer.path("added_tokens")) {
      if (t.hasNonNull("content") && t.path("id").isIntegralNumber()) {
        put(ids, tokens, t.get("content").asText(), t.get("id").asInt());
        added++;
      }
    }
    Style style = Style.PLAIN;
    if (TokenizerJson.mentions(tokenizer.path("pre_tokenizer"), "ByteLevel")
        || TokenizerJson.mentions(tokenizer.path("decoder"), "ByteLevel")) {
      style = Style.BYTE_LEVEL;
    } else if (TokenizerJson.mentions(tokenizer.path("pre_tokenizer"), "Metaspace")
        || TokenizerJson.mentions(tokenizer.path("decoder"), "Metaspace")
        || tokenizer.path("normalizer").toString().contains("\u2581")) {
      style = Style.METASPACE;
    }
    boolean prepend =
        style == Style.METASPACE
            && (TokenizerJson.mentions(tokenizer.path("normalizer"), "Prepend")
                || !"never"
                    .equals(findText(tokenizer.path("pre_tokenizer"), "prepend_scheme", "always")));
    return new Vocabulary(type, ids, tokens, added, style, prepend);
  }

  private static void put(
      Map<String, Integer> ids, Map<Integer, String> tokens, String token, int id) {
    ids.putIfAbsent(token, id);
    tokens.putIfAbsent(id, token);
  }

  private static String findText(JsonNode node, String key, String fallback) {
    if (node == null || !node.isContainerNode()) {
      return fallback;
    }
    if (node.has(key)) {
      return node.get(key).asText(fallback);
    }
    for (JsonNode child : node) {
      String v = findText(child, key, null);
      if (v != null) {
        return v;
      }
    }
    return fallback;
  }

  /** The model type: BPE, Unigram, WordPiece or WordLevel. */
  public String modelType() {
    return modelType;
  }

  /** Highest id + 1: the rows of the embedding table this tokenizer can address. */
  public int size() {
    return size;
  }

  /** Entries in {@code added_tokens}. */
  public int addedTokens() {
    return added;
  }

  public Style style() {
    return style;
  }

  /** True when a metaspace tokenizer prepends {@code ▁} to the text. */
  public boolean prependsSpace() {
    return prependSpace;
  }

  /** Longest token in characters (capped at 64), for greedy matching. */
  public int maxTokenLength() {
    return maxTokenLength;
  }

  public OptionalInt id(String token) {
    Integer id = ids.get(token);
    return id == null ? OptionalInt.empty() : OptionalInt.of(id);
  }

  /** The token with this id, or {@code null}. */
  public String token(int id) {
    return tokens.get(id);
  }

  public boolean contains(String token) {
    return ids.containsKey(token);
  }
}
