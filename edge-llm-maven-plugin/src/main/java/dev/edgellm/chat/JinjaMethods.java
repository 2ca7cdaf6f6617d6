package dev.edgellm.chat;

import dev.edgellm.chat.JinjaTemplate.Callable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The Python methods templates call on strings, dicts and lists ({@code strip}, {@code split},
 * {@code items}, {@code get}, ...).
 */
final class JinjaMethods {
  private JinjaMethods() {}

  static Callable method(Object obj, String name) {
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
              List<Object> parts = JinjaOps.iterate(a.get(0));
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

  static List<Object> split(String s, String sep, int max) {
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

  static String title(String s) {
    StringBuilder sb = new StringBuilder();
    boolean prevCased = false;
    for (char c : s.toCharArray()) {
      sb.append(prevCased ? Character.toLowerCase(c) : Character.toUpperCase(c));
      prevCased = Character.isLetter(c);
    }
    return sb.toString();
  }

  static String capitalize(String s) {
    return s.isEmpty()
        ? s
        : s.substring(0, 1).toUpperCase(Locale.ROOT) + s.substring(1).toLowerCase(Locale.ROOT);
  }

  static List<Object> items(Map<?, ?> m) {
    List<Object> out = new ArrayList<>();
    m.forEach((k, v) -> out.add(new ArrayList<>(java.util.Arrays.asList(k, v))));
    return out;
  }
}
