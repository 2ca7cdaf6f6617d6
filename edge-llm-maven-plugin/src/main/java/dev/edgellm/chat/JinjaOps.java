package dev.edgellm.chat;

import dev.edgellm.chat.JinjaTemplate.Namespace;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Jinja2's operators with Python's semantics: iteration, comparison, arithmetic, {@code %}
 * formatting, attribute, item and slice access.
 */
final class JinjaOps {
  private JinjaOps() {}

  static List<Object> iterate(Object v) {
    if (v == null || v == Py.UNDEFINED) {
      return List.of();
    }
    if (v instanceof List<?> l) {
      return new ArrayList<>(l);
    }
    if (v instanceof Map<?, ?> m) {
      return new ArrayList<>(m.keySet());
    }
    if (v instanceof String s) {
      List<Object> out = new ArrayList<>();
      s.codePoints().forEach(cp -> out.add(new String(Character.toChars(cp))));
      return out;
    }
    throw new TemplateException("'" + Py.typeName(v) + "' object is not iterable");
  }

  static Object compare(String op, Object a, Object b) {
    return switch (op) {
      case "==" -> Py.eq(a, b);
      case "!=" -> !Py.eq(a, b);
      case "<" -> Py.compare(a, b) < 0;
      case ">" -> Py.compare(a, b) > 0;
      case "<=" -> Py.compare(a, b) <= 0;
      case ">=" -> Py.compare(a, b) >= 0;
      case "in" -> contains(b, a);
      case "not in" -> !contains(b, a);
      default -> throw new TemplateException("unknown operator " + op);
    };
  }

  static boolean contains(Object container, Object item) {
    if (container instanceof String s) {
      if (!(item instanceof String sub)) {
        throw new TemplateException("'in <string>' requires string as left operand");
      }
      return s.contains(sub);
    }
    if (container instanceof Map<?, ?> m) {
      return m.containsKey(item);
    }
    if (container instanceof Namespace ns) {
      return ns.attrs.containsKey(Py.str(item));
    }
    for (Object o : iterate(container)) {
      if (Py.eq(o, item)) {
        return true;
      }
    }
    return false;
  }

  static Object arithmetic(String op, Object a, Object b) {
    if (op.equals("+")) {
      if (a instanceof String x && b instanceof String y) {
        return x + y;
      }
      if (a instanceof List<?> x && b instanceof List<?> y) {
        List<Object> out = new ArrayList<>(x);
        out.addAll(y);
        return out;
      }
    }
    if (op.equals("*")) {
      if (a instanceof String s && b instanceof Long n) {
        return s.repeat((int) Math.max(0, n));
      }
      if (a instanceof List<?> l && b instanceof Long n) {
        List<Object> out = new ArrayList<>();
        for (int k = 0; k < n; k++) {
          out.addAll(l);
        }
        return out;
      }
    }
    if (op.equals("%") && a instanceof String s) {
      return format(s, b instanceof List<?> l ? new ArrayList<>(l) : List.of(b));
    }
    if (!(Py.isNumber(a) || a instanceof Boolean) || !(Py.isNumber(b) || b instanceof Boolean)) {
      throw new TemplateException(
          "unsupported operand types for " + op + ": " + Py.typeName(a) + " and " + Py.typeName(b));
    }
    boolean ints = !(a instanceof Double) && !(b instanceof Double);
    double x = Py.num(a);
    double y = Py.num(b);
    switch (op) {
      case "+":
        return ints ? (Object) ((long) x + (long) y) : (Object) (x + y);
      case "-":
        return ints ? (Object) ((long) x - (long) y) : (Object) (x - y);
      case "*":
        return ints ? (Object) ((long) x * (long) y) : (Object) (x * y);
      case "/":
        if (y == 0) {
          throw new TemplateException("division by zero");
        }
        return x / y;
      case "//":
        if (y == 0) {
          throw new TemplateException("division by zero");
        }
        return ints ? (Object) Math.floorDiv((long) x, (long) y) : (Object) Math.floor(x / y);
      case "%":
        if (y == 0) {
          throw new TemplateException("modulo by zero");
        }
        return ints
            ? (Object) Math.floorMod((long) x, (long) y)
            : (Object) (x - y * Math.floor(x / y));
      case "**":
        return ints && y >= 0 ? (Object) (long) Math.pow(x, y) : (Object) Math.pow(x, y);
      default:
        throw new TemplateException("unknown operator " + op);
    }
  }

