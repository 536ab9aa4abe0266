"""A strict structural HTML check on Python's html.parser (no extra dependency).

Checks what a hand-written renderer can get wrong: the doctype, ``<html lang="ja">``, a UTF-8 meta charset, a
title, every non-void element closed in order (no stray or missing end tag), no ``<script>``, no
JavaScript URL or event-handler attribute, no external resource, and returns the visible text.
"""

from __future__ import annotations

from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class StrictHTML(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.doctype = ""
        self.lang = ""
        self.charset = ""
        self.title = ""
        self.text: list[str] = []
        self.links: list[str] = []

    def handle_decl(self, decl: str) -> None:
        self.doctype = decl

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "script":
            self.errors.append("script element")
        if any(k.startswith("on") for k in a):
            self.errors.append(f"event handler attribute on <{tag}>")
        for key in ("href", "src"):
            v = (a.get(key) or "").strip().lower()
            if v.startswith(("javascript:", "http:", "https:", "//")):
                self.errors.append(f"external or script URL in <{tag} {key}>")
            if key == "href" and v:
                self.links.append(a[key] or "")
        if tag == "html":
            self.lang = a.get("lang") or ""
        if tag == "meta" and "charset" in a:
            self.charset = (a["charset"] or "").lower()
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            self.errors.append(f"end tag for void element </{tag}>")
        elif not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes <{self.stack[-1] if self.stack else 'nothing'}>")
        else:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if self.stack and self.stack[-1] == "title":
            self.title += data
        elif self.stack and self.stack[-1] != "style":
            self.text.append(data)


def check(html: str) -> StrictHTML:
    """Parse ``html`` strictly; raise AssertionError listing every problem found."""
    p = StrictHTML()
    p.feed(html)
    p.close()
    problems = list(p.errors)
    if p.doctype.lower() != "doctype html":
        problems.append(f"doctype is {p.doctype!r}")
    if p.lang != "ja":
        problems.append(f"lang is {p.lang!r}")
    if p.charset != "utf-8":
        problems.append("no <meta charset=utf-8>")
    if not p.title.strip():
        problems.append("empty title")
    if p.stack:
        problems.append(f"unclosed elements: {p.stack}")
    assert not problems, problems
    return p
