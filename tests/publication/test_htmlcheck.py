"""The strict HTML check used on every page is itself strict: broken pages are refused."""

from __future__ import annotations

import pytest

from pipeline.templates import HTML
from tests.publication import htmlcheck


def page(title: str, body: str) -> str:
    """The published pages' shell (``page.html.j2``) around ``body``, taken as markup (only here: to feed the
    check broken pages)."""
    shell = '{% extends "page.html.j2" %}{% block body %}' + body.replace("{", "{{ '{' }}") + "{% endblock %}"
    return HTML.from_string(shell).render(title=title)


def test_a_page_from_the_shell_passes():
    parsed = htmlcheck.check(page("題名", "<main><p>本文<br>改行</p></main>"))
    assert "".join(parsed.text).strip().startswith("本文")


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ("<main><p>閉じていない</main>", "closes"),
        ("<main><ul><li>x</li></main>", "closes"),
        ("<div>", "unclosed"),
        ("<script>alert(1)</script>", "script element"),
        ('<a href="javascript:void(0)">x</a>', "script URL"),
        ('<p onclick="x()">x</p>', "event handler"),
        ('<img src="https://example.com/x.png">', "external"),
    ],
)
def test_broken_pages_are_refused(body, problem):
    with pytest.raises(AssertionError, match=problem):
        htmlcheck.check(page("題名", body))


def test_missing_lang_or_doctype_is_refused():
    html = page("題名", "<p>x</p>")
    with pytest.raises(AssertionError, match="lang"):
        htmlcheck.check(html.replace('lang="ja"', 'lang="en"'))
    with pytest.raises(AssertionError, match="doctype"):
        htmlcheck.check(html.replace("<!DOCTYPE html>", ""))
