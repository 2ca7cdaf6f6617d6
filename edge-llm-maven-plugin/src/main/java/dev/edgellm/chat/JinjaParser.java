package dev.edgellm.chat;

import dev.edgellm.chat.JinjaExprs.Expr;
import dev.edgellm.chat.JinjaExprs.Filter;
import dev.edgellm.chat.JinjaLexer.Kind;
import dev.edgellm.chat.JinjaLexer.Token;
import dev.edgellm.chat.JinjaNodes.Assign;
import dev.edgellm.chat.JinjaNodes.FilterBlock;
import dev.edgellm.chat.JinjaNodes.FilterHolder;
import dev.edgellm.chat.JinjaNodes.For;
import dev.edgellm.chat.JinjaNodes.If;
import dev.edgellm.chat.JinjaNodes.LoopJump;
import dev.edgellm.chat.JinjaNodes.MacroDef;
import dev.edgellm.chat.JinjaNodes.Node;
import dev.edgellm.chat.JinjaNodes.Output;
import dev.edgellm.chat.JinjaNodes.Plain;
import dev.edgellm.chat.JinjaNodes.Text;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Parses a template's statements into {@link JinjaNodes}, its expressions through its parent. */
final class JinjaParser extends JinjaExpressionParser {
  JinjaParser(List<Token> tokens) {
    super(tokens);
  }

  /** Parses nodes until a block tag whose keyword is in {@code ends} (left unconsumed). */
  List<Node> body(Set<String> ends) {
    List<Node> nodes = new ArrayList<>();
    while (true) {
      Token t = peek();
      switch (t.kind()) {
        case EOF -> {
          if (!ends.isEmpty()) {
            throw error("missing {% " + String.join(" / ", ends) + " %}");
          }
          return nodes;
        }
        case TEXT -> {
          nodes.add(new Text(t.text()));
          i++;
        }
        case VAR_BEGIN -> {
          i++;
          Expr e = expression();
          if (peek().kind() != Kind.VAR_END) {
            throw error("expected '}}', found '" + peek().text() + "'");
          }
          i++;
          nodes.add(new Output(e));
        }
        case BLOCK_BEGIN -> {
          Token keyword = peek(1);
          if (keyword.kind() == Kind.NAME && ends.contains(keyword.text())) {
            return nodes;
          }
          i++;
          nodes.add(statement());
        }
        default -> throw error("unexpected '" + t.text() + "'");
      }
    }
  }

  /** Consumes {@code {% keyword}} of an end tag, returning the keyword. */
  private String endTag() {
    i++; // BLOCK_BEGIN
    return next().text();
  }

  private Node statement() {
    String keyword = expectName();
    switch (keyword) {
      case "if" -> {
        List<Expr> conditions = new ArrayList<>();
        List<List<Node>> bodies = new ArrayList<>();
        conditions.add(expression());
        expectBlockEnd();
        Set<String> ends = Set.of("elif", "else", "endif");
        bodies.add(body(ends));
        List<Node> otherwise = List.of();
        while (true) {
          String end = endTag();
          if (end.equals("elif")) {
            conditions.add(expression());
            expectBlockEnd();
            bodies.add(body(ends));
          } else if (end.equals("else")) {
            expectBlockEnd();
            otherwise = body(Set.of("endif"));
          } else {
            expectBlockEnd();
            break;
          }
        }
        return new If(conditions, bodies, otherwise);
      }
      case "for" -> {
        List<String> targets = new ArrayList<>();
        targets.add(expectName());
        while (peek().isOp(",")) {
          i++;
          targets.add(expectName());
        }
        if (!peek().isName("in")) {
          throw error("expected 'in'");
        }
        i++;
        Expr iterable = ternaryFree();
        Expr filter = null;
        if (peek().isName("if")) {
          i++;
          filter = ternaryFree();
        }
        if (peek().isName("recursive")) {
          throw error("recursive loops are not supported");
        }
        expectBlockEnd();
        List<Node> loopBody = body(Set.of("else", "endfor"));
        List<Node> empty = List.of();
        if (endTag().equals("else")) {
          expectBlockEnd();
          empty = body(Set.of("endfor"));
          endTag();
        }
        expectBlockEnd();
        return new For(targets, iterable, filter, loopBody, empty);
      }
      case "set" -> {
        List<String> targets = new ArrayList<>();
        targets.add(expectName());
        String attribute = null;
        if (peek().isOp(".")) {
          i++;
          attribute = expectName();
        }
        while (peek().isOp(",")) {
          i++;
          targets.add(expectName());
        }
        if (peek().isOp("=")) {
          i++;
          Expr value = expression();
          expectBlockEnd();
          return new Assign(targets, attribute, value, null);
        }
        Filter filter = null;
        if (peek().isOp("|")) {
          i++;
          filter = filterCall();
        }
        expectBlockEnd();
        List<Node> block = body(Set.of("endset"));
        endTag();
        expectBlockEnd();
        Expr asExpr = filter == null ? null : new FilterHolder(filter);
        return new Assign(targets, attribute, asExpr, block);
      }
      case "macro" -> {
        String name = expectName();
        List<String> params = new ArrayList<>();
        List<Expr> defaults = new ArrayList<>();
        expectOp("(");
        while (!peek().isOp(")")) {
          params.add(expectName());
          if (peek().isOp("=")) {
            i++;
            defaults.add(expression());
          } else {
            defaults.add(null);
          }
          if (peek().isOp(",")) {
            i++;
          }
        }
        i++;
        expectBlockEnd();
        List<Node> macroBody = body(Set.of("endmacro"));
        endTag();
        if (peek().kind() == Kind.NAME) {
          i++;
        }
        expectBlockEnd();
        return new MacroDef(name, params, defaults, macroBody);
      }
      case "filter" -> {
        Filter f = filterCall();
        expectBlockEnd();
        List<Node> filterBody = body(Set.of("endfilter"));
        endTag();
        expectBlockEnd();
        return new FilterBlock(f, filterBody);
      }
      case "generation" -> {
        expectBlockEnd();
        List<Node> genBody = body(Set.of("endgeneration"));
        endTag();
        expectBlockEnd();
        return new Plain(genBody);
      }
      case "break", "continue" -> {
        expectBlockEnd();
        return new LoopJump(keyword.equals("break"));
      }
      case "do" -> {
        Expr e = expression();
        expectBlockEnd();
        return (scope, out) -> e.eval(scope);
      }
      default -> {
        i--;
        throw error("the statement '" + keyword + "' is not supported");
      }
    }
  }
}
