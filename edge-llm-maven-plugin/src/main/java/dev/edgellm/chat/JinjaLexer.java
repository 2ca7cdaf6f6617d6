package dev.edgellm.chat;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a Jinja template into text and tag tokens the way Jinja2 does in Hugging Face's
 * environment ({@code trim_blocks=True, lstrip_blocks=True}, trailing newline dropped): {@code -}
 * strips whitespace beside a tag, a block or comment tag eats the newline after it, and the spaces
 * before a block tag alone on its line go.
 */
final class JinjaLexer {
  enum Kind {
    TEXT,
    VAR_BEGIN,
    VAR_END,
    BLOCK_BEGIN,
    BLOCK_END,
    NAME,
    STRING,
    INT,
    FLOAT,
    OP,
    EOF
  }

  record Token(Kind kind, String text, int line) {
    boolean is(Kind k, String t) {
      return kind == k && text.equals(t);
    }

    boolean isOp(String t) {
      return kind == Kind.OP && text.equals(t);
    }

    boolean isName(String t) {
      return kind == Kind.NAME && text.equals(t);
    }
  }

  private static final String[] OPERATORS = {
    "//", "**", "==", "!=", "<=", ">=", "+", "-", "*", "/", "%", "~", "<", ">", "(", ")", "[", "]",
    "{", "}", ",", ".", ":", "|", "=", "!"
  };

  private final String src;
  private final List<Token> tokens = new ArrayList<>();
  private int pos;

  private JinjaLexer(String source) {
    String s = source;
    if (s.endsWith("\r\n")) {
      s = s.substring(0, s.length() - 2);
    } else if (s.endsWith("\n")) {
      s = s.substring(0, s.length() - 1);
    }
    this.src = s;
  }

  static List<Token> tokenize(String source) {
    JinjaLexer lexer = new JinjaLexer(source);
    lexer.run();
    return lexer.tokens;
  }

  private int line(int at) {
    int n = 1;
    for (int i = 0; i < at && i < src.length(); i++) {
      if (src.charAt(i) == '\n') {
        n++;
      }
    }
    return n;
  }

  private void run() {
    boolean lineStarting = true;
    int n = src.length();
    while (pos < n) {
      int tag = nextTag(pos);
      String text = src.substring(pos, tag < 0 ? n : tag);
      if (tag < 0) {
        addText(text);
        break;
      }
      char type = src.charAt(tag + 1);
      char sign = tag + 2 < n ? src.charAt(tag + 2) : 0;
      if (sign == '-') {
        text = rstrip(text);
      } else if (sign != '+' && type != '{') {
        int lineStart = text.lastIndexOf('\n') + 1;
        if ((lineStart > 0 || lineStarting)
            && lineStart < text.length()
            && text.substring(lineStart).isBlank()) {
          text = text.substring(0, lineStart);
        }
      }
      addText(text);
      pos = tag + 2 + (sign == '-' || sign == '+' ? 1 : 0);
      int line = line(tag);
      if (type == '#') {
        int end = src.indexOf("#}", pos);
        if (end < 0) {
          throw new TemplateException("chat template line " + line + ": unclosed comment");
        }
        boolean strip = end > pos && src.charAt(end - 1) == '-';
        pos = end + 2;
        lineStarting = afterTag(strip, true);
        continue;
      }
      boolean block = type == '%';
      tokens.add(new Token(block ? Kind.BLOCK_BEGIN : Kind.VAR_BEGIN, "", line));
      if (block && rawBlock()) {
        lineStarting = false;
        continue;
      }
      lineStarting = expression(block, line);
    }
    tokens.add(new Token(Kind.EOF, "", line(n)));
  }

  /** {@code {% raw %}...{% endraw %}}: the text as it is. */
  private boolean rawBlock() {
    int i = pos;
    while (i < src.length() && Character.isWhitespace(src.charAt(i))) {
      i++;
    }
    if (!src.startsWith("raw", i)) {
      return false;
    }
    int j = i + 3;
    while (j < src.length() && Character.isWhitespace(src.charAt(j))) {
      j++;
    }
    boolean stripAfter = src.startsWith("-%}", j);
    if (!stripAfter && !src.startsWith("%}", j)) {
      return false;
    }
    tokens.remove(tokens.size() - 1);
    int start = j + (stripAfter ? 3 : 2);
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("\\{%([-+]?)\\s*endraw\\s*(-?)%}").matcher(src);
    if (!m.find(start)) {
      throw new TemplateException("chat template: {% raw %} without {% endraw %}");
    }
    String text = src.substring(start, m.start());
    if (stripAfter) {
      text = lstrip(text);
    } else if (text.startsWith("\n")) {
      text = text.substring(1);
    }
    if (m.group(1).equals("-")) {
      text = rstrip(text);
    }
    addText(text);
    pos = m.end();
    afterTag(m.group(2).equals("-"), true);
    return true;
  }

  private boolean afterTag(boolean strip, boolean trimNewline) {
    if (strip) {
      int start = pos;
      while (pos < src.length() && Character.isWhitespace(src.charAt(pos))) {
        pos++;
      }
      return pos > start && src.charAt(pos - 1) == '\n';
    }
    if (trimNewline) {
      if (src.startsWith("\r\n", pos)) {
        pos += 2;
        return true;
      }
      if (src.startsWith("\n", pos)) {
        pos += 1;
        return true;
      }
    }
    return false;
  }

