package dev.edgellm.chat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code tokenizer.json}'s pre-tokenizer: {@code ByteLevel} with GPT-2's regex, {@code Split},
 * {@code Metaspace}, {@code Digits} and sequences of them, splitting as tokenizers' {@code
 * SplitDelimiterBehavior} says.
 */
final class PreTokenizers {
  private PreTokenizers() {}

  static List<String> preTokenize(JsonNode p, List<String> pieces) {
    if (p == null || p.isNull() || p.isMissingNode()) {
      return pieces;
    }
    String type = p.path("type").asText();
    List<String> out = new ArrayList<>();
    switch (type) {
      case "Sequence" -> {
        List<String> r = pieces;
        for (JsonNode child : p.path("pretokenizers")) {
          r = preTokenize(child, r);
        }
        return r;
      }
      case "ByteLevel" -> {
        Pattern regex = Pattern.compile(ByteLevel.GPT2_PATTERN, Pattern.UNICODE_CHARACTER_CLASS);
        for (String s : pieces) {
          String t =
              p.path("add_prefix_space").asBoolean(false) && !s.startsWith(" ") ? " " + s : s;
          if (p.path("use_regex").asBoolean(true)) {
            out.addAll(split(regex, t, "Isolated", false));
          } else {
            out.add(t);
          }
        }
        return out;
      }
      case "Split" -> {
        JsonNode pat = p.path("pattern");
        Pattern regex =
            pat.has("String")
                ? Pattern.compile(Pattern.quote(pat.get("String").asText()))
                : Pattern.compile(pat.path("Regex").asText(), Pattern.UNICODE_CHARACTER_CLASS);
        for (String s : pieces) {
          out.addAll(
              split(
                  regex,
                  s,
                  p.path("behavior").asText("Isolated"),
                  p.path("invert").asBoolean(false)));
        }
        return out;
      }
      case "Digits" -> {
        Pattern regex =
            Pattern.compile(p.path("individual_digits").asBoolean(false) ? "\\p{N}" : "\\p{N}+");
        for (String s : pieces) {
          out.addAll(split(regex, s, "Isolated", false));
        }
        return out;
      }
      case "Metaspace" -> {
        String rep = metaspaceReplacement(p);
        String scheme = prependScheme(p);
        boolean splitIt = p.path("split").asBoolean(true);
        for (int k = 0; k < pieces.size(); k++) {
          String s = pieces.get(k).replace(" ", rep);
          if (!s.startsWith(rep)
              && (scheme.equals("always") || (scheme.equals("first") && k == 0))) {
            s = rep + s;
          }
          if (splitIt) {
            out.addAll(split(Pattern.compile(Pattern.quote(rep)), s, "MergedWithNext", false));
          } else {
            out.add(s);
          }
        }
        return out;
      }
      default ->
          throw new IllegalArgumentException(
              "tokenizer.json's pre-tokenizer " + type + " is not supported");
    }
  }

  /** tokenizers' {@code split} with a {@code SplitDelimiterBehavior}. */
  private static List<String> split(Pattern regex, String s, String behavior, boolean invert) {
    List<String[]> parts = new ArrayList<>(); // [text, isMatch]
    Matcher m = regex.matcher(s);
    int last = 0;
    while (m.find()) {
      if (m.end() == m.start()) {
        continue;
      }
      if (m.start() > last) {
        parts.add(new String[] {s.substring(last, m.start()), invert ? "1" : "0"});
      }
      parts.add(new String[] {m.group(), invert ? "0" : "1"});
      last = m.end();
    }
    if (last < s.length()) {
      parts.add(new String[] {s.substring(last), invert ? "1" : "0"});
    }
    List<String> out = new ArrayList<>();
    switch (behavior) {
      case "Removed" -> parts.stream().filter(x -> x[1].equals("0")).forEach(x -> out.add(x[0]));
      case "MergedWithPrevious" -> {
        for (String[] x : parts) {
          if (x[1].equals("1") && !out.isEmpty()) {
            out.set(out.size() - 1, out.get(out.size() - 1) + x[0]);
          } else {
            out.add(x[0]);
          }
        }
      }
      case "MergedWithNext" -> {
        String pending = null;
        for (String[] x : parts) {
          if (x[1].equals("1")) {
            pending = pending == null ? x[0] : pending + x[0];
          } else {
            out.add(pending == null ? x[0] : pending + x[0]);
            pending = null;
          }
        }
        if (pending != null) {
          out.add(pending);
        }
      }
      case "Contiguous" -> {
        String prevKind = null;
        for (String[] x : parts) {
          if (x[1].equals("1") && "1".equals(prevKind)) {
            out.set(out.size() - 1, out.get(out.size() - 1) + x[0]);
          } else {
            out.add(x[0]);
          }
          prevKind = x[1];
        }
      }
      default -> parts.forEach(x -> out.add(x[0]));
    }
    return out;
  }

  /** A {@code Metaspace} component's replacement for a space ({@code ▁} by default). */
  static String metaspaceReplacement(JsonNode metaspace) {
    return metaspace.path("replacement").asText("\u2581");
  }

  /**
   * A {@code Metaspace} component's {@code prepend_scheme} ({@code always}, {@code first} or {@code
   * never}), from {@code add_prefix_space} in older files.
   */
  static String prependScheme(JsonNode metaspace) {
    return metaspace
        .path("prepend_scheme")
        .asText(metaspace.path("add_prefix_space").asBoolean(true) ? "always" : "never");
  }
}
