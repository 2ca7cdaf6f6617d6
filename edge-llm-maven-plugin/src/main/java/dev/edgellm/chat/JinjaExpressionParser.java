package dev.edgellm.chat;

import dev.edgellm.chat.JinjaExprs.And;
import dev.edgellm.chat.JinjaExprs.Arithmetic;
import dev.edgellm.chat.JinjaExprs.Call;
import dev.edgellm.chat.JinjaExprs.Compare;
import dev.edgellm.chat.JinjaExprs.Concat;
import dev.edgellm.chat.JinjaExprs.Conditional;
import dev.edgellm.chat.JinjaExprs.DictDisplay;
import dev.edgellm.chat.JinjaExprs.Expr;
import dev.edgellm.chat.JinjaExprs.Filter;
import dev.edgellm.chat.JinjaExprs.Filtered;
import dev.edgellm.chat.JinjaExprs.GetAttr;
import dev.edgellm.chat.JinjaExprs.GetItem;
import dev.edgellm.chat.JinjaExprs.ListDisplay;
import dev.edgellm.chat.JinjaExprs.Literal;
import dev.edgellm.chat.JinjaExprs.Not;
import dev.edgellm.chat.JinjaExprs.Or;
import dev.edgellm.chat.JinjaExprs.Slice;
import dev.edgellm.chat.JinjaExprs.Test;
import dev.edgellm.chat.JinjaExprs.Variable;
import dev.edgellm.chat.JinjaLexer.Kind;
import dev.edgellm.chat.JinjaLexer.Token;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Jinja2's expression grammar, by precedence: conditional, {@code or}, {@code and}, {@code not},
 * comparisons, {@code + -}, {@code ~}, {@code * / // %}, {@code **}, unary signs, filters and
 * tests, then attribute, item, slice and call postfixes on literals and names.
 */
class JinjaExpressionParser extends JinjaTokenStream {
  JinjaExpressionParser(List<Token> tokens) {
    super(tokens);
  }

  Filter filterCall() {
    String name = expectName();
    while (peek().isOp(".")) {
      i++;
      name = name + "." + expectName();
    }
    List<Expr> args = new ArrayList<>();
    Map<String, Expr> kwargs = new LinkedHashMap<>();
    if (peek().isOp("(")) {
      callArgs(args, kwargs);
    }
    return new Filter(name, args, kwargs);
  }

  void callArgs(List<Expr> args, Map<String, Expr> kwargs) {
    expectOp("(");
    while (!peek().isOp(")")) {
      if (peek().kind() == Kind.NAME && peek(1).isOp("=")) {
        String key = next().text();
        i++;
        kwargs.put(key, expression());
      } else {
        args.add(expression());
      }
      if (peek().isOp(",")) {
        i++;
      } else if (!peek().isOp(")")) {
        throw error("expected ',' or ')', found '" + peek().text() + "'");
      }
    }
    i++;
  }

  // expression := or ('if' or ('else' expression)?)*
  Expr expression() {
    Expr e = or();
    while (peek().isName("if")) {
      i++;
      Expr cond = or();
      Expr otherwise = null;
      if (peek().isName("else")) {
        i++;
        otherwise = expression();
      }
      e = new Conditional(cond, e, otherwise);
    }
    return e;
  }

  /** An expression without a trailing conditional (for-loop targets). */
  Expr ternaryFree() {
    return or();
  }

  private Expr or() {
    Expr left = and();
    while (peek().isName("or")) {
      i++;
      left = new Or(left, and());
    }
    return left;
  }

  private Expr and() {
    Expr left = not();
    while (peek().isName("and")) {
      i++;
      left = new And(left, not());
    }
    return left;
  }

  private Expr not() {
    if (peek().isName("not")) {
      i++;
      return new Not(not());
    }
    return compare();
  }

  private Expr compare() {
    Expr left = math1();
    while (true) {
      Token t = peek();
      String op;
      if (t.kind() == Kind.OP
          && (t.text().equals("==")
              || t.text().equals("!=")
              || t.text().equals("<")
              || t.text().equals(">")
              || t.text().equals("<=")
              || t.text().equals(">="))) {
        op = t.text();
        i++;
      } else if (t.isName("in")) {
        op = "in";
        i++;
      } else if (t.isName("not") && peek(1).isName("in")) {
        op = "not in";
        i += 2;
      } else {
        return left;
      }
      left = new Compare(op, left, math1());
    }
  }

  private Expr math1() {
    Expr left = concat();
    while (peek().isOp("+") || peek().isOp("-")) {
      String op = next().text();
      left = new Arithmetic(op, left, concat());
    }
    return left;
  }

  private Expr concat() {
    Expr left = math2();
    while (peek().isOp("~")) {
      i++;
      left = new Concat(left, math2());
    }
    return left;
  }

  private Expr math2() {
    Expr left = pow();
    while (peek().isOp("*") || peek().isOp("/") || peek().isOp("//") || peek().isOp("%")) {
      String op = next().text();
      left = new Arithmetic(op, left, pow());
    }
    return left;
  }

  private Expr pow() {
    Expr left = unary(true);
    while (peek().isOp("**")) {
      i++;
      left = new Arithmetic("**", left, unary(true));
    }
    return left;
  }

  private Expr unary(boolean withFilter) {
    Expr e;
    if (peek().isOp("-")) {
      i++;
      e = new Arithmetic("-", new Literal(0L), unary(false));
    } else if (peek().isOp("+")) {
      i++;
      e = unary(false);
    } else {
      e = primary();
    }
    e = postfix(e);
    if (withFilter) {
      e = filters(e);
    }
    return e;
  }

  private Expr filters(Expr e) {
    while (true) {
      if (peek().isOp("|")) {
        i++;
        e = new Filtered(e, filterCall());
      } else if (peek().isName("is")) {
        i++;
        boolean negate = false;
        if (peek().isName("not")) {
          i++;
          negate = true;
        }
        String name = expectName();
        while (peek().isOp(".")) {
          i++;
          name = name + "." + expectName();
        }
        List<Expr> args = new ArrayList<>();
        Token t = peek();
        if (t.isOp("(")) {
          callArgs(args, new LinkedHashMap<>());
        } else if ((t.kind() == Kind.NAME
                || t.kind() == Kind.STRING
                || t.kind() == Kind.INT
                || t.kind() == Kind.FLOAT
                || t.isOp("[")
                || t.isOp("{"))
            && !t.isName("else")
            && !t.isName("or")
            && !t.isName("and")
            && !t.isName("if")) {
          args.add(postfix(primary()));
        }
        e = new Test(e, name, negate, args);
      } else {
        return e;
      }
    }
  }

  private Expr postfix(Expr e) {
    while (true) {
      if (peek().isOp(".")) {
        i++;
        e = new GetAttr(e, next().text());
      } else if (peek().isOp("[")) {
        i++;
        if (peek().isOp(":") || isSlice()) {
          Expr[] parts = slice();
          e = new Slice(e, parts[0], parts[1], parts[2]);
        } else {
          Expr key = expression();
          expectOp("]");
          e = new GetItem(e, key);
        }
      } else if (peek().isOp("(")) {
        List<Expr> args = new ArrayList<>();
        Map<String, Expr> kwargs = new LinkedHashMap<>();
        callArgs(args, kwargs);
        e = new Call(e, args, kwargs);
      } else {
        return e;
      }
    }
  }

  /** True when the subscript that starts here has a ':' at its top level. */
  private boolean isSlice() {
    int depth = 0;
    for (int j = i; j < tokens.size(); j++) {
      Token t = tokens.get(j);
      if (t.isOp("(") || t.isOp("[") || t.isOp("{")) {
        depth++;
      } else if (t.isOp(")") || t.isOp("}")) {
        depth--;
      } else if (t.isOp("]")) {
        if (depth == 0) {
          return false;
        }
        depth--;
      } else if (t.isOp(":") && depth == 0) {
        return true;
      } else if (t.kind() == Kind.VAR_END || t.kind() == Kind.BLOCK_END) {
        return false;
      }
    }
    return false;
  }

  private Expr[] slice() {
    Expr[] parts = new Expr[3];
    int part = 0;
    while (!peek().isOp("]")) {
      if (peek().isOp(":")) {
        i++;
        part++;
        continue;
      }
      parts[part] = expression();
    }
    i++;
    return parts;
  }

  private Expr primary() {
    Token t = next();
    switch (t.kind()) {
      case STRING -> {
        StringBuilder sb = new StringBuilder(t.text());
        while (peek().kind() == Kind.STRING) {
          sb.append(next().text());
        }
        return new Literal(sb.toString());
      }
      case INT -> {
        return new Literal(Long.parseLong(t.text()));
      }
      case FLOAT -> {
        return new Literal(Double.parseDouble(t.text()));
      }
      case NAME -> {
        return switch (t.text()) {
          case "true", "True" -> new Literal(Boolean.TRUE);
          case "false", "False" -> new Literal(Boolean.FALSE);
          case "none", "None" -> new Literal(null);
          default -> new Variable(t.text());
        };
      }
      case OP -> {
        switch (t.text()) {
          case "(" -> {
            return parenthesized();
          }
          case "[" -> {
            List<Expr> items = new ArrayList<>();
            while (!peek().isOp("]")) {
              items.add(expression());
              if (peek().isOp(",")) {
                i++;
              }
            }
            i++;
            return new ListDisplay(items);
          }
          case "{" -> {
            List<Expr> keys = new ArrayList<>();
            List<Expr> values = new ArrayList<>();
            while (!peek().isOp("}")) {
              keys.add(expression());
              expectOp(":");
              values.add(expression());
              if (peek().isOp(",")) {
                i++;
              }
            }
            i++;
            return new DictDisplay(keys, values);
          }
          default -> {}
        }
      }
      default -> {}
    }
    i--;
    throw error("unexpected '" + t.text() + "'");
  }

  /** After {@code (}: an empty tuple, a parenthesized expression or a tuple. */
  private Expr parenthesized() {
    if (peek().isOp(")")) {
      i++;
      return new Literal(List.of());
    }
    Expr first = expression();
    if (peek().isOp(")")) {
      i++;
      return first;
    }
    List<Expr> items = new ArrayList<>();
    items.add(first);
    while (peek().isOp(",")) {
      i++;
      if (peek().isOp(")")) {
        break;
      }
      items.add(expression());
    }
    expectOp(")");
    return new ListDisplay(items);
  }
}
