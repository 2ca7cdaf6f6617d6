package dev.edgellm.chat;

import dev.edgellm.chat.JinjaTemplate.Callable;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Jinja2's tests ({@code is defined}, {@code is string}, {@code is divisibleby}, ...). */
final class JinjaTests {
  private JinjaTests() {}

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
      case "in" -> JinjaOps.contains(args.get(0), v);
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
