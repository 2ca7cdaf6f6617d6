package dev.edgellm.chat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.edgellm.util.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Encodes and decodes text exactly as a BPE {@code tokenizer.json} does in Hugging Face's
 * tokenizers: added tokens matched first (longest first, with their {@code lstrip}/{@code rstrip}),
 * then per segment the normalizer ({@code Prepend}, {@code Replace}, {@code NFC}/{@code NFKC},
 * {@code Lowercase}, {@code Strip}, sequences), the pre-tokenizer ({@code ByteLevel} with GPT-2's
 * regex, {@code Split}, {@code Metaspace}, {@code Digits}, sequences) and the BPE merges, with byte
 * fallback ({@code <0xNN>}) or the unknown token for what the vocabulary lacks.
 */
public final class Tokenizer {
  private static final String GPT2_PATTERN =
      "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";
  private static final char[] BYTE_TO_CHAR = new char[256];
  private static final Map<Character, Integer> CHAR_TO_BYTE = new HashMap<>();

  static {
    int n = 0;
    for (int b = 0; b < 256; b++) {
      boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE);
      BYTE_TO_CHAR[b] = printable ? (char) b : (char) (256 + n++);
      CHAR_TO_BYTE.put(BYTE_TO_CHAR[b], b);
    }
  }

  private record Added(String content, int id, boolean special, boolean lstrip, boolean rstrip) {}

  private final Map<String, Integer> vocab = new HashMap<>();
  private final Map<Integer, String> tokens = new HashMap<>();
  private final Map<String, Integer> mergeRanks = new HashMap<>();
  private final List<Added> added = new ArrayList<>();
  private final Map<Integer, Added> addedById = new HashMap<>();
  private final JsonNode normalizer;
  private final JsonNode preTokenizer;
  private final JsonNode decoder;
  private final JsonNode postProcessor;
  private final boolean byteLevel;
  private final boolean byteFallback;
  private final boolean ignoreMerges;
  private final boolean fuseUnk;
  private final Integer unkId;
  private final Map<String, List<String>> cache = new HashMap<>();

  private Tokenizer(JsonNode json) {
    JsonNode model = json.path("model");
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
      tokens.putIfAbsent(a.id(), a.content());
    }
    added.sort((x, y) -> Integer.compare(y.content().length(), x.content().length()));
    this.normalizer = json.path("normalizer");
    this.preTokenizer = json.path("pre_tokenizer");
    this.decoder = json.path("decoder");
    this.postProcessor = json.path("post_processor");
    this.byteLevel = mentions(preTokenizer, "ByteLevel") || mentions(decoder, "ByteLevel");
    this.byteFallback = model.path("byte_fallback").asBoolean(false);
    this.ignoreMerges = model.path("ignore_merges").asBoolean(false);
    this.fuseUnk = model.path("fuse_unk").asBoolean(false);
    String unk = model.path("unk_token").isTextual() ? model.path("unk_token").asText() : null;
    this.unkId = unk == null ? null : vocab.get(unk);
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
    return vocab.get(token);
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
    String normalized = normalize(normalizer, segment);
    if (normalized.isEmpty()) {
      return;
    }
    List<String> pieces = new ArrayList<>();
    pieces.add(normalized);
    pieces = preTokenize(preTokenizer, pieces);
    for (String piece : pieces) {
      if (piece.isEmpty()) {
        continue;
      }
      String word = byteLevel ? toByteChars(piece) : piece;
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

  private static String toByteChars(String s) {
    StringBuilder sb = new StringBuilder();
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      sb.append(BYTE_TO_CHAR[b & 0xff]);
    }
    return sb.toString();
  }

  // ---- normalizers and pre-tokenizers
  // ------------------------------------------------------------

  private static String normalize(JsonNode n, String s) {
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

  private static String replace(JsonNode n, String s) {
    JsonNode pattern = n.path("pattern");
    String content = n.path("content").asText();
    if (pattern.has("String")) {
      return s.replace(pattern.get("String").asText(), content);
    }
    return Pattern.compile(pattern.path("Regex").asText())
        .matcher(s)
        .replaceAll(Matcher.quoteReplacement(content));
  }

  private static List<String> preTokenize(JsonNode p, List<String> pieces) {
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
        Pattern regex = Pattern.compile(GPT2_PATTERN, Pattern.UNICODE_CHARACTER_CLASS);
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
        String rep = p.path("replacement").asText("\u2581");
        String scheme =
            p.path("prepend_scheme")
                .asText(p.path("add_prefix_space").asBoolean(true) ? "always" : "never");
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
      String t = tokens.get((int) id);
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
    pieces = decodeWith(decoder, pieces, atStart);
    return String.join("", pieces);
  }

  private List<String> decodeWith(JsonNode d, List<String> pieces, boolean atStart) {
    if (d == null || d.isNull() || d.isMissingNode()) {
      return pieces;
    }
    String type = d.path("type").asText();
    switch (type) {
      case "Sequence" -> {
        List<String> r = pieces;
        for (JsonNode child : d.path("decoders")) {
          r = decodeWith(child, r, atStart);
        }
        return r;
      }
      case "ByteLevel" -> {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (String p : pieces) {
          for (char c : p.toCharArray()) {
            Integer b = CHAR_TO_BYTE.get(c);
            if (b != null) {
              bytes.write(b);
            } else {
              byte[] raw = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
              bytes.write(raw, 0, raw.length);
            }
          }
        }
        return List.of(utf8(bytes.toByteArray()));
      }
      case "Replace" -> {
        List<String> out = new ArrayList<>();
        pieces.forEach(p -> out.add(replace(d, p)));
        return out;
      }
      case "ByteFallback" -> {
        List<String> out = new ArrayList<>();
        ByteArrayOutputStream pending = new ByteArrayOutputStream();
        for (String p : pieces) {
          if (p.length() == 6 && p.startsWith("<0x") && p.endsWith(">")) {
            pending.write(Integer.parseInt(p.substring(3, 5), 16));
          } else {
            if (pending.size() > 0) {
              out.add(utf8(pending.toByteArray()));
              pending.reset();
            }
            out.add(p);
          }
        }
        if (pending.size() > 0) {
          out.add(utf8(pending.toByteArray()));
        }
        return out;
      }
      case "Fuse" -> {
        return List.of(String.join("", pieces));
      }
      case "Strip" -> {
        String content = d.path("content").asText(" ");
        int start = d.path("start").asInt(0);
        int stop = d.path("stop").asInt(0);
        List<String> out = new ArrayList<>();
        for (String p : pieces) {
          String s = p;
          for (int k = 0; k < start && s.startsWith(content); k++) {
            s = s.substring(content.length());
          }
          for (int k = 0; k < stop && s.endsWith(content); k++) {
            s = s.substring(0, s.length() - content.length());
          }
          out.add(s);
        }
        return out;
      }
      case "Metaspace" -> {
        String rep = d.path("replacement").asText("\u2581");
        String scheme =
            d.path("prepend_scheme")
                .asText(d.path("add_prefix_space").asBoolean(true) ? "always" : "never");
        List<String> out = new ArrayList<>();
        for (int k = 0; k < pieces.size(); k++) {
          String s = pieces.get(k).replace(rep, " ");
          if (k == 0 && atStart && !scheme.equals("never") && s.startsWith(" ")) {
            s = s.substring(1);
          }
          out.add(s);
        }
        return out;
      }
      default -> {
        return pieces;
      }
    }
  }

  private static String utf8(byte[] bytes) {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPLACE)
          .onUnmappableCharacter(CodingErrorAction.REPLACE)
          .decode(java.nio.ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      return new String(bytes, StandardCharsets.UTF_8);
    }
  }

  private static boolean mentions(JsonNode node, String type) {
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
