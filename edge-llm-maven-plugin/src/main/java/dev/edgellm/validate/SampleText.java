package dev.edgellm.validate;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/**
 * Token ids of a fixed English sample for the real run and the quality gate, derived without a full
 * tokenizer (the plugin has no Java tokenizer dependency).
 *
 * <p>The choice: the sample text is written in the tokenizer's own alphabet (GPT-2 byte-to-unicode
 * characters for byte-level BPE, {@code ▁} for spaces in SentencePiece-style vocabularies) and cut
 * greedily into the longest vocabulary entries, left to right; characters no entry covers become
 * {@code <0xNN>} byte tokens where the vocabulary has them and are dropped otherwise. The BOS token
 * the tokenizer's post-processor (or {@code add_bos_token}) adds comes first. For BPE this is not
 * always the segmentation the merges would give, but every id is a real token of natural text,
 * which is what a forward pass and a comparison of two models over the same ids need (for the
 * fixtures' prompts it reproduces transformers' ids exactly: see SampleTextTest). When fewer than 8
 * ids come out (an unusual vocabulary), a deterministic spread of ids over the vocabulary is used.
 */
public final class SampleText {
  private SampleText() {}

  /**
   * The sample: a short story in plain English, the register small chat and story models are
   * trained on.
   */
  public static final String TEXT =
      "Once upon a time, there was a little girl named Lily. She liked to play in the park with her friend Tom."
          + " One day, they found a big red ball under a tree. \"Can we keep it?\" Lily asked. Tom smiled and said,"
          + " \"Let's share it!\" They played all day and went home happy."
          + " The next morning, the sun was bright and the sky was blue. Lily's mom made pancakes for breakfast."
          + " \"Thank you, Mom!\" said Lily. After breakfast, she put on her shoes and ran outside to find Tom."
          + " Tom was sitting on the grass with his dog, Max. Max wagged his tail and barked at the ball."
          + " The three friends ran to the pond to look at the ducks. A small duck was lost and could not find"
          + " its mother. Lily was sad for the little duck. \"We can help,\" said Tom. They walked along the water"
          + " and looked everywhere. At last they saw the mother duck near the big rock. The little duck swam to her"
          + " and quacked with joy. Lily and Tom were very proud. They learned that helping others makes everyone happy.";

  /**
   * At most this many ids (BOS included): enough positions that one token moves the agreement by
   * well under 1%.
   */
  public static final int MAX_IDS = 256;

  /** Ids of {@link #TEXT}, BOS first when the tokenizer adds one, at most {@code max} ids. */
  public static long[] ids(
      Vocabulary vocabulary, JsonNode tokenizer, JsonNode tokenizerConfig, int max) {
    long[] ids = ids(TEXT, vocabulary, tokenizer, tokenizerConfig, max);
    return ids.length < 8 ? spread(vocabulary, max) : ids;
  }

  /** Ids of {@code text} as described in the class comment (no fallback). */
  public static long[] ids(
      String text, Vocabulary vocabulary, JsonNode tokenizer, JsonNode tokenizerConfig, int max) {
    List<Long> ids = new ArrayList<>();
    for (int id : prefixIds(vocabulary, tokenizer, tokenizerConfig)) {
      ids.add((long) id);
    }
    String alphabet = toAlphabet(text, vocabulary);
    int i = 0;
    while (i < alphabet.length() && ids.size() < max) {
      int end = Math.min(alphabet.length(), i + vocabulary.maxTokenLength());
      boolean matched = false;
      for (; end > i; end--) {
        OptionalInt id = vocabulary.id(alphabet.substring(i, end));
        if (id.isPresent()) {
          ids.add((long) id.getAsInt());
          i = end;
          matched = true;
          break;
        }
      }
      if (!matched) {
        int cp = alphabet.codePointAt(i);
        for (byte b : new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8)) {
          OptionalInt id = vocabulary.id(String.format("<0x%02X>", b & 0xff));
          if (id.isPresent() && ids.size() < max) {
            ids.add((long) id.getAsInt());
          }
        }
        i += Character.charCount(cp);
      }
    }
    return ids.stream().mapToLong(Long::longValue).toArray();
  }

  private static List<Integer> prefixIds(
      Vocabulary vocabulary, JsonNode tokenizer, JsonNode tokenizerConfig) {
    List<Integer> prefix = new ArrayList<>();
    JsonNode post = tokenizer.path("post_processor");
    JsonNode template = findTemplate(post);
    if (template != null) {
      for (JsonNode piece : template.path("single")) {
        if (piece.has("Sequence")) {
          break;
        }
        String special = piece.path("SpecialToken").path("id").asText(null);
        if (special != null) {
          JsonNode known = template.path("special_tokens").path(special).path("ids");
          if (known.isArray() && !known.isEmpty()) {
            known.forEach(n -> prefix.add(n.asInt()));
          } else {
            vocabulary.id(special).ifPresent(prefix::add);
          }
        }
      }
      return prefix;
    }
    if (tokenizerConfig != null && tokenizerConfig.path("add_bos_token").asBoolean(false)) {
      String bos = tokenText(tokenizerConfig.get("bos_token"));
      if (bos != null) {
        vocabulary.id(bos).ifPresent(prefix::add);
      }
    }
    return prefix;
  }

  private static JsonNode findTemplate(JsonNode post) {
    if ("TemplateProcessing".equals(post.path("type").asText())) {
      return post;
    }
    for (JsonNode p : post.path("processors")) {
      JsonNode t = findTemplate(p);
      if (t != null) {
        return t;
      }
    }
    return null;
  }

  /** A special token's text: tokenizer_config.json writes it as a string or as {"content": ...}. */
  static String tokenText(JsonNode node) {
    if (node == null || node.isNull()) {
      return null;
    }
    if (node.isTextual()) {
      return node.asText();
    }
    return node.hasNonNull("content") ? node.get("content").asText() : null;
  }

  private static String toAlphabet(String text, Vocabulary vocabulary) {
    return switch (vocabulary.style()) {
      case BYTE_LEVEL -> byteLevel(text);
      case METASPACE -> (vocabulary.prependsSpace() ? "\u2581" : "") + text.replace(' ', '\u2581');
      case PLAIN -> text;
    };
  }

  /**
   * GPT-2's reversible byte-to-unicode mapping: printable bytes stay, the others move to U+0100 and
   * up.
   */
  static String byteLevel(String text) {
    char[] table = new char[256];
    int next = 0;
    for (int b = 0; b < 256; b++) {
      boolean printable =
          (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
      table[b] = printable ? (char) b : (char) (256 + next++);
    }
    StringBuilder out = new StringBuilder();
    for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
      out.append(table[b & 0xff]);
    }
    return out.toString();
  }

  private static long[] spread(Vocabulary vocabulary, int max) {
    int n = Math.min(max, Math.max(8, Math.min(32, vocabulary.size())));
    long[] ids = new long[n];
    for (int i = 0; i < n; i++) {
      ids[i] = (long) ((i * 7919L + 13) % vocabulary.size());
    }
    return ids;
  }
}
