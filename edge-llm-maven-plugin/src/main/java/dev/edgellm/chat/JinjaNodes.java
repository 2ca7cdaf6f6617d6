package dev.edgellm.chat;

import dev.edgellm.chat.JinjaExprs.Expr;
import dev.edgellm.chat.JinjaExprs.Filter;
import dev.edgellm.chat.JinjaTemplate.Callable;
import dev.edgellm.chat.JinjaTemplate.Namespace;
import dev.edgellm.chat.JinjaTemplate.Scope;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The statements of a parsed template, each rendering itself: text, output, {@code if}, {@code for}
 * with loop controls, {@code set}, {@code filter} blocks and {@code macro} definitions.
 */
final class JinjaNodes {
  private JinjaNodes() {}

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

  static void renderAll(List<Node> nodes, Scope scope, StringBuilder out) {
    for (Node n : nodes) {
      n.render(scope, out);
    }
  }

  interface Node {
    void render(Scope scope, StringBuilder out);
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
      List<Object> items = JinjaOps.iterate(iterable.eval(scope));
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
        inner.vars.put("loop", new JinjaGlobals.Loop(items, i));
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
      List<Object> parts = JinjaOps.iterate(item);
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
      List<Object> parts = JinjaOps.iterate(v);
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

  /** Carries the filter of {@code {% set x | filter %}...{% endset %}} through {@link Assign}. */
  record FilterHolder(Filter filter) implements Expr {
    @Override
    public Object eval(Scope scope) {
      throw new IllegalStateException();
    }
  }
}
