package dev.edgellm.chat;

import dev.edgellm.chat.JinjaLexer.Kind;
import dev.edgellm.chat.JinjaLexer.Token;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Jinja2 template as Hugging Face renders chat templates: the statements ({@code if}, {@code for}
 * with loop controls and {@code else}, {@code set} with namespaces and blocks, {@code macro},
 * {@code filter}, {@code generation}, {@code raw}), Jinja2's scoping (a loop's assignments stay in
 * the loop), Python's value semantics (what {@code str()} prints, {@code json.dumps}), the filters
 * and tests chat templates use and Hugging Face's globals ({@code raise_exception}, {@code
 * strftime_now}, a {@code tojson} without HTML escaping).
 */
public final class JinjaTemplate {
  private final List<Node> body;

  private JinjaTemplate(List<Node> body) {
    this.body = body;
  }

  /** Parses a template; throws {@link TemplateException} naming the line of a syntax error. */
  public static JinjaTemplate parse(String source) {
    Parser p = new Parser(JinjaLexer.tokenize(source));
    List<Node> nodes = p.body(java.util.Set.of());
    if (p.peek().kind() != Kind.EOF) {
      throw p.error("unexpected '" + p.peek().text() + "'");
    }
    return new JinjaTemplate(nodes);
  }

  /**
   * Renders with these variables (JSON-like values: Map, List, String, Long, Double, Boolean,
   * null).
   */
  public String render(Map<String, ?> variables) {
    Scope globals = new Scope(null);
    JinjaBuiltins.install(globals.vars);
    for (Map.Entry<String, ?> e : variables.entrySet()) {
      globals.vars.put(e.getKey(), normalize(e.getValue()));
    }
    Scope root = new Scope(globals);
    StringBuilder out = new StringBuilder();
    renderAll(body, root, out);
    return out.toString();
  }

  /** Converts ints and other Java values into the renderer's values. */
  static Object normalize(Object v) {
    if (v instanceof Integer i) {
      return (long) i;
    }
    if (v instanceof Float f) {
      return (double) f;
    }
    if (v instanceof com.fasterxml.jackson.databind.JsonNode n) {
      return Py.fromJson(n);
    }
    if (v instanceof Map<?, ?> m) {
      Map<Object, Object> copy = new LinkedHashMap<>();
      m.forEach((k, x) -> copy.put(k, normalize(x)));
      return copy;
    }
    if (v instanceof List<?> l) {
      List<Object> copy = new ArrayList<>();
      l.forEach(x -> copy.add(normalize(x)));
      return copy;
    }
    return v;
  }

  // ---- runtime
  // -----------------------------------------------------------------------------------

  static final class Scope {
    final Scope parent;
    final Map<String, Object> vars = new HashMap<>();

    Scope(Scope parent) {
      this.parent = parent;
    }

    Object get(String name) {
      for (Scope s = this; s != null; s = s.parent) {
        if (s.vars.containsKey(name)) {
          return s.vars.get(name);
        }
      }
      return Py.UNDEFINED;
    }

    Scope root() {
      Scope s = this;
      while (s.parent != null && s.parent.parent != null) {
        s = s.parent;
      }
      return s;
    }
  }

  /** A value that can be called: a macro, a global function or a bound method. */
  interface Callable {
    Object call(List<Object> args, Map<String, Object> kwargs);
  }

  /** Jinja's {@code namespace()}: attributes that can be set from inner scopes. */
  static final class Namespace {
    final Map<String, Object> attrs = new LinkedHashMap<>();
  }

  private static final class LoopControl extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final boolean isBreak;

