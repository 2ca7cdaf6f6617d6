package dev.edgellm.chat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.edgellm.util.Json;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Encodes and decodes text exactly as a BPE {@code tokenizer.json} does in Hugging Face's
 * tokenizers: added tokens matched first (longest first, with their {@code lstrip}/{@code rstrip}),
 * then per segment the normalizer ({@code Prepend}, {@code Replace}, {@code NFC}/{@code NFKC},
 * {@code Lowercase}, {@code Strip}, sequences), the pre-tokenizer ({@code ByteLevel} with GPT-2's
 * regex, {@code Split}, {@code Metaspace}, {@code Digits}, sequences) and the BPE merges, with byte
 * fallback ({@code <0xNN>}) or the unknown token for what the vocabulary lacks.
 *
 * <p>The stages are {@link Normalizers}, {@link PreTokenizers}, {@link BpeModel} and, back to text,
 * {@link TokenDecoders}; {@link ByteLevel} is GPT-2's byte alphabet.
 */
public final class Tokenizer {
  private record Added(String content, int id, boolean special, boolean lstrip, boolean rstrip) {}

  private final BpeModel model;
  private final List<Added> added = new ArrayList<>();
  private final Map<Integer, Added> addedById = new HashMap<>();
  private final JsonNode normalizer;
  private final JsonNode preTokenizer;
  private final JsonNode decoder;
  private final JsonNode postProcessor;
  private final boolean byteLevel;

  private Tokenizer(JsonNode json) {
    this.model = new BpeModel(json.path("model"));
    for (JsonNode t : json.path("added_tokens")) {
      Added a =
          new Added(
              t.path("content").asText(),
              t.path("id").asInt(),
              t.path("special").asBoolean(false),
              t.path("lstrip").asBoolean(false),
              t.path("rstrip").asBoolean(false));
      added.add(a);
      addedById.put(a.id(), a);
    }
    added.sort((x, y) -> Integer.compare(y.content().length(), x.content().length()));
    this.normalizer = json.path("normalizer");
    this.preTokenizer = json.path("pre_tokenizer");
    this.decoder = json.path("decoder");
    this.postProcessor = json.path("post_processor");
    this.byteLevel =
        TokenizerJson.mentions(preTokenizer, "ByteLevel")
            || TokenizerJson.mentions(decoder, "ByteLevel");
  }

  public static Tokenizer of(JsonNode tokenizerJson) {
    return new Tokenizer(tokenizerJson);
  }

  public static Tokenizer read(Path tokenizerJson) throws IOException {
    return new Tokenizer(Json.read(tokenizerJson));
  }

  /** The id of a token (vocabulary or added), or {@code null}. */
  public Integer id(String token) {
    for (Added a : added) {
      if (a.content().equals(token)) {
        return a.id();
      }
    }
    return model.id(token);
  }

  /** Encodes without special tokens (as {@code apply_chat_template} tokenizes its prompt). */
  public long[] encode(String text) {
    return encode(text, false);
  }

  /** Encodes; with {@code addSpecialTokens} the post-processor's template adds its tokens. */
  public long[] encode(String text, boolean addSpecialTokens) {
    List<Integer> ids = new ArrayList<>();
    if (addSpecialTokens) {
      processorTokens(ids, true);
    }
    int pos = 0;
    int segmentStart = 0;
    while (pos <= text.length()) {
      Added match = null;
      if (pos < text.length()) {
        for (Added a : added) {
          if (text.startsWith(a.content(), pos)) {
            match = a;
            break;
          }
        }
      }
      if (match == null && pos < text.length()) {
        pos++;
        continue;
      }
      String segment = text.substring(segmentStart, pos);
      int next = pos;
      if (match != null) {
        next = pos + match.content().length();
        if (match.lstrip()) {
          segment = JinjaLexer.rstrip(segment);
        }
        if (match.rstrip()) {
          while (next < text.length() && Character.isWhitespace(text.charAt(next))) {
            next++;
          }
        }
      }
      encodeSegment(segment, ids);
      if (match == null) {
        break;
      }
      ids.add(match.id());
      pos = next;
      segmentStart = next;
    }
    if (addSpecialTokens) {
      processorTokens(ids, false);
    }
    return ids.stream().mapToLong(Integer::longValue).toArray();
  }

  private void processorTokens(List<Integer> ids, boolean before) {
    JsonNode single = postProcessor.path("single");
    if (!single.isArray()) {
      return;
    }
    boolean seenSequence = false;
    for (JsonNode piece : single) {
      if (piece.has("Sequence")) {
        seenSequence = true;
      } else if (piece.has("SpecialToken") && seenSequence != before) {
        String name = piece.get("SpecialToken").path("id").asText();
        for (JsonNode id : postProcessor.path("special_tokens").path(name).path("ids")) {
          ids.add(id.asInt());
        }
      }
    }
  }

  private void encodeSegment(String segment, List<Integer> out) {
    if (segment.isEmpty()) {
      return;
    }
    String normalized = Normalizers.normalize(normalizer, segment);
    if (normalized.isEmpty()) {
      return;
    }
    List<String> pieces = new ArrayList<>();
    pieces.add(normalized);
    pieces = PreTokenizers.preTokenize(preTokenizer, pieces);
    for (String piece : pieces) {
      if (piece.isEmpty()) {
        continue;
      }
      model.encode(byteLevel ? ByteLevel.encode(piece) : piece, out);
    }
  }

  // ---- decoding
  // ----------------------------------------------------------------------------------

  /** Decodes ids to text; special added tokens are dropped when {@code skipSpecial}. */
  public String decode(long[] ids, boolean skipSpecial) {
    StringBuilder out = new StringBuilder();
    List<String> run = new ArrayList<>();
    for (long id : ids) {
      Added a = addedById.get((int) id);
      if (a != null) {
        out.append(decodeRun(run, out.length() == 0));
        run.clear();
        if (!(skipSpecial && a.special())) {
          out.append(a.content());
        }
        continue;
      }
      String t = model.token((int) id);
      if (t != null) {
        run.add(t);
      }
    }
    out.append(decodeRun(run, out.length() == 0));
    return out.toString();
  }

  private String decodeRun(List<String> run, boolean atStart) {
    if (run.isEmpty()) {
      return "";
    }
    List<String> pieces = new ArrayList<>(run);
    pieces = TokenDecoders.decode(decoder, pieces, atStart);
    return String.join("", pieces);
  }
}
