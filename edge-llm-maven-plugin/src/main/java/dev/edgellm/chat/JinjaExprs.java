package dev.edgellm.chat;

import dev.edgellm.chat.JinjaTemplate.Callable;
import dev.edgellm.chat.JinjaTemplate.Scope;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The expressions of a parsed template, each evaluating itself in a scope. */
final class JinjaExprs {
  private JinjaExprs() {}

  interface Expr {
    Object eval(Scope scope);
  }

  static List<Object> evalAll(List<Expr> exprs, Scope scope) {
    List<Object> out = new ArrayList<>();
    for (Expr e : exprs) {
      out.add(e.eval(scope));
    }
    return out;
  }

  static Map<String, Object> evalAll(Map<String, Expr> exprs, Scope scope) {
    Map<String, Object> out = new LinkedHashMap<>();
    exprs.forEach((k, e) -> out.put(k, e.eval(scope)));
    return out;
  }

  /** A filter application {@code |name(args)} on a value computed elsewhere. */
  record Filter(String name, List<Expr> args, Map<String, Expr> kwargs) {
    Object apply(Object value, Scope scope) {
      return JinjaFilters.apply(name, value, evalAll(args, scope), evalAll(kwargs, scope));
    }
  }

  record Literal(Object value) implements Expr {
    @Override
    public Object eval(Scope scope) {
      return value;
    }
  }

  record Variable(String name) implements Expr {
    @Override
    public Object eval(Scope scope) {
      return scope.get(name);
    }
  }

  /** {@code then if condition else otherwise}; without an else, undefined. */
  record Conditional(Expr condition, Expr then, Expr otherwise) implements Expr {
    @Override
    public Object eval(Scope scope) {
      return Py.truthy(condition.eval(scope))
          ? then.eval(scope)
          : otherwise == null ? Py.UNDEFINED : otherwise.eval(scope);
    }
  }

  record Or(Expr left, Expr right) implements Expr {
    @Override
    public Object eval(Scope scope) {
      Object v = left.eval(scope);
      return Py.truthy(v) ? v : right.eval(scope);
    }
  }

  record And(Expr left, Expr right) implements Expr {
    @Override
    public Object eval(Scope scope) {
      Object v = left.eval(scope);
      return !Py.truthy(v) ? v : right.eval(scope);
    }
  }

  record Not(Expr operand) implements Expr {
    @Override
    public Object eval(Scope scope) {
      return !Py.truthy(operand.eval(scope));
    }
  }

  /** A comparison or membership test ({@code ==}, {@code <}, {@code in}, {@code not in}, ...). */
  record Compare(String op, Expr left, Expr right) implements Expr {
    @Override
    public Object eval(Scope scope) {
      return JinjaOps.compare(op, left.eval(scope), right.eval(scope));
    }
  }

  record Arithmetic(String op, Expr left, Expr right) implements Expr {
    @Override
    public Object eval(Scope scope) {
      return JinjaOps.arithmetic(op, left.eval(scope), right.eval(scope));
    }
  }

  /** {@code left ~ right}. */
  record Concat(Expr left, Expr right) implements Expr {
    @Override
    public Object eval(Scope scope) {
      return Py.str(left.eval(scope)) + Py.str(right.eval(scope));
    }
  }

  record Filtered(Expr base, Filter filter) implements Expr {
    @Override
    public Object eval(Scope scope) {
      return filter.apply(base.eval(scope), scope);
    }
  }

  /** {@code base is [not] name(args)}. */
  record Test(Expr base, String name, boolean negate, List<Expr> args) implements Expr {
    @Override
    public Object eval(Scope scope) {
      List<Object> a = evalAll(args, scope);
      return negate != JinjaTests.test(name, base.eval(scope), a);
    }
  }

  record GetAttr(Expr base, String name) implements Expr {
    @Override
    public Object eval(Scope scope) {
      return JinjaOps.getAttr(base.eval(scope), name);
    }
  }

  record GetItem(Expr base, Expr key) implements Expr {
    @Override
    public Object eval(Scope scope) {
      return JinjaOps.getItem(base.eval(scope), key.eval(scope));
    }
  }

  /** {@code base[start:stop:step]}, each part optional ({@code null}). */
  record Slice(Expr base, Expr start, Expr stop, Expr step) implements Expr {
    @Override
    public Object eval(Scope scope) {
      return JinjaOps.slice(
          base.eval(scope),
          start == null ? null : start.eval(scope),
          stop == null ? null : stop.eval(scope),
          step == null ? null : step.eval(scope));
    }
  }

  record Call(Expr callee, List<Expr> args, Map<String, Expr> kwargs) implements Expr {
    @Override
    public Object eval(Scope scope) {
      Object f = callee.eval(scope);
      List<Object> a = evalAll(args, scope);
      Map<String, Object> kw = evalAll(kwargs, scope);
      if (!(f instanceof Callable c)) {
        throw new TemplateException("'" + Py.repr(f) + "' is not callable");
      }
      return c.call(a, kw);
    }
  }

  /** A list or tuple display. */
  record ListDisplay(List<Expr> items) implements Expr {
    @Override
    public Object eval(Scope scope) {
      return evalAll(items, scope);
    }
  }

  record DictDisplay(List<Expr> keys, List<Expr> values) implements Expr {
    @Override
    public Object eval(Scope scope) {
      Map<Object, Object> map = new LinkedHashMap<>();
      for (int k = 0; k < keys.size(); k++) {
        map.put(keys.get(k).eval(scope), values.get(k).eval(scope));
      }
      return map;
    }
  }
}
