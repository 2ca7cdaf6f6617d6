package dev.edgellm.chat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * GPT-2's byte-level alphabet: every byte is one printable character (a space is {@code Ġ}), and
 * the regex that splits text into words before BPE.
 */
final class ByteLevel {
  static final String GPT2_PATTERN =
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

  private ByteLevel() {}

  /** The text's UTF-8 bytes as byte-level characters. */
  static String encode(String s) {
    StringBuilder sb = new StringBuilder();
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      sb.append(BYTE_TO_CHAR[b & 0xff]);
    }
    return sb.toString();
  }

  /**
   * The bytes the pieces' characters stand for (a character outside the alphabet as its own UTF-8),
   * decoded as UTF-8.
   */
  static String decode(List<String> pieces) {
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
    return TokenDecoders.utf8(bytes.toByteArray());
  }
}
