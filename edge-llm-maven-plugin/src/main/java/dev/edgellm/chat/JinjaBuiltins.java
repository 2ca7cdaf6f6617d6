package dev.edgellm.chat;

import dev.edgellm.chat.JinjaTemplate.Callable;
import dev.edgellm.chat.JinjaTemplate.Namespace;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Jinja2's operators, filters, tests and globals, with Hugging Face's additions. */
final class JinjaBuiltins {
  private JinjaBuiltins() {}

  /** The {@code loop} variable of a for loop. */
  static final class Loop {
    final List<Object> items;
    final int index;

    Loop(List<Object> items, int index) {
      this.items = items;
      this.index = index;
    }

    Object attr(String name) {
      int n = items.size();
      return switch (name) {
        case "index" -> (long) index + 1;
        case "index0" -> (long) index;
        case "revindex" -> (long) (n - index);
        case "revindex0" -> (long) (n - index - 1);
        case "first" -> index == 0;
        case "last" -> index == n - 1;
        case "length" -> (long) n;
        case "previtem" -> index > 0 ? items.get(index - 1) : Py.UNDEFINED;
        case "nextitem" -> index < n - 1 ? items.get(index + 1) : Py.UNDEFINED;
        case "depth" -> 1L;
        case "depth0" -> 0L;
        case "cycle" ->
            (Callable) (args, kw) -> args.isEmpty() ? Py.UNDEFINED : args.get(index % args.size());
        default -> Py.UNDEFINED;
      };
    }
  }

  static void install(Map<String, Object> globals) {
    globals.put(
        "raise_exception",
        (Callable)
            (args, kw) -> {
              throw new TemplateException(
                  "the chat template raised an exception: "
                      + (args.isEmpty() ? "" : Py.str(args.get(0))));
            });
    globals.put(
        "namespace",
        (Callable)
            (args, kw) -> {
              Namespace ns = new Namespace();
              for (Object a : args) {
                if (a instanceof Map<?, ?> m) {
                  m.forEach((k, v) -> ns.attrs.put(Py.str(k), v));
                }
              }
              ns.attrs.putAll(kw);
              return ns;
            });
    globals.put(
        "range",
        (Callable)
            (args, kw) -> {
              long start = 0;
              long stop;
              long step = 1;
              if (args.size() == 1) {
                stop = (long) Py.num(args.get(0));
              } else {
                start = (long) Py.num(args.get(0));
                stop = (long) Py.num(args.get(1));
                if (args.size() > 2) {
                  step = (long) Py.num(args.get(2));
                }
              }
              List<Object> out = new ArrayList<>();
              for (long v = start; step > 0 ? v < stop : v > stop; v += step) {
                out.add(v);
              }
              return out;
            });
    globals.put(
        "dict",
        (Callable)
            (args, kw) -> {
              Map<Object, Object> m = new LinkedHashMap<>();
              if (!args.isEmpty() && args.get(0) instanceof Map<?, ?> src) {
                m.putAll(src);
              }
              m.putAll(kw);
              return m;
            });
    globals.put(
        "strftime_now",
        (Callable)
            (args, kw) ->
                strftime(LocalDateTime.now(), args.isEmpty() ? "%Y-%m-%d" : Py.str(args.get(0))));
  }

