package dev.edgellm.chat;

import com.fasterxml.jackson.databind.JsonNode;
import java.text.Normalizer;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code tokenizer.json}'s normalizer: {@code Prepend}, {@code Replace}, {@code NFC}/{@code NFKC}
 * ({@code NFD}/{@code NFKD}), {@code Lowercase}, {@code Strip} and sequences of them.
 */
final class Normalizers {
  private Normalizers() {}

  static String normalize(JsonNode n, String s) {
    if (n == null || n.isNull() || n.isMissingNode()) {
      return s;
    }
    String type = n.path("type").asText();
    return switch (type) {
      case "Sequence" -> {
        String r = s;
        for (JsonNode child : n.path("normalizers")) {
          r = normalize(child, r);
        }
        yield r;
      }
      case "Prepend" -> s.isEmpty() ? s : n.path("prepend").asText() + s;
      case "Replace" -> replace(n, s);
      case "NFC" -> Normalizer.normalize(s, Normalizer.Form.NFC);
      case "NFKC" -> Normalizer.normalize(s, Normalizer.Form.NFKC);
      case "NFD" -> Normalizer.normalize(s, Normalizer.Form.NFD);
      case "NFKD" -> Normalizer.normalize(s, Normalizer.Form.NFKD);
      case "Lowercase" -> s.toLowerCase(Locale.ROOT);
      case "Strip" ->
          JinjaMethods.strip(
              s, null, n.path("strip_left").asBoolean(true), n.path("strip_right").asBoolean(true));
      default ->
          throw new IllegalArgumentException(
              "tokenizer.json's normalizer " + type + " is not supported");
    };
  }

  static String replace(JsonNode n, String s) {
    JsonNode pattern = n.path("pattern");
    String content = n.path("content").asText();
    if (pattern.has("String")) {
      return s.replace(pattern.get("String").asText(), content);
    }
    return Pattern.compile(pattern.path("Regex").asText())
        .matcher(s)
        .replaceAll(Matcher.quoteReplacement(content));
  }
}