    LoopControl(boolean isBreak) {
      super(null, null, false, false);
      this.isBreak = isBreak;
    }
  }

  private static final LoopControl BREAK = new LoopControl(true);
  private static final LoopControl CONTINUE = new LoopControl(false);

  private static void renderAll(List<Node> nodes, Scope scope, StringBuilder out) {
    for (Node n : nodes) {
      n.render(scope, out);
    }
  }

  interface Node {
    void render(Scope scope, StringBuilder out);
  }

  interface Expr {
    Object eval(Scope scope);
  }

  record Text(String text) implements Node {
    @Override
    public void render(Scope scope, StringBuilder out) {
      out.append(text);
    }
  }

  record Output(Expr expr) implements Node {
    @Override
    public void render(Scope scope, StringBuilder out) {
      out.append(Py.str(expr.eval(scope)));
    }
  }

  record If(List<Expr> conditions, List<List<Node>> bodies, List<Node> otherwise) implements Node {
    @Override
    public void render(Scope scope, StringBuilder out) {
      for (int i = 0; i < conditions.size(); i++) {
        if (Py.truthy(conditions.get(i).eval(scope))) {
          renderAll(bodies.get(i), scope, out);
          return;
        }
      }
      renderAll(otherwise, scope, out);
    }
  }

  record For(List<String> targets, Expr iterable, Expr filter, List<Node> body, List<Node> empty)
      implements Node {
    @Override
    public void render(Scope scope, StringBuilder out) {
      List<Object> items = JinjaBuiltins.iterate(iterable.eval(scope));
      Scope inner = new Scope(scope);
      if (filter != null) {
        List<Object> kept = new ArrayList<>();
        for (Object item : items) {
          bind(inner, item);
          if (Py.truthy(filter.eval(inner))) {
            kept.add(item);
          }
        }
        items = kept;
      }
      if (items.isEmpty()) {
        renderAll(empty, scope, out);
        return;
      }
      for (int i = 0; i < items.size(); i++) {
        bind(inner, items.get(i));
        inner.vars.put("loop", new JinjaBuiltins.Loop(items, i));
        try {
          renderAll(body, inner, out);
        } catch (LoopControl c) {
          if (c.isBreak) {
            break;
          }
        }
      }
    }

    private void bind(Scope inner, Object item) {
      if (targets.size() == 1) {
        inner.vars.put(targets.get(0), item);
        return;
      }
      List<Object> parts = JinjaBuiltins.iterate(item);
      if (parts.size() != targets.size()) {
        throw new TemplateException(
            "cannot unpack " + parts.size() + " values into " + targets.size() + " names");
      }
      for (int i = 0; i < targets.size(); i++) {
        inner.vars.put(targets.get(i), parts.get(i));
      }
    }
  }

  record LoopJump(boolean isBreak) implements Node {
    @Override
    public void render(Scope scope, StringBuilder out) {
      throw isBreak ? BREAK : CONTINUE;
    }
  }

  record Assign(List<String> targets, String attribute, Expr value, List<Node> block)
      implements Node {
    @Override
    public void render(Scope scope, StringBuilder out) {
      Object v;
      if (block != null) {
        StringBuilder sb = new StringBuilder();
        renderAll(block, scope, sb);
        v =
            value instanceof FilterHolder h
                ? h.filter().apply(sb.toString(), scope)
                : sb.toString();
      } else {
        v = value.eval(scope);
      }
      if (attribute != null) {
        Object target = scope.get(targets.get(0));
        if (!(target instanceof Namespace ns)) {
          throw new TemplateException(
              "cannot assign attribute on non-namespace object '" + targets.get(0) + "'");
        }
        ns.attrs.put(attribute, v);
        return;
      }
      if (targets.size() == 1) {
        scope.vars.put(targets.get(0), v);
        return;
      }
      List<Object> parts = JinjaBuiltins.iterate(v);
      if (parts.size() != targets.size()) {
        throw new TemplateException("cannot unpack " + parts.size() + " values");
      }
      for (int i = 0; i < targets.size(); i++) {
        scope.vars.put(targets.get(i), parts.get(i));
      }
    }
  }

  record FilterBlock(Filter filter, List<Node> body) implements Node {
    @Override
    public void render(Scope scope, StringBuilder out) {
      StringBuilder sb = new StringBuilder();
      renderAll(body, scope, sb);
      out.append(Py.str(filter.apply(sb.toString(), scope)));
    }
  }

  record Plain(List<Node> body) implements Node {
    @Override
    public void render(Scope scope, StringBuilder out) {
      renderAll(body, scope, out);
    }
  }

  record MacroDef(String name, List<String> params, List<Expr> defaults, List<Node> body)
      implements Node {
    @Override
    public void render(Scope scope, StringBuilder out) {
      Scope definedIn = scope;
      scope.vars.put(
          name,
          (Callable)
              (args, kwargs) -> {
                Scope local = new Scope(definedIn.root());
                List<Object> extra = new ArrayList<>();
                for (int i = 0; i < args.size(); i++) {
                  if (i < params.size()) {
                    local.vars.put(params.get(i), args.get(i));
                  } else {
                    extra.add(args.get(i));
                  }
                }
                Map<String, Object> extraKw = new LinkedHashMap<>();
                for (Map.Entry<String, Object> e : kwargs.entrySet()) {
                  if (params.contains(e.getKey())) {
                    local.vars.put(e.getKey(), e.getValue());
                  } else {
                    extraKw.put(e.getKey(), e.getValue());
                  }
                }
                for (int i = 0; i < params.size(); i++) {
                  if (!local.vars.containsKey(params.get(i))) {
                    Expr d = defaults.get(i);
                    local.vars.put(params.get(i), d == null ? Py.UNDEFINED : d.eval(local));
                  }
                }
                local.vars.put("varargs", extra);
                local.vars.put("kwargs", new LinkedHashMap<Object, Object>(extraKw));
                StringBuilder sb = new StringBuilder();
                renderAll(body, local, sb);
                return sb.toString();
              });
    }
  }

  /** A filter application {@code |name(args)} on a value computed elsewhere. */
  record Filter(String name, List<Expr> args, Map<String, Expr> kwargs) {
    Object apply(Object value, Scope scope) {
      List<Object> a = new ArrayList<>();
      for (Expr e : args) {
        a.add(e.eval(scope));
      }
      Map<String, Object> kw = new LinkedHashMap<>();
      kwargs.forEach((k, e) -> kw.put(k, e.eval(scope)));
      return JinjaBuiltins.filter(name, value, a, kw);
    }
  }

  // ---- parser
  // ------------------------------------------------------------------------------------

  private static final class Parser {
    private final List<Token> tokens;
    private int i;

    Parser(List<Token> tokens) {
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

    /** Parses nodes until a block tag whose keyword is in {@code ends} (left unconsumed). */
    List<Node> body(java.util.Set<String> ends) {
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
    String endTag() {
      i++; // BLOCK_BEGIN
      return next().text();
    }

    Node statement() {
      String keyword = expectName();
      switch (keyword) {
        case "if" -> {
          List<Expr> conditions = new ArrayList<>();
          List<List<Node>> bodies = new ArrayList<>();
          conditions.add(expression());
          expectBlockEnd();
          java.util.Set<String> ends = java.util.Set.of("elif", "else", "endif");
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
              otherwise = body(java.util.Set.of("endif"));
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
          List<Node> loopBody = body(java.util.Set.of("else", "endfor"));
          List<Node> empty = List.of();
          if (endTag().equals("else")) {
            expectBlockEnd();
            empty = body(java.util.Set.of("endfor"));
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
          List<Node> block = body(java.util.Set.of("endset"));
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
          List<Node> macroBody = body(java.util.Set.of("endmacro"));
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
          List<Node> filterBody = body(java.util.Set.of("endfilter"));
          endTag();
          expectBlockEnd();
          return new FilterBlock(f, filterBody);
        }
        case "generation" -> {
          expectBlockEnd();
          List<Node> genBody = body(java.util.Set.of("endgeneration"));
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
        Expr then = e;
        Expr other = otherwise;
        e =
            scope ->
                Py.truthy(cond.eval(scope))
                    ? then.eval(scope)
                    : other == null ? Py.UNDEFINED : other.eval(scope);
      }
      return e;
    }

    /** An expression without a trailing conditional (for-loop targets). */
    Expr ternaryFree() {
      return or();
    }

    Expr or() {
      Expr left = and();
      while (peek().isName("or")) {
        i++;
        Expr l = left;
        Expr r = and();
        left =
            scope -> {
              Object v = l.eval(scope);
              return Py.truthy(v) ? v : r.eval(scope);
            };
      }
      return left;
    }

    Expr and() {
      Expr left = not();
      while (peek().isName("and")) {
        i++;
        Expr l = left;
        Expr r = not();
        left =
            scope -> {
              Object v = l.eval(scope);
              return !Py.truthy(v) ? v : r.eval(scope);
            };
      }
      return left;
    }

    Expr not() {
      if (peek().isName("not")) {
        i++;
        Expr e = not();
        return scope -> !Py.truthy(e.eval(scope));
      }
      return compare();
    }

    Expr compare() {
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
        Expr l = left;
        Expr r = math1();
        String o = op;
        left = scope -> JinjaBuiltins.compare(o, l.eval(scope), r.eval(scope));
      }
    }

    Expr math1() {
      Expr left = concat();
      while (peek().isOp("+") || peek().isOp("-")) {
        String op = next().text();
        Expr l = left;
        Expr r = concat();
        left = scope -> JinjaBuiltins.arithmetic(op, l.eval(scope), r.eval(scope));
      }
      return left;
    }

    Expr concat() {
      Expr left = math2();
      while (peek().isOp("~")) {
        i++;
        Expr l = left;
        Expr r = math2();
        left = scope -> Py.str(l.eval(scope)) + Py.str(r.eval(scope));
      }
      return left;
    }

    Expr math2() {
      Expr left = pow();
      while (peek().isOp("*") || peek().isOp("/") || peek().isOp("//") || peek().isOp("%")) {
        String op = next().text();
        Expr l = left;
        Expr r = pow();
        left = scope -> JinjaBuiltins.arithmetic(op, l.eval(scope), r.eval(scope));
      }
      return left;
    }

    Expr pow() {
      Expr left = unary(true);
      while (peek().isOp("**")) {
        i++;
        Expr l = left;
        Expr r = unary(true);
        left = scope -> JinjaBuiltins.arithmetic("**", l.eval(scope), r.eval(scope));
      }
      return left;
    }

    Expr unary(boolean withFilter) {
      Expr e;
      if (peek().isOp("-")) {
        i++;
        Expr inner = unary(false);
        e = scope -> JinjaBuiltins.arithmetic("-", 0L, inner.eval(scope));
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

    Expr filters(Expr e) {
      while (true) {
        if (peek().isOp("|")) {
          i++;
          Filter f = filterCall();
          Expr base = e;
          e = scope -> f.apply(base.eval(scope), scope);
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
          Expr base = e;
          String test = name;
          boolean neg = negate;
          e =
              scope -> {
                List<Object> a = new ArrayList<>();
                for (Expr x : args) {
                  a.add(x.eval(scope));
                }
                return neg != JinjaBuiltins.test(test, base.eval(scope), a);
              };
        } else {
          return e;
        }
      }
    }

    Expr postfix(Expr e) {
      while (true) {
        if (peek().isOp(".")) {
          i++;
          Token t = next();
          String name = t.text();
          Expr base = e;
          e = scope -> JinjaBuiltins.getAttr(base.eval(scope), name);
        } else if (peek().isOp("[")) {
          i++;
          Expr base = e;
          if (peek().isOp(":") || isSlice()) {
            Expr[] parts = slice();
            e =
                scope ->
                    JinjaBuiltins.slice(
                        base.eval(scope),
                        parts[0] == null ? null : parts[0].eval(scope),
                        parts[1] == null ? null : parts[1].eval(scope),
                        parts[2] == null ? null : parts[2].eval(scope));
          } else {
            Expr key = expression();
            expectOp("]");
            e = scope -> JinjaBuiltins.getItem(base.eval(scope), key.eval(scope));
          }
        } else if (peek().isOp("(")) {
          List<Expr> args = new ArrayList<>();
          Map<String, Expr> kwargs = new LinkedHashMap<>();
          callArgs(args, kwargs);
          Expr base = e;
          e =
              scope -> {
                Object f = base.eval(scope);
                List<Object> a = new ArrayList<>();
                for (Expr x : args) {
                  a.add(x.eval(scope));
                }
                Map<String, Object> kw = new LinkedHashMap<>();
                kwargs.forEach((k, x) -> kw.put(k, x.eval(scope)));
                if (!(f instanceof Callable c)) {
                  throw new TemplateException("'" + Py.repr(f) + "' is not callable");
                }
                return c.call(a, kw);
              };
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

    Expr primary() {
      Token t = next();
      switch (t.kind()) {
        case STRING -> {
          StringBuilder sb = new StringBuilder(t.text());
          while (peek().kind() == Kind.STRING) {
            sb.append(next().text());
          }
          String s = sb.toString();
          return scope -> s;
        }
        case INT -> {
          long v = Long.parseLong(t.text());
          return scope -> v;
        }
        case FLOAT -> {
          double v = Double.parseDouble(t.text());
          return scope -> v;
        }
        case NAME -> {
          switch (t.text()) {
            case "true", "True" -> {
              return scope -> Boolean.TRUE;
            }
            case "false", "False" -> {
              return scope -> Boolean.FALSE;
            }
            case "none", "None" -> {
              return scope -> null;
            }
            default -> {
              String name = t.text();
              return scope -> scope.get(name);
            }
          }
        }
        case OP -> {
          switch (t.text()) {
            case "(" -> {
              if (peek().isOp(")")) {
                i++;
                return scope -> List.of();
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
              return list(items);
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
              return list(items);
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
              return scope -> {
                Map<Object, Object> map = new LinkedHashMap<>();
                for (int k = 0; k < keys.size(); k++) {
                  map.put(keys.get(k).eval(scope), values.get(k).eval(scope));
                }
                return map;
              };
            }
            default -> {}
          }
        }
        default -> {}
      }
      i--;
      throw error("unexpected '" + t.text() + "'");
    }

    private static Expr list(List<Expr> items) {
      return scope -> {
        List<Object> out = new ArrayList<>();
        for (Expr e : items) {
          out.add(e.eval(scope));
        }
        return out;
      };
    }
  }

  /** Carries the filter of {@code {% set x | filter %}...{% endset %}} through {@link Assign}. */
  private record FilterHolder(Filter filter) implements Expr {
    @Override
    public Object eval(Scope scope) {
      throw new IllegalStateException();
    }
  }
}
