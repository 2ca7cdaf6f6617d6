package dev.edgellm.export;

import com.fasterxml.jackson.databind.JsonNode;
import dev.edgellm.util.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A byte-level BPE tokenizer (GPT-2 pre-tokenization, merges by rank, added tokens split first) for
 * tests: enough to encode the tool loop's short turn-2 suffixes and to decode generated ids.
 */
final class ByteLevelBpe {
  private static final Pattern SPLIT =
      Pattern.compile(
          "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+");

  private final Map<String, Integer> vocab = new HashMap<>();
  private final Map<Integer, String> byId = new HashMap<>();
  private final Map<String, Integer> ranks = new HashMap<>();
  private final Map<String, Integer> added = new LinkedHashMap<>();
  private final char[] byteToChar = new char[256];
  private final Map<Character, Integer> charToByte = new HashMap<>();

  ByteLevelBpe(Path tokenizerJson) throws IOException {
    JsonNode t = Json.MAPPER.readTree(tokenizerJson.toFile());
    t.path("model")
        .path("vocab")
        .fields()
        .forEachRemaining(e -> vocab.put(e.getKey(), e.getValue().asInt()));
    vocab.forEach((k, v) -> byId.put(v, k));
    int r = 0;
    for (JsonNode m : t.path("model").path("merges")) {
      String key = m.isArray() ? m.get(0).asText() + " " + m.get(1).asText() : m.asText();
      ranks.put(key, r++);
    }
    for (JsonNode a : t.path("added_tokens")) {
      added.put(a.path("content").asText(), a.path("id").asInt());
      byId.put(a.path("id").asInt(), a.path("content").asText());
    }
    List<Integer> bs = new ArrayList<>();
    for (int b = '!'; b <= '~'; b++) bs.add(b);
    for (int b = 0xA1; b <= 0xAC; b++) bs.add(b);
    for (int b = 0xAE; b <= 0xFF; b++) bs.add(b);
    int extra = 0;
    for (int b = 0; b < 256; b++) {
      char c = bs.contains(b) ? (char) b : (char) (256 + extra++);
      byteToChar[b] = c;
      charToByte.put(c, b);
    }
  }

  /** Ids of {@code text} (no BOS added). */
  List<Long> encode(String text) {
    List<Long> out = new ArrayList<>();
    int i = 0;
    StringBuilder plain = new StringBuilder();
    while (i < text.length()) {
      String hit = null;
      for (String a : added.keySet()) {
        if (text.startsWith(a, i) && (hit == null || a.length() > hit.length())) {
          hit = a;
        }
      }
      if (hit != null) {
        encodePlain(plain.toString(), out);
        plain.setLength(0);
        out.add((long) added.get(hit));
        i += hit.length();
      } else {
        plain.append(text.charAt(i++));
      }
    }
    encodePlain(plain.toString(), out);
    return out;
  }

  private void encodePlain(String s, List<Long> out) {
    if (s.isEmpty()) {
      return;
    }
    Matcher m = SPLIT.matcher(s);
    while (m.find()) {
      StringBuilder sb = new StringBuilder();
      for (byte b : m.group().getBytes(StandardCharsets.UTF_8)) {
        sb.append(byteToChar[b & 0xff]);
      }
      List<String> parts = new ArrayList<>();
      sb.codePoints().forEach(cp -> parts.add(new String(Character.toChars(cp))));
      while (parts.size() > 1) {
        int best = -1;
        int bestRank = Integer.MAX_VALUE;
        for (int j = 0; j + 1 < parts.size(); j++) {
          Integer rk = ranks.get(parts.get(j) + " " + parts.get(j + 1));
          if (rk != null && rk < bestRank) {
            bestRank = rk;
            best = j;
          }
        }
        if (best < 0) {
          break;
        }
        parts.set(best, parts.get(best) + parts.remove(best + 1));
      }
      for (String p : parts) {
        Integer id = vocab.get(p);
        if (id == null) {
          throw new IllegalStateException("no token for '" + p + "'");
        }
        out.add((long) id);
      }
    }
  }

  /** The text of {@code ids} (added tokens as their content). */
  String decode(List<Long> ids) {
    StringBuilder text = new StringBuilder();
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    for (long id : ids) {
      String tok = byId.get((int) id);
      if (added.containsKey(tok)) {
        text.append(bytes.toString(StandardCharsets.UTF_8));
        bytes.reset();
        text.append(tok);
        continue;
      }
      for (char c : tok.toCharArray()) {
        bytes.write(charToByte.get(c));
      }
    }
    text.append(bytes.toString(StandardCharsets.UTF_8));
    return text.toString();
  }
}
