package dev.edgellm.chat;

import dev.edgellm.chat.JinjaLexer.Kind;
import dev.edgellm.chat.JinjaLexer.Token;
import java.util.List;

/** The parsers' cursor over a template's tokens, with the checks that report syntax errors. */
abstract class JinjaTokenStream {
  final List<Token> tokens;
  int i;

  JinjaTokenStream(List<Token> tokens) {
    this.tokens = tokens;
  }

  Token peek() {
    return tokens.get(i);
  }

  Token peek(int ahead) {
    return tokens.get(Math.min(i + ahead, tokens.size() - 1));
  }

  Token next() {
    return tokens.get(i++);
  }

  TemplateException error(String message) {
    return new TemplateException("chat template line " + peek().line() + ": " + message);
  }

  void expectOp(String op) {
    if (!peek().isOp(op)) {
      throw error("expected '" + op + "', found '" + peek().text() + "'");
    }
    i++;
  }

  String expectName() {
    if (peek().kind() != Kind.NAME) {
      throw error("expected a name, found '" + peek().text() + "'");
    }
    return next().text();
  }

  void expectBlockEnd() {
    if (peek().kind() != Kind.BLOCK_END) {
      throw error("expected the end of the tag, found '" + peek().text() + "'");
    }
    i++;
  }
}
