package dev.edgellm.chat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Jinja2's filters as chat templates use them ({@code tojson} without HTML escaping). */
final class JinjaFilters {
  private JinjaFilters() {}

  static Object apply(String name, Object v, List<Object> args, Map<String, Object> kw) {
    switch (name) {
      case "trim":
        return JinjaMethods.strip(
            Py.str(v), args.isEmpty() ? null : Py.str(args.get(0)), true, true);
      case "upper":
        return Py.str(v).toUpperCase(Locale.ROOT);
      case "lower":
        return Py.str(v).toLowerCase(Locale.ROOT);
      case "capitalize":
        return JinjaMethods.capitalize(Py.str(v));
      case "title":
        return JinjaMethods.title(Py.str(v));
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
        return (long) JinjaOps.iterate(v).size();
      case "list":
        return JinjaOps.iterate(v);
      case "first":
        {
          List<Object> l = JinjaOps.iterate(v);
          return l.isEmpty() ? Py.UNDEFINED : l.get(0);
        }
      case "last":
        {
          List<Object> l = JinjaOps.iterate(v);
          return l.isEmpty() ? Py.UNDEFINED : l.get(l.size() - 1);
        }
      case "reverse":
        {
          if (v instanceof String s) {
            return new StringBuilder(s).reverse().toString();
          }
          List<Object> l = JinjaOps.iterate(v);
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
          List<Object> l = JinjaOps.iterate(v);
          for (int k = 0; k < l.size(); k++) {
            Object item = attribute == null ? l.get(k) : JinjaOps.getItem(l.get(k), attribute);
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
          List<Object> l = JinjaMethods.items(m);
          Comparator<Object> cmp =
              (x, y) ->
                  Py.compare(
                      sortKey(((List<?>) x).get(pos), caseSensitive),
                      sortKey(((List<?>) y).get(pos), caseSensitive));
          l.sort(reverse ? cmp.reversed() : cmp);
          return l;
        }
      case "items":
        return v instanceof Map<?, ?> m ? JinjaMethods.items(m) : List.of();
      case "sort":
        {
          boolean reverse = !args.isEmpty() ? Py.truthy(args.get(0)) : Py.truthy(kw.get("reverse"));
          boolean cs =
              args.size() > 1 ? Py.truthy(args.get(1)) : Py.truthy(kw.get("case_sensitive"));
          Object attribute = args.size() > 2 ? args.get(2) : kw.get("attribute");
          List<Object> l = JinjaOps.iterate(v);
          Comparator<Object> cmp =
              (x, y) ->
                  Py.compare(
                      sortKey(attribute == null ? x : JinjaOps.getItem(x, attribute), cs),
                      sortKey(attribute == null ? y : JinjaOps.getItem(y, attribute), cs));
          l.sort(reverse ? cmp.reversed() : cmp);
          return l;
        }
      case "unique":
        {
          List<Object> out = new ArrayList<>();
          for (Object o : JinjaOps.iterate(v)) {
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
            for (Object o : JinjaOps.iterate(v)) {
              Object got = JinjaOps.getItem(o, kw.get("attribute"));
              out.add(got == Py.UNDEFINED && kw.containsKey("default") ? kw.get("default") : got);
            }
            return out;
          }
          String f = Py.str(args.get(0));
          List<Object> rest = args.subList(1, args.size());
          for (Object o : JinjaOps.iterate(v)) {
            out.add(apply(f, o, rest, kw));
          }
          return out;
        }
      case "select", "reject":
        {
          List<Object> out = new ArrayList<>();
          boolean keep = name.equals("select");
          for (Object o : JinjaOps.iterate(v)) {
            boolean t =
                args.isEmpty()
                    ? Py.truthy(o)
                    : JinjaTests.test(Py.str(args.get(0)), o, args.subList(1, args.size()));
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
          for (Object o : JinjaOps.iterate(v)) {
            Object a = JinjaOps.getItem(o, args.get(0));
            boolean t =
                args.size() < 2
                    ? Py.truthy(a)
                    : JinjaTests.test(Py.str(args.get(1)), a, args.subList(2, args.size()));
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
          for (Object o : JinjaOps.iterate(v)) {
            total =
                JinjaOps.arithmetic(
                    "+",
                    total,
                    kw.containsKey("attribute") ? JinjaOps.getItem(o, kw.get("attribute")) : o);
          }
          return total;
        }
      case "min", "max":
        {
          List<Object> l = JinjaOps.iterate(v);
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
        return JinjaOps.format(Py.str(v), args);
      case "attr":
        return JinjaOps.getAttr(v, Py.str(args.get(0)));
      case "wordcount":
        return (long) JinjaMethods.split(Py.str(v), null, -1).size();
      case "batch":
        {
          int size = (int) Py.num(args.get(0));
          List<Object> out = new ArrayList<>();
          List<Object> cur = new ArrayList<>();
          for (Object o : JinjaOps.iterate(v)) {
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
        return new ArrayList<>(new LinkedHashSet<>(JinjaOps.iterate(v)));
      default:
        throw new TemplateException("the filter '" + name + "' is not supported");
    }
  }

  private static Object sortKey(Object v, boolean caseSensitive) {
    return !caseSensitive && v instanceof String s ? s.toLowerCase(Locale.ROOT) : v;
  }
}
