package dev.edgellm.chat;

import dev.edgellm.chat.JinjaTemplate.Callable;
import dev.edgellm.chat.JinjaTemplate.Namespace;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The globals a chat template sees ({@code range}, {@code namespace}, Hugging Face's {@code
 * raise_exception} and {@code strftime_now}, ...) and a loop's {@code loop} variable.
 */
final class JinjaGlobals {
  private JinjaGlobals() {}

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
}