  private static String strftime(LocalDateTime t, String format) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < format.length(); i++) {
      char c = format.charAt(i);
      if (c != '%' || i + 1 >= format.length()) {
        sb.append(c);
        continue;
      }
      char f = format.charAt(++i);
      String pattern =
          switch (f) {
            case 'Y' -> "yyyy";
            case 'm' -> "MM";
            case 'd' -> "dd";
            case 'H' -> "HH";
            case 'M' -> "mm";
            case 'S' -> "ss";
            case 'B' -> "MMMM";
            case 'b' -> "MMM";
            case 'A' -> "EEEE";
            case 'a' -> "EEE";
            case 'y' -> "yy";
            default -> null;
          };
      if (pattern == null) {
        sb.append(f == '%' ? "%" : "%" + f);
      } else {
        sb.append(DateTimeFormatter.ofPattern(pattern, Locale.ENGLISH).format(t));
      }
    }
    return sb.toString();
  }

  // ---- operators
  // -----------------------------------------------------------------------------------

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
  private static String format(String fmt, List<Object> args) {
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

  // ---- attribute and item access
  // -----------------------------------------------------------------

  static Object getAttr(Object obj, String name) {
    if (obj instanceof Map<?, ?> m) {
      Object method = method(obj, name);
      if (method != null) {
        return method;
      }
      return m.containsKey(name) ? m.get(name) : Py.UNDEFINED;
    }
    if (obj instanceof Namespace ns) {
      return ns.attrs.containsKey(name) ? ns.attrs.get(name) : Py.UNDEFINED;
    }
    if (obj instanceof Loop loop) {
      return loop.attr(name);
    }
    Object method = method(obj, name);
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
    Object method = method(obj, name);
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
  private static Callable method(Object obj, String name) {
    if (obj instanceof String s) {
      return switch (name) {
        case "strip" -> (a, kw) -> strip(s, a.isEmpty() ? null : Py.str(a.get(0)), true, true);
        case "lstrip" -> (a, kw) -> strip(s, a.isEmpty() ? null : Py.str(a.get(0)), true, false);
        case "rstrip" -> (a, kw) -> strip(s, a.isEmpty() ? null : Py.str(a.get(0)), false, true);
        case "upper" -> (a, kw) -> s.toUpperCase(Locale.ROOT);
        case "lower" -> (a, kw) -> s.toLowerCase(Locale.ROOT);
        case "title" -> (a, kw) -> title(s);
        case "capitalize" -> (a, kw) -> capitalize(s);
        case "startswith" -> (a, kw) -> affix(s, a.get(0), true);
        case "endswith" -> (a, kw) -> affix(s, a.get(0), false);
        case "split" ->
            (a, kw) ->
                split(
                    s,
                    a.isEmpty() || a.get(0) == null ? null : Py.str(a.get(0)),
                    a.size() > 1 ? (int) Py.num(a.get(1)) : -1);
        case "replace" ->
            (a, kw) -> {
              String from = Py.str(a.get(0));
              String to = Py.str(a.get(1));
              if (a.size() < 3) {
                return s.replace(from, to);
              }
              String r = s;
              StringBuilder sb = new StringBuilder();
              int count = (int) Py.num(a.get(2));
              int at;
              while (count-- > 0 && !from.isEmpty() && (at = r.indexOf(from)) >= 0) {
                sb.append(r, 0, at).append(to);
                r = r.substring(at + from.length());
              }
              return sb.append(r).toString();
            };
        case "find" -> (a, kw) -> (long) s.indexOf(Py.str(a.get(0)));
        case "count" ->
            (a, kw) -> {
              String sub = Py.str(a.get(0));
              long c = 0;
              for (int at = s.indexOf(sub);
                  at >= 0 && !sub.isEmpty();
                  at = s.indexOf(sub, at + sub.length())) {
                c++;
              }
              return c;
            };
        case "join" ->
            (a, kw) -> {
              StringBuilder sb = new StringBuilder();
              List<Object> parts = iterate(a.get(0));
              for (int k = 0; k < parts.size(); k++) {
                sb.append(k > 0 ? s : "").append(Py.str(parts.get(k)));
              }
              return sb.toString();
            };
        case "splitlines" -> (a, kw) -> new ArrayList<Object>(List.of(s.split("\r?\n", -1)));
        case "isdigit" -> (a, kw) -> !s.isEmpty() && s.chars().allMatch(Character::isDigit);
        case "format" -> (a, kw) -> formatBraces(s, a, kw);
        default -> null;
      };
    }
    if (obj instanceof Map<?, ?> m) {
      return switch (name) {
        case "items" -> (a, kw) -> items(m);
        case "keys" -> (a, kw) -> new ArrayList<Object>(m.keySet());
        case "values" -> (a, kw) -> new ArrayList<Object>(m.values());
        case "get" ->
            (a, kw) -> m.containsKey(a.get(0)) ? m.get(a.get(0)) : (a.size() > 1 ? a.get(1) : null);
        default -> null;
      };
    }
    if (obj instanceof List<?> l) {
      return switch (name) {
        case "index" ->
            (a, kw) -> {
              for (int k = 0; k < l.size(); k++) {
                if (Py.eq(l.get(k), a.get(0))) {
                  return (long) k;
                }
              }
              throw new TemplateException(Py.repr(a.get(0)) + " is not in list");
            };
        case "count" -> (a, kw) -> l.stream().filter(x -> Py.eq(x, a.get(0))).count();
        default -> null;
      };
    }
    return null;
  }

  private static String formatBraces(String s, List<Object> args, Map<String, Object> kw) {
    StringBuilder sb = new StringBuilder();
    int next = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '{' && i + 1 < s.length() && s.charAt(i + 1) == '{') {
        sb.append('{');
        i++;
      } else if (c == '}' && i + 1 < s.length() && s.charAt(i + 1) == '}') {
        sb.append('}');
        i++;
      } else if (c == '{') {
        int end = s.indexOf('}', i);
        String key = s.substring(i + 1, end);
        Object v =
            key.isEmpty()
                ? args.get(next++)
                : key.chars().allMatch(Character::isDigit)
                    ? args.get(Integer.parseInt(key))
                    : kw.get(key);
        sb.append(Py.str(v));
        i = end;
      } else {
        sb.append(c);
      }
    }
    return sb.toString();
  }

  private static boolean affix(String s, Object arg, boolean prefix) {
    if (arg instanceof List<?> options) {
      for (Object o : options) {
        if (prefix ? s.startsWith(Py.str(o)) : s.endsWith(Py.str(o))) {
          return true;
        }
      }
      return false;
    }
    return prefix ? s.startsWith(Py.str(arg)) : s.endsWith(Py.str(arg));
  }

  static String strip(String s, String chars, boolean left, boolean right) {
    int start = 0;
    int end = s.length();
    while (left && start < end && stripped(s.charAt(start), chars)) {
      start++;
    }
    while (right && end > start && stripped(s.charAt(end - 1), chars)) {
      end--;
    }
    return s.substring(start, end);
  }

  private static boolean stripped(char c, String chars) {
    return chars == null
        ? Character.isWhitespace(c) || Character.isSpaceChar(c)
        : chars.indexOf(c) >= 0;
  }

  private static List<Object> split(String s, String sep, int max) {
    List<Object> out = new ArrayList<>();
    if (sep == null) {
      String rest = strip(s, null, true, false);
      while (!rest.isEmpty()) {
        if (max >= 0 && out.size() == max) {
          out.add(strip(rest, null, false, true));
          return out;
        }
        int k = 0;
        while (k < rest.length() && !Character.isWhitespace(rest.charAt(k))) {
          k++;
        }
        out.add(rest.substring(0, k));
        rest = strip(rest.substring(k), null, true, false);
      }
      return out;
    }
    if (sep.isEmpty()) {
      throw new TemplateException("empty separator");
    }
    int from = 0;
    while (true) {
      int at = s.indexOf(sep, from);
      if (at < 0 || (max >= 0 && out.size() == max)) {
        out.add(s.substring(from));
        return out;
      }
      out.add(s.substring(from, at));
      from = at + sep.length();
    }
  }

  private static String title(String s) {
    StringBuilder sb = new StringBuilder();
    boolean prevCased = false;
    for (char c : s.toCharArray()) {
      sb.append(prevCased ? Character.toLowerCase(c) : Character.toUpperCase(c));
      prevCased = Character.isLetter(c);
    }
    return sb.toString();
  }

  private static String capitalize(String s) {
    return s.isEmpty()
        ? s
        : s.substring(0, 1).toUpperCase(Locale.ROOT) + s.substring(1).toLowerCase(Locale.ROOT);
  }

  private static List<Object> items(Map<?, ?> m) {
    List<Object> out = new ArrayList<>();
    m.forEach((k, v) -> out.add(new ArrayList<>(java.util.Arrays.asList(k, v))));
    return out;
  }

  // ---- filters
  // -----------------------------------------------------------------------------------

  static Object filter(String name, Object v, List<Object> args, Map<String, Object> kw) {
    switch (name) {
      case "trim":
        return strip(Py.str(v), args.isEmpty() ? null : Py.str(args.get(0)), true, true);
      case "upper":
        return Py.str(v).toUpperCase(Locale.ROOT);
      case "lower":
        return Py.str(v).toLowerCase(Locale.ROOT);
      case "capitalize":
        return capitalize(Py.str(v));
      case "title":
        return title(Py.str(v));
      case "string":
        return Py.str(v);
      case "safe", "e", "escape", "forceescape":
        return v instanceof String ? v : Py.str(v);
      case "default", "d":
        {
          Object fallback = args.isEmpty() ? "" : args.get(0);
          boolean bool = args.size() > 1 ? Py.truthy(args.get(1)) : Py.truthy(kw.get("boolean"));
          return v == Py.UNDEFINED || (bool && !Py.truthy(v)) ? fallback : v;
        }
      case "length", "count":
        if (v instanceof String s) {
          return (long) s.codePointCount(0, s.length());
        }
        if (v instanceof Map<?, ?> m) {
          return (long) m.size();
        }
        return (long) iterate(v).size();
      case "list":
        return iterate(v);
      case "first":
        {
          List<Object> l = iterate(v);
          return l.isEmpty() ? Py.UNDEFINED : l.get(0);
        }
      case "last":
        {
          List<Object> l = iterate(v);
          return l.isEmpty() ? Py.UNDEFINED : l.get(l.size() - 1);
        }
      case "reverse":
        {
          if (v instanceof String s) {
            return new StringBuilder(s).reverse().toString();
          }
          List<Object> l = iterate(v);
          Collections.reverse(l);
          return l;
        }
      case "join":
        {
          String sep = args.isEmpty() ? "" : Py.str(args.get(0));
          Object attribute =
              kw.containsKey("attribute")
                  ? kw.get("attribute")
                  : args.size() > 1 ? args.get(1) : null;
          StringBuilder sb = new StringBuilder();
          List<Object> l = iterate(v);
          for (int k = 0; k < l.size(); k++) {
            Object item = attribute == null ? l.get(k) : getItem(l.get(k), attribute);
            sb.append(k > 0 ? sep : "").append(Py.str(item));
          }
          return sb.toString();
        }
      case "tojson":
        {
          Object indent =
              kw.containsKey("indent") ? kw.get("indent") : args.isEmpty() ? null : args.get(0);
          Integer ind = indent == null || indent == Py.UNDEFINED ? null : (int) Py.num(indent);
          String itemSep = ind == null ? ", " : ",";
          String keySep = ": ";
          if (kw.get("separators") instanceof List<?> seps && seps.size() == 2) {
            itemSep = Py.str(seps.get(0));
            keySep = Py.str(seps.get(1));
          }
          boolean ascii = kw.containsKey("ensure_ascii") && Py.truthy(kw.get("ensure_ascii"));
          boolean sort = kw.containsKey("sort_keys") && Py.truthy(kw.get("sort_keys"));
          return Py.json(v, ascii, ind, itemSep, keySep, sort);
        }
      case "dictsort":
        {
          if (!(v instanceof Map<?, ?> m)) {
            throw new TemplateException("dictsort needs a mapping, not " + Py.typeName(v));
          }
          boolean caseSensitive =
              args.isEmpty() ? Py.truthy(kw.get("case_sensitive")) : Py.truthy(args.get(0));
          Object by = args.size() > 1 ? args.get(1) : kw.getOrDefault("by", "key");
          boolean reverse = args.size() > 2 ? Py.truthy(args.get(2)) : Py.truthy(kw.get("reverse"));
          int pos = "value".equals(by) ? 1 : 0;
          List<Object> l = items(m);
          Comparator<Object> cmp =
              (x, y) ->
                  Py.compare(
                      sortKey(((List<?>) x).get(pos), caseSensitive),
                      sortKey(((List<?>) y).get(pos), caseSensitive));
          l.sort(reverse ? cmp.reversed() : cmp);
          return l;
        }
      case "items":
        return v instanceof Map<?, ?> m ? items(m) : List.of();
      case "sort":
        {
          boolean reverse = !args.isEmpty() ? Py.truthy(args.get(0)) : Py.truthy(kw.get("reverse"));
          boolean cs =
              args.size() > 1 ? Py.truthy(args.get(1)) : Py.truthy(kw.get("case_sensitive"));
          Object attribute = args.size() > 2 ? args.get(2) : kw.get("attribute");
          List<Object> l = iterate(v);
          Comparator<Object> cmp =
              (x, y) ->
                  Py.compare(
                      sortKey(attribute == null ? x : getItem(x, attribute), cs),
                      sortKey(attribute == null ? y : getItem(y, attribute), cs));
          l.sort(reverse ? cmp.reversed() : cmp);
          return l;
        }
      case "unique":
        {
          List<Object> out = new ArrayList<>();
          for (Object o : iterate(v)) {
            if (out.stream().noneMatch(x -> Py.eq(x, o))) {
              out.add(o);
            }
          }
          return out;
        }
      case "map":
        {
          List<Object> out = new ArrayList<>();
          if (kw.containsKey("attribute")) {
            for (Object o : iterate(v)) {
              Object got = getItem(o, kw.get("attribute"));
              out.add(got == Py.UNDEFINED && kw.containsKey("default") ? kw.get("default") : got);
            }
            return out;
          }
          String f = Py.str(args.get(0));
          List<Object> rest = args.subList(1, args.size());
          for (Object o : iterate(v)) {
            out.add(filter(f, o, rest, kw));
          }
          return out;
        }
      case "select", "reject":
        {
          List<Object> out = new ArrayList<>();
          boolean keep = name.equals("select");
          for (Object o : iterate(v)) {
            boolean t =
                args.isEmpty()
                    ? Py.truthy(o)
                    : test(Py.str(args.get(0)), o, args.subList(1, args.size()));
            if (t == keep) {
              out.add(o);
            }
          }
          return out;
        }
      case "selectattr", "rejectattr":
        {
          List<Object> out = new ArrayList<>();
          boolean keep = name.equals("selectattr");
          for (Object o : iterate(v)) {
            Object a = getItem(o, args.get(0));
            boolean t =
                args.size() < 2
                    ? Py.truthy(a)
                    : test(Py.str(args.get(1)), a, args.subList(2, args.size()));
            if (t == keep) {
              out.add(o);
            }
          }
          return out;
        }
      case "int":
        try {
          if (v instanceof String s) {
            return Long.parseLong(s.trim());
          }
          return (long) Py.num(v);
        } catch (RuntimeException ex) {
          return args.isEmpty() ? 0L : args.get(0);
        }
      case "float":
        try {
          return v instanceof String s ? Double.parseDouble(s.trim()) : Py.num(v);
        } catch (RuntimeException ex) {
          return args.isEmpty() ? 0.0 : args.get(0);
        }
      case "abs":
        return v instanceof Long l ? (Object) Math.abs(l) : (Object) Math.abs(Py.num(v));
      case "round":
        {
          int precision = args.isEmpty() ? 0 : (int) Py.num(args.get(0));
          double f = Math.pow(10, precision);
          return Math.round(Py.num(v) * f) / f;
        }
      case "sum":
        {
          Object total = 0L;
          for (Object o : iterate(v)) {
            total =
                arithmetic(
                    "+", total, kw.containsKey("attribute") ? getItem(o, kw.get("attribute")) : o);
          }
          return total;
        }
      case "min", "max":
        {
          List<Object> l = iterate(v);
          if (l.isEmpty()) {
            return Py.UNDEFINED;
          }
          Object best = l.get(0);
          for (Object o : l) {
            int c = Py.compare(o, best);
            if (name.equals("min") ? c < 0 : c > 0) {
              best = o;
            }
          }
          return best;
        }
      case "replace":
        return Py.str(v).replace(Py.str(args.get(0)), Py.str(args.get(1)));
      case "indent":
        {
          int width =
              args.isEmpty()
                  ? (int) Py.num(kw.getOrDefault("width", 4L))
                  : (int) Py.num(args.get(0));
          boolean first = args.size() > 1 ? Py.truthy(args.get(1)) : Py.truthy(kw.get("first"));
          boolean blank = args.size() > 2 ? Py.truthy(args.get(2)) : Py.truthy(kw.get("blank"));
          String pad = " ".repeat(width);
          String[] lines = Py.str(v).split("\n", -1);
          StringBuilder sb = new StringBuilder();
          for (int k = 0; k < lines.length; k++) {
            if (k > 0) {
              sb.append('\n');
            }
            boolean indentIt = (k > 0 || first) && (blank || !lines[k].isBlank());
            sb.append(indentIt ? pad : "").append(lines[k]);
          }
          return sb.toString();
        }
      case "format":
        return format(Py.str(v), args);
      case "attr":
        return getAttr(v, Py.str(args.get(0)));
      case "wordcount":
        return (long) split(Py.str(v), null, -1).size();
      case "batch":
        {
          int size = (int) Py.num(args.get(0));
          List<Object> out = new ArrayList<>();
          List<Object> cur = new ArrayList<>();
          for (Object o : iterate(v)) {
            cur.add(o);
            if (cur.size() == size) {
              out.add(cur);
              cur = new ArrayList<>();
            }
          }
          if (!cur.isEmpty()) {
            out.add(cur);
          }
          return out;
        }
      case "unique_set":
        return new ArrayList<>(new LinkedHashSet<>(iterate(v)));
      default:
        throw new TemplateException("the filter '" + name + "' is not supported");
    }
  }

  private static Object sortKey(Object v, boolean caseSensitive) {
    return !caseSensitive && v instanceof String s ? s.toLowerCase(Locale.ROOT) : v;
  }

  // ---- tests
  // -------------------------------------------------------------------------------------

  static boolean test(String name, Object v, List<Object> args) {
    return switch (name) {
      case "defined" -> v != Py.UNDEFINED;
      case "undefined" -> v == Py.UNDEFINED;
      case "none" -> v == null;
      case "boolean" -> v instanceof Boolean;
      case "true" -> Boolean.TRUE.equals(v);
      case "false" -> Boolean.FALSE.equals(v);
      case "integer" -> v instanceof Long;
      case "float" -> v instanceof Double;
      case "number" -> Py.isNumber(v) || v instanceof Boolean;
      case "string" -> v instanceof String;
      case "mapping" -> v instanceof Map;
      case "iterable" ->
          v instanceof List || v instanceof Map || v instanceof String || v == Py.UNDEFINED;
      case "sequence" -> v instanceof List || v instanceof Map || v instanceof String;
      case "callable" -> v instanceof Callable;
      case "eq", "equalto", "==" -> Py.eq(v, args.get(0));
      case "ne", "!=" -> !Py.eq(v, args.get(0));
      case "lt", "lessthan", "<" -> Py.compare(v, args.get(0)) < 0;
      case "gt", "greaterthan", ">" -> Py.compare(v, args.get(0)) > 0;
      case "le", "<=" -> Py.compare(v, args.get(0)) <= 0;
      case "ge", ">=" -> Py.compare(v, args.get(0)) >= 0;
      case "in" -> contains(args.get(0), v);
      case "odd" -> ((long) Py.num(v)) % 2 != 0;
      case "even" -> ((long) Py.num(v)) % 2 == 0;
      case "divisibleby" -> ((long) Py.num(v)) % ((long) Py.num(args.get(0))) == 0;
      case "lower" -> v instanceof String s && s.equals(s.toLowerCase(Locale.ROOT));
      case "upper" -> v instanceof String s && s.equals(s.toUpperCase(Locale.ROOT));
      case "sameas" ->
          v == args.get(0) || (v != null && v.equals(args.get(0)) && !(v instanceof String));
      case "escaped" -> false;
      default -> throw new TemplateException("the test '" + name + "' is not supported");
    };
  }
}
