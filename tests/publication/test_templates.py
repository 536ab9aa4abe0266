"""The two template environments of pipeline.templates: what each escapes, and that nothing is left unset."""

from __future__ import annotations

from html import unescape

import jinja2
import pytest
from markdown_it import MarkdownIt

from pipeline.templates import HTML, MARKDOWN, md_code, md_escape, render_html, render_markdown


def rendered(markdown: str) -> str:
    return MarkdownIt("commonmark", {"html": True}).enable("table").render(markdown)


@pytest.mark.parametrize("value", [
    "<script>alert(1)</script>", "[x](javascript:alert(1))", "![x](x.png)", "<https://example.com>",
    "*em* _em_ **strong** ~~del~~", "`code`", "&lt;b&gt;", "a | b", "\\*", "&#106;avascript",
])
def test_a_markdown_value_renders_as_its_own_text(value):
    html = rendered(f"| h |\n|---|\n| {md_escape(value)} |\n")
    assert html.count("<td>") == 1
    cell = html.split("<td>")[1].split("</td>")[0]
    assert unescape(cell) == value, cell


@pytest.mark.parametrize("value", ["# x", "- x", "+ x", "1. x", "2) x", "> x", "===", "---", "    code"])
def test_a_markdown_value_cannot_start_a_block(value):
    html = rendered(f"{md_escape(value)}\n")
    assert html.startswith("<p>") and html.count("<") == 2, html


def test_a_value_is_put_on_one_line():
    assert md_escape("a\n\n# b\r\n  c") == "a \\# b c"


def test_code_spans_hold_backticks_and_pipes():
    assert md_code("datetime64[ns]") == "`datetime64[ns]`"
    assert md_code("a`b", in_table=False) == "`` a`b ``"
    assert md_code("a|b") == "`a\\|b`"
    assert "<code>a|b</code>" in rendered(f"| h |\n|---|\n| {md_code('a|b')} |\n")


def test_values_are_escaped_and_template_syntax_is_not_evaluated():
    html = HTML.from_string("<p title=\"{{ v }}\">{{ v }}</p>").render(v='"><b>{{ 7*7 }}</b>')
    escaped = "&#34;&gt;&lt;b&gt;{{ 7*7 }}&lt;/b&gt;"
    assert html == f'<p title="{escaped}">{escaped}</p>'
    assert MARKDOWN.from_string("- {{ v }}").render(v="{{ 7*7 }} <b>") == "- {{ 7\\*7 }} \\<b\\>"


def test_a_missing_value_fails_the_render():
    with pytest.raises(jinja2.UndefinedError):
        render_markdown("provision_notice.md.j2", doc={})
    with pytest.raises(jinja2.UndefinedError):
        render_html("page.html.j2")


def test_each_environment_renders_its_own_kind_only():
    with pytest.raises(ValueError, match="not an HTML template"):
        render_html("tradeoff.md.j2")
    with pytest.raises(ValueError, match="not a Markdown template"):
        render_markdown("page.html.j2")
