package dev.edgellm.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Jinja2 semantics chat templates rely on, as Hugging Face's environment renders them. */
class JinjaTemplateTest {
  private static String render(String template, Map<String, ?> vars) {
    return JinjaTemplate.parse(template).render(vars);
  }

  private static String render(String template) {
    return render(template, Map.of());
  }

  @Test
  void tojsonIsPythonsJsonDumpsWithoutHtmlEscaping() {
    Map<String, Object> tool = new LinkedHashMap<>();
    tool.put("name", "get_weather");
    tool.put("args", List.of(1L, 2.5, true));
    tool.put("note", "<b> \"caf\u00e9\" \u2028");
    tool.put("none", null);
    assertEquals(
        "{\"name\": \"get_weather\", \"args\": [1, 2.5, true], \"note\": \"<b> \\\"caf\u00e9\\\" \u2028\", \"none\": null}",
        render("{{ t | tojson }}", Map.of("t", tool)));
    assertTrue(
        render("{{ t | tojson(indent=2) }}", Map.of("t", tool))
            .startsWith(
                "{\n  \"name\": \"get_weather\",\n  \"args\": [\n    1,\n    2.5,\n    true\n  ],"));
    assertEquals("{\"a\":1}", render("{{ {'a': 1} | tojson(separators=(',', ':')) }}"));
    assertEquals("\"caf\\u00e9\"", render("{{ 'caf\u00e9' | tojson(ensure_ascii=true) }}"));
  }

  @Test
  void pythonStrOfValues() {
    assertEquals(
        "None True 42 0.15 1e-05 ['a', 1] {'k': 'v'}",
        render(
            "{{ none }} {{ true }} {{ 42 }} {{ 0.15 }} {{ 0.00001 }} {{ ['a', 1] }} {{ {'k': 'v'} }}"));
    assertEquals("", render("{{ missing }}"));
    assertEquals("2.0 3 2", render("{{ 4 / 2 }} {{ 7 // 2 }} {{ 7 % 5 }}"));
  }

  @Test
  void trimBlocksLstripBlocksAndWhitespaceControl() {
    // (expected values checked against jinja2 with trim_blocks and lstrip_blocks; the template's
    // trailing newline is dropped)
    assertEquals("a\nb", render("{% if true %}\na\n  {% endif %}\nb\n"));
    assertEquals("ab", render("a  {%- if true -%}  \n b {%- endif %}"));
    assertEquals("x  y", render("x  {%+ if true %}y{% endif %}"));
    assertEquals("1", render("{# comment #}\n1"));
  }

  @Test
  void scopingNamespacesAndLoopControls() {
    // a loop's assignment stays in the loop; a namespace carries it out
    assertEquals(
        "0|3",
        render(
            "{% set n = 0 %}{% set ns = namespace(n=0) %}{% for i in [1, 2, 3] %}{% set n = i %}"
                + "{% set ns.n = i %}{% endfor %}{{ n }}|{{ ns.n }}"));
    assertEquals(
        "1,3,",
        render(
            "{% for i in range(10) %}{% if i == 2 %}{% continue %}{% endif %}{% if i > 3 %}"
                + "{% break %}{% endif %}{% if i is odd %}{{ i }},{% endif %}{% endfor %}"));
    assertEquals(
        "a:1 first;b:2 last;",
        render(
            "{% for k, v in d | dictsort %}{{ k }}:{{ v }}{% if loop.first %} first{% endif %}"
                + "{% if loop.last %} last{% endif %};{% endfor %}",
            Map.of("d", Map.of("b", 2L, "a", 1L))));
    assertEquals("none", render("{% for x in [] %}{{ x }}{% else %}none{% endfor %}"));
  }

  @Test
  void stringMethodsFiltersAndTests() {
    assertEquals(
        "hi|HI|['a', 'b', 'c']|True|x-y|Hello World",
        render(
            "{{ '  hi '.strip() }}|{{ 'hi' | upper }}|{{ 'a,b,c'.split(',') }}|"
                + "{{ 'tool_call'.startswith('tool') }}|{{ ['x', 'y'] | join('-') }}|{{ 'hello world' | title }}"));
    assertEquals(
        "string mapping iterable defined none",
        render(
            "{{ 's' is string and 'string' }} {{ {} is mapping and 'mapping' }} "
                + "{{ [] is iterable and 'iterable' }} {{ x is not defined and 'defined' }} "
                + "{{ none is none and 'none' }}"));
    assertEquals(
        "[2, 3]|cba|3|b",
        render(
            "{{ [1, 2, 3][1:] }}|{{ 'abc'[::-1] }}|{{ [1, 2, 3] | length }}|{{ ['a', 'b'] | last }}"));
    assertEquals(
        "user,assistant",
        render(
            "{{ messages | map(attribute='role') | join(',') }}",
            Map.of("messages", List.of(Map.of("role", "user"), Map.of("role", "assistant")))));
    assertEquals(
        "A-B",
        render(
            "{% macro f(x, sep='-') %}{{ x | join(sep) | upper }}{% endmacro %}{{ f(['a', 'b']) }}"));
  }

  @Test
  void raiseExceptionStopsWithTheTemplatesMessage() {
    TemplateException e =
        assertThrows(
            TemplateException.class,
            () -> render("{{ raise_exception('Conversation roles must alternate') }}"));
    assertTrue(e.getMessage().contains("Conversation roles must alternate"));
    assertThrows(TemplateException.class, () -> JinjaTemplate.parse("{% if x %}no end"));
  }
}
