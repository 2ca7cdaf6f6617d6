package dev.edgellm.chat;

import dev.edgellm.chat.JinjaLexer.Kind;
import dev.edgellm.chat.JinjaNodes.Node;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A Jinja2 template as Hugging Face renders chat templates: the statements ({@code if}, {@code for}
 * with loop controls and {@code else}, {@code set} with namespaces and blocks, {@code macro},
 * {@code filter}, {@code generation}, {@code raw}), Jinja2's scoping (a loop's assignments stay in
 * the loop), Python's value semantics (what {@code str()} prints, {@code json.dumps}), the filters
 * and tests chat templates use and Hugging Face's globals ({@code raise_exception}, {@code
 * strftime_now}, a {@code tojson} without HTML escaping).
 *
 * <p>{@link JinjaLexer} tokenizes, {@link JinjaParser} (statements) and {@link
 * JinjaExpressionParser} build the tree of {@link JinjaNodes} and {@link JinjaExprs}, which render
 * and evaluate themselves with the builtins: {@link JinjaGlobals}, {@link JinjaOps} (operators and
 * access), {@link JinjaMethods} (Python methods), {@link JinjaFilters} and {@link JinjaTests}.
 */
public final class JinjaTemplate {
  private final List<Node> body;

  private JinjaTemplate(List<Node> body) {
    this.body = body;
  }

  /** Parses a template; throws {@link TemplateException} naming the line of a syntax error. */
  public static JinjaTemplate parse(String source) {
    JinjaParser p = new JinjaParser(JinjaLexer.tokenize(source));
    List<Node> nodes = p.body(Set.of());
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
    JinjaGlobals.install(globals.vars);
    for (Map.Entry<String, ?> e : variables.entrySet()) {
      globals.vars.put(e.getKey(), normalize(e.getValue()));
    }
    Scope root = new Scope(globals);
    StringBuilder out = new StringBuilder();
    JinjaNodes.renderAll(body, root, out);
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
}