  /** Python's {@code %} formatting for %s, %d, %r and %%. */
  static String format(String fmt, List<Object> args) {
    StringBuilder sb = new StringBuilder();
    int next = 0;
    for (int i = 0; i < fmt.length(); i++) {
      char c = fmt.charAt(i);
      if (c != '%' || i + 1 >= fmt.length()) {
        sb.append(c);
        continue;
      }
      char f = fmt.charAt(++i);
      switch (f) {
        case '%' -> sb.append('%');
        case 's' -> sb.append(Py.str(args.get(next++)));
        case 'r' -> sb.append(Py.repr(args.get(next++)));
        case 'd', 'i' -> sb.append((long) Py.num(args.get(next++)));
        default -> sb.append('%').append(f);
      }
    }
    return sb.toString();
  }

  static Object getAttr(Object obj, String name) {
    if (obj instanceof Map<?, ?> m) {
      Object method = JinjaMethods.method(obj, name);
      if (method != null) {
        return method;
      }
      return m.containsKey(name) ? m.get(name) : Py.UNDEFINED;
    }
    if (obj instanceof Namespace ns) {
      return ns.attrs.containsKey(name) ? ns.attrs.get(name) : Py.UNDEFINED;
    }
    if (obj instanceof JinjaGlobals.Loop loop) {
      return loop.attr(name);
    }
    Object method = JinjaMethods.method(obj, name);
    return method != null ? method : Py.UNDEFINED;
  }

  static Object getItem(Object obj, Object key) {
    if (obj instanceof Map<?, ?> m) {
      if (m.containsKey(key)) {
        return m.get(key);
      }
      return key instanceof String s ? getAttrNoItem(obj, s) : Py.UNDEFINED;
    }
    if (obj instanceof List<?> l && key instanceof Long n) {
      long k = n < 0 ? l.size() + n : n;
      return k >= 0 && k < l.size() ? l.get((int) k) : Py.UNDEFINED;
    }
    if (obj instanceof String s && key instanceof Long n) {
      int[] cps = s.codePoints().toArray();
      long k = n < 0 ? cps.length + n : n;
      return k >= 0 && k < cps.length ? new String(Character.toChars(cps[(int) k])) : Py.UNDEFINED;
    }
    if (key instanceof String s) {
      return getAttr(obj, s);
    }
    return Py.UNDEFINED;
  }

  private static Object getAttrNoItem(Object obj, String name) {
    Object method = JinjaMethods.method(obj, name);
    return method != null ? method : Py.UNDEFINED;
  }

  static Object slice(Object obj, Object start, Object stop, Object step) {
    List<Object> items;
    boolean string = obj instanceof String;
    if (string) {
      items = iterate(obj);
    } else if (obj instanceof List<?> l) {
      items = new ArrayList<>(l);
    } else {
      return Py.UNDEFINED;
    }
    int n = items.size();
    int st = step == null ? 1 : (int) Py.num(step);
    if (st == 0) {
      throw new TemplateException("slice step cannot be zero");
    }
    int lo;
    int hi;
    if (st > 0) {
      lo = start == null ? 0 : clamp((int) Py.num(start), n, 0, n);
      hi = stop == null ? n : clamp((int) Py.num(stop), n, 0, n);
    } else {
      lo = start == null ? n - 1 : clamp((int) Py.num(start), n, -1, n - 1);
      hi = stop == null ? -1 : clamp((int) Py.num(stop), n, -1, n - 1);
    }
    List<Object> out = new ArrayList<>();
    for (int k = lo; st > 0 ? k < hi : k > hi; k += st) {
      out.add(items.get(k));
    }
    if (string) {
      StringBuilder sb = new StringBuilder();
      out.forEach(sb::append);
      return sb.toString();
    }
    return out;
  }

  private static int clamp(int index, int n, int min, int max) {
    int k = index < 0 ? index + n : index;
    return Math.max(min, Math.min(max, k));
  }

  /** The methods of str, dict and list that chat templates call; {@code null} for none. */
}
