package dev.edgellm.chat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@code tokenizer.json}'s BPE model: the vocabulary, the merges by rank, and how a word becomes
 * ids (merges applied lowest rank first, then byte fallback ({@code <0xNN>}) or the unknown token
 * for symbols the vocabulary lacks).
 */
final class BpeModel {
  private final Map<String, Integer> vocab = new HashMap<>();
  private final Map<Integer, String> tokens = new HashMap<>();
  private final Map<String, Integer> mergeRanks = new HashMap<>();
  private final boolean byteFallback;
  private final boolean ignoreMerges;
  private final boolean fuseUnk;
  private final Integer unkId;
  private final Map<String, List<String>> cache = new HashMap<>();

  /** Reads {@code model}; throws {@link IllegalArgumentException} for what cannot be replayed. */
  BpeModel(JsonNode model) {
    String type = model.path("type").asText(model.has("merges") ? "BPE" : "");
    if (!type.equals("BPE")) {
      throw new IllegalArgumentException(
          "tokenizer.json has a " + type + " model; only BPE tokenizers can be replayed");
    }
    if (!model.path("continuing_subword_prefix").isNull()
            && !model.path("continuing_subword_prefix").asText("").isEmpty()
        || !model.path("end_of_word_suffix").isNull()
            && !model.path("end_of_word_suffix").asText("").isEmpty()) {
      throw new IllegalArgumentException(
          "tokenizer.json's BPE uses a subword prefix or suffix, which is not supported");
    }
    model
        .path("vocab")
        .fields()
        .forEachRemaining(
            e -> {
              vocab.put(e.getKey(), e.getValue().asInt());
              tokens.put(e.getValue().asInt(), e.getKey());
            });
    int rank = 0;
    for (JsonNode m : model.path("merges")) {
      String pair;
      if (m.isArray()) {
        pair = m.get(0).asText() + " " + m.get(1).asText();
      } else {
        pair = m.asText();
      }
      mergeRanks.putIfAbsent(pair, rank++);
    }
    this.byteFallback = model.path("byte_fallback").asBoolean(false);
    this.ignoreMerges = model.path("ignore_merges").asBoolean(false);
    this.fuseUnk = model.path("fuse_unk").asBoolean(false);
    String unk = model.path("unk_token").isTextual() ? model.path("unk_token").asText() : null;
    this.unkId = unk == null ? null : vocab.get(unk);
  }

  /** The id of a vocabulary token, or {@code null}. */
  Integer id(String token) {
    return vocab.get(token);
  }

  /** The vocabulary token with this id, or {@code null}. */
  String token(int id) {
    return tokens.get(id);
  }

  /** Appends the ids of one pre-tokenized word (already in the model's alphabet). */
  void encode(String word, List<Integer> out) {
    for (String symbol : bpe(word)) {
      Integer id = vocab.get(symbol);
      if (id != null) {
        out.add(id);
      } else if (byteFallback && byteTokens(symbol) != null) {
        out.addAll(byteTokens(symbol));
      } else if (unkId != null) {
        if (!(fuseUnk && !out.isEmpty() && out.get(out.size() - 1).equals(unkId))) {
          out.add(unkId);
        }
      } else {
        throw new IllegalArgumentException(
            "tokenizer.json cannot encode '" + symbol + "' (no unk token, no byte fallback)");
      }
    }
  }

  /** The {@code <0xNN>} tokens of a symbol's UTF-8 bytes, or {@code null} when one is missing. */
  private List<Integer> byteTokens(String symbol) {
    List<Integer> ids = new ArrayList<>();
    for (byte b : symbol.getBytes(StandardCharsets.UTF_8)) {
      Integer id = vocab.get(String.format("<0x%02X>", b & 0xff));
      if (id == null) {
        return null;
      }
      ids.add(id);
    }
    return ids;
  }

  private List<String> bpe(String word) {
    List<String> cached = cache.get(word);
    if (cached != null) {
      return cached;
    }
    List<String> symbols = new ArrayList<>();
    if (ignoreMerges && vocab.containsKey(word)) {
      symbols.add(word);
    } else {
      word.codePoints().forEach(cp -> symbols.add(new String(Character.toChars(cp))));
      while (symbols.size() > 1) {
        int best = -1;
        int bestRank = Integer.MAX_VALUE;
        for (int i = 0; i + 1 < symbols.size(); i++) {
          Integer r = mergeRanks.get(symbols.get(i) + " " + symbols.get(i + 1));
          if (r != null && r < bestRank) {
            bestRank = r;
            best = i;
          }
        }
        if (best < 0) {
          break;
        }
        String first = symbols.get(best);
        String second = symbols.get(best + 1);
        List<String> merged = new ArrayList<>();
        for (int i = 0; i < symbols.size(); i++) {
          if (i + 1 < symbols.size()
              && symbols.get(i).equals(first)
              && symbols.get(i + 1).equals(second)) {
            merged.add(first + second);
            i++;
          } else {
            merged.add(symbols.get(i));
          }
        }
        symbols.clear();
        symbols.addAll(merged);
      }
    }
    List<String> result = List.copyOf(symbols);
    if (cache.size() < 100_000) {
      cache.put(word, result);
    }
    return result;
  }
}