  /** Lexes the inside of a tag up to its end; returns whether the match ended a line. */
  private boolean expression(boolean block, int line) {
    int depth = 0;
    String end = block ? "%}" : "}}";
    while (true) {
      if (pos >= src.length()) {
        throw new TemplateException(
            "chat template line " + line + ": unclosed " + (block ? "{%" : "{{"));
      }
      char c = src.charAt(pos);
      if (Character.isWhitespace(c)) {
        pos++;
        continue;
      }
      if (depth == 0 && src.startsWith(end, pos)) {
        pos += 2;
        tokens.add(new Token(block ? Kind.BLOCK_END : Kind.VAR_END, "", line));
        return afterTag(false, block);
      }
      if (depth == 0 && (c == '-' || c == '+') && src.startsWith(end, pos + 1)) {
        pos += 3;
        tokens.add(new Token(block ? Kind.BLOCK_END : Kind.VAR_END, "", line));
        return c == '-' ? afterTag(true, false) : afterTag(false, block);
      }
      if (Character.isLetter(c) || c == '_') {
        int s = pos;
        while (pos < src.length()
            && (Character.isLetterOrDigit(src.charAt(pos)) || src.charAt(pos) == '_')) {
          pos++;
        }
        tokens.add(new Token(Kind.NAME, src.substring(s, pos), line));
        continue;
      }
      if (Character.isDigit(c)) {
        number(line);
        continue;
      }
      if (c == '\'' || c == '"') {
        string(c, line);
        continue;
      }
      String op = null;
      for (String o : OPERATORS) {
        if (src.startsWith(o, pos)) {
          op = o;
          break;
        }
      }
      if (op == null) {
        throw new TemplateException(
            "chat template line " + line + ": unexpected character '" + c + "'");
      }
      if (op.equals("(") || op.equals("[") || op.equals("{")) {
        depth++;
      } else if (op.equals(")") || op.equals("]") || op.equals("}")) {
        depth = Math.max(0, depth - 1);
      }
      pos += op.length();
      tokens.add(new Token(Kind.OP, op, line));
    }
  }

  private void number(int line) {
    int s = pos;
    boolean isFloat = false;
    while (pos < src.length() && (Character.isDigit(src.charAt(pos)) || src.charAt(pos) == '_')) {
      pos++;
    }
    if (pos + 1 < src.length()
        && src.charAt(pos) == '.'
        && Character.isDigit(src.charAt(pos + 1))) {
      isFloat = true;
      pos++;
      while (pos < src.length() && Character.isDigit(src.charAt(pos))) {
        pos++;
      }
    }
    if (pos < src.length() && (src.charAt(pos) == 'e' || src.charAt(pos) == 'E')) {
      int e = pos + 1;
      if (e < src.length() && (src.charAt(e) == '+' || src.charAt(e) == '-')) {
        e++;
      }
      if (e < src.length() && Character.isDigit(src.charAt(e))) {
        isFloat = true;
        pos = e;
        while (pos < src.length() && Character.isDigit(src.charAt(pos))) {
          pos++;
        }
      }
    }
    tokens.add(
        new Token(isFloat ? Kind.FLOAT : Kind.INT, src.substring(s, pos).replace("_", ""), line));
  }

  private void string(char quote, int line) {
    StringBuilder sb = new StringBuilder();
    pos++;
    while (true) {
      if (pos >= src.length()) {
        throw new TemplateException("chat template line " + line + ": unclosed string");
      }
      char c = src.charAt(pos++);
      if (c == quote) {
        break;
      }
      if (c != '\\') {
        sb.append(c);
        continue;
      }
      char e = src.charAt(pos++);
      switch (e) {
        case 'n' -> sb.append('\n');
        case 't' -> sb.append('\t');
        case 'r' -> sb.append('\r');
        case 'b' -> sb.append('\b');
        case 'f' -> sb.append('\f');
        case '0' -> sb.append('\0');
        case '\n' -> {}
        case 'x' -> {
          sb.append((char) Integer.parseInt(src.substring(pos, pos + 2), 16));
          pos += 2;
        }
        case 'u' -> {
          sb.append((char) Integer.parseInt(src.substring(pos, pos + 4), 16));
          pos += 4;
        }
        case 'U' -> {
          sb.appendCodePoint(Integer.parseInt(src.substring(pos, pos + 8), 16));
          pos += 8;
        }
        case '\\', '\'', '"' -> sb.append(e);
        default -> sb.append('\\').append(e);
      }
    }
    tokens.add(new Token(Kind.STRING, sb.toString(), line));
  }

  private int nextTag(int from) {
    int i = from;
    while (true) {
      int b = src.indexOf('{', i);
      if (b < 0 || b + 1 >= src.length()) {
        return -1;
      }
      char c = src.charAt(b + 1);
      if (c == '{' || c == '%' || c == '#') {
        return b;
      }
      i = b + 1;
    }
  }

  private void addText(String text) {
    if (!text.isEmpty()) {
      tokens.add(new Token(Kind.TEXT, text, 0));
    }
  }

  static String rstrip(String s) {
    int end = s.length();
    while (end > 0 && Character.isWhitespace(s.charAt(end - 1))) {
      end--;
    }
    return s.substring(0, end);
  }

  static String lstrip(String s) {
    int start = 0;
    while (start < s.length() && Character.isWhitespace(s.charAt(start))) {
      start++;
    }
    return s.substring(start);
  }
}
