package dev.edgellm.chat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@code tokenizer.json}'s decoder: {@code ByteLevel}, {@code Replace}, {@code ByteFallback},
 * {@code Fuse}, {@code Strip}, {@code Metaspace} and sequences of them, turning a run of tokens
 * back into text.
 */
final class TokenDecoders {
  private TokenDecoders() {}

  /**
   * Applies the decoder {@code d} to the pieces of a run; {@code atStart} when the run begins the
   * text (a metaspace decoder drops the prepended space there).
   */
  static List<String> decode(JsonNode d, List<String> pieces, boolean atStart) {
    if (d == null || d.isNull() || d.isMissingNode()) {
      return pieces;
    }
    String type = d.path("type").asText();
    switch (type) {
      case "Sequence" -> {
        List<String> r = pieces;
        for (JsonNode child : d.path("decoders")) {
          r = decode(child, r, atStart);
        }
        return r;
      }
      case "ByteLevel" -> {
        return List.of(ByteLevel.decode(pieces));
      }
      case "Replace" -> {
        List<String> out = new ArrayList<>();
        pieces.forEach(p -> out.add(Normalizers.replace(d, p)));
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
        String rep = PreTokenizers.metaspaceReplacement(d);
        String scheme = PreTokenizers.prependScheme(d);
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

  static String utf8(byte[] bytes) {
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
}
