"""Hostile text in the data and the config never becomes markup (issue 14 point 4).

A real third-party release is made through the CLI from an extract whose kept category (保険種類: a
quasi-identifier released as it is) holds script tags, an attribute break-out, a comment break-out, template
syntax, a Markdown link, a Markdown heading and a table pipe, with a config whose dataset name, column
description and contact hold them too; then the site is published and the provision bundle made. Every HTML
and Markdown file written (release, site, bundle, the GX Data Docs included) is checked:

- HTML, parsed with ``html.parser``: no ``<script>`` element (the Data Docs' own aside: vendored files and
  GX's inline scripts, none holding the data), no ``on*`` attribute (ditto), no ``javascript:`` URL, no
  element from the data (``<img>``), and the hostile text is shown as text, verbatim; the kept category
  reaches the report only inside the charts (our SVG, the one ``|safe``), as escaped comments;
- Markdown, rendered by markdown-it (CommonMark + GFM tables, raw HTML allowed as some viewers do), then
  parsed the same way: no heading, link, image or raw HTML from the data, the text shown verbatim, and a table
  cell holding a ``|`` still holds the whole value (the row is not split);
- the template syntax is not evaluated: ``{{ 7*7 }}`` is shown, ``49`` is not where it was fed.
"""

from __future__ import annotations

import contextlib
import html
import io
import json
import warnings
from html.parser import HTMLParser
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from tests.hostile.conftest import CONFIG, HEADER, rows, write_csv

#: The payloads, each a piece of hostile text.
SCRIPT = "<script>alert(1)</script>"
BREAKOUT = '"><img src=x onerror=alert(1)>'
TEMPLATE = "{{ 7*7 }}"
MD_LINK = "](javascript:alert(1))"
MD_HEADING = "# x"
PIPE = "a | b"
#: One value holding every payload (the heading last but one, so it starts no line by itself).
HOSTILE = f"試験{SCRIPT}{BREAKOUT}{TEMPLATE}[x{MD_LINK} {MD_HEADING} {PIPE}"
DATASET = f"データ{HOSTILE}"
DESCRIPTION = f"種類{HOSTILE}"
CONTACT = f"{MD_HEADING} 窓口{SCRIPT}"  # starts a line in the notice: must not make a heading
#: Kept category values of 保険種類 (each held by many persons, so released as they are).
CATEGORIES = (f"医療{SCRIPT}", f"がん{BREAKOUT}", f"介護{TEMPLATE}", f"[学資{MD_LINK}",
              f"{MD_HEADING}収入保障", f"終身{PIPE}", "年金--><script>alert(2)</script>")
#: What the template syntax would have become if evaluated.
EVALUATED = ("onerror=alert(1)>49", "介護49")


def _config() -> str:
    config = CONFIG.replace(
        "  dataset_name: 試験用データ\n",
        f"  dataset_name: {json.dumps(DATASET, ensure_ascii=False)}\n"
        "  audience: third_party\n"
        "  recipient_category: 共同研究先\n"
        "  provision_method: 暗号化したファイルを手渡し\n"
        f"  contact: {json.dumps(CONTACT, ensure_ascii=False)}\n",
    )
    # a third-party release fails on rows unique over all columns by default; this test is about markup
    limit = "  suppression_limit: 0.1\n"
    config = config.replace(limit, limit + "  attribute_risk: warn\n")
    config = config.replace(
        "      保険種類: {role: attribute}\n",
        f"      保険種類: {{role: quasi_identifier, hierarchy: {{kind: flat}}, "
        f"description: {json.dumps(DESCRIPTION, ensure_ascii=False)}}}\n",
    )
    return config


def _anonymize(*args: str | Path) -> None:
    from pipeline.cli.main import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # matplotlib: glyphs missing where no CJK font is installed
        code = main(["--quiet", *map(str, args)])
    assert code == 0, err.getvalue()[-2000:]


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every HTML and Markdown file of the release, the site and the provision bundle, by relative path."""
    root = tmp_path_factory.mktemp("hostile_markup")
    data = rows(120)
    for i, row in enumerate(data):
        row[HEADER.index("保険種類")] = CATEGORIES[i % len(CATEGORIES)]
    csv = write_csv(root / "in" / "policyholders.csv", data=data)
    config = root / "config.yaml"
    config.write_text(_config(), encoding="utf-8")
    release, register, site, bundle = root / "rel", root / "register.jsonl", root / "site", root / "bundle"
    _anonymize("run", config, "--out", release, "--register", register, f"--input=policyholders={csv}")
    _anonymize("publish", "--site", site, "--register", register)
    _anonymize("provide", release, "--out", bundle, "--register", register)
    files = {}
    for name, base in (("release", release), ("site", site), ("bundle", bundle)):
        for p in sorted(base.rglob("*")):
            if p.suffix in (".html", ".md") and "vendor" not in p.relative_to(base).parts:
                files[f"{name}/{p.relative_to(base).as_posix()}"] = p
    return files


class Page(HTMLParser):
    """Elements, attributes and visible text of an HTML document (comments, styles and scripts aside)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.scripts: list[str] = []
        self.comments: list[str] = []
        self.cells: list[str] = []
        self.headings: list[str] = []
        self._open: list[str] = []
        self._cell: list[str] | None = None
        self._heading: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag in ("td", "th"):
            self._cell = []
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            self._heading = []
        self._open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.cells.append("".join(self._cell))
            self._cell = None
        if tag.startswith("h") and tag[1:].isdigit() and self._heading is not None:
            self.headings.append("".join(self._heading).strip())
            self._heading = None
        if tag in self._open:
            del self._open[len(self._open) - 1 - self._open[::-1].index(tag):]

    def handle_data(self, data: str) -> None:
        if self._open and self._open[-1] == "script":
            self.scripts.append(data)
            return
        if self._open and self._open[-1] in ("style", "title"):
            return
        self.text.append(data)
        for part in (self._cell, self._heading):
            if part is not None:
                part.append(data)


    def handle_comment(self, data: str) -> None:
        self.comments.append(data)


def parse(html: str) -> Page:
    page = Page()
    page.feed(html)
    page.close()
    return page


def markdown_html(text: str) -> str:
    """What a Markdown viewer shows: CommonMark with GFM tables, raw HTML allowed (the strictest test)."""
    return MarkdownIt("commonmark", {"html": True}).enable("table").render(text)


def data_docs(name: str) -> bool:
    return "/validation/docs/" in name


def executable(page: Page, vetted: bool = False) -> list[str]:
    """Markup that runs or loads something: scripts, event handlers, javascript: URLs. With ``vetted`` (GX's
    Data Docs), a script may load a vendored file (``static/vendor/``, relative) or be GX's own inline code,
    and a handler may call GX's functions, as long as none holds a trace of the data."""
    problems = []
    traces = ("alert(", "onerror", "7*7")
    if any(t in code for code in page.scripts for t in traces):
        problems.append("data inside a <script>")
    for tag, attrs in page.tags:
        if tag == "script":
            src = (attrs.get("src") or "").lstrip("./")
            if not vetted or (src and not src.startswith("static/vendor/")):
                problems.append(f"<script src={src!r}>")
        for k, v in attrs.items():
            if k.lower().startswith("on") and (not vetted or any(t in (v or "") for t in traces)):
                problems.append(f"<{tag} {k}>")
        problems += [f"<{tag} {k}=javascript:>" for k, v in attrs.items()
                     if (v or "").strip().lower().replace("\t", "").startswith("javascript:")]
        if tag in ("img", "iframe", "object", "embed"):
            src = (attrs.get("src") or "").lstrip("./")
            if not vetted or tag != "img" or not src.startswith("static/images/"):  # GX's logo
                problems.append(f"<{tag} src={src!r}>")
    return problems


def shown(page: Page) -> str:
    return " ".join(" ".join(page.text).split())


def test_every_kind_of_file_is_checked(written):
    names = set(written)
    for must in ("release/report.html", "release/published_items.ja.html", "release/published_items.ja.md",
                 "release/data_dictionary.ja.md", "release/provision_notice.ja.md", "site/index.html",
                 "bundle/provision_notice.ja.md", "bundle/data_dictionary.ja.md"):
        assert must in names, sorted(names)
    assert any(n.startswith("site/datasets/") for n in names)


def test_no_executable_markup_survives_in_html(written):
    for name, path in written.items():
        if path.suffix != ".html":
            continue
        page = parse(path.read_text(encoding="utf-8"))
        assert not executable(page, vetted=data_docs(name)), (name, executable(page, vetted=data_docs(name)))


def test_hostile_text_is_shown_escaped_in_html(written):
    for name, path in written.items():
        if path.suffix != ".html" or data_docs(name):  # GX's pages name no dataset (checked above)
            continue
        text = shown(parse(path.read_text(encoding="utf-8")))
        assert DATASET in text, name  # every page names the dataset, verbatim, as text
        for evaluated in EVALUATED:
            assert evaluated not in text, name
    report = shown(parse(written["release/report.html"].read_text(encoding="utf-8")))
    assert HOSTILE in report


def test_a_kept_category_reaches_the_report_only_as_escaped_chart_text(written):
    """The charts are the one unescaped insert (|safe): matplotlib keeps each label as an XML comment, escaped
    (``<``, ``>``, ``&``, and ``--`` so a value cannot close the comment)."""
    source = written["release/report.html"].read_text(encoding="utf-8")
    page = parse(source)
    comments = [html.unescape(c).strip() for c in page.comments]
    for category in CATEGORIES:
        assert any(category.replace("--", "- -") in c or category in c for c in comments), category
        assert category not in shown(page)  # released labels are drawn, not written as text
    assert "介護49" not in source
    assert not executable(page)


def test_published_pages_show_the_description_and_contact_as_text(written):
    index = shown(parse(written["site/index.html"].read_text(encoding="utf-8")))
    assert " ".join(CONTACT.split()) in index


def test_no_markup_from_the_data_in_markdown(written):
    for name, path in written.items():
        if path.suffix != ".md":
            continue
        source = path.read_text(encoding="utf-8")
        page = parse(markdown_html(source))
        assert not executable(page), (name, executable(page))
        assert not [t for t, _ in page.tags if t in ("a", "img")], (name, "link or image from the data")
        assert "x" not in page.headings and not any(h.startswith(("x", "窓口")) for h in page.headings), name
        text = shown(page)
        assert DATASET in text, name
        for evaluated in EVALUATED:
            assert evaluated not in text, name
        assert TEMPLATE in text, name


def test_a_pipe_does_not_split_a_markdown_table_cell(written):
    items = parse(markdown_html(written["release/published_items.ja.md"].read_text(encoding="utf-8")))
    assert DATASET in items.cells and " ".join(CONTACT.split()) in items.cells
    dictionary = parse(markdown_html(written["release/data_dictionary.ja.md"].read_text(encoding="utf-8")))
    assert DESCRIPTION in dictionary.cells


def test_the_notice_keeps_its_own_headings_only(written):
    page = parse(markdown_html(written["release/provision_notice.ja.md"].read_text(encoding="utf-8")))
    assert page.headings == ["匿名加工情報の提供に関する明示", "1. 匿名加工情報である旨の明示",
                             "2. 含まれる個人に関する情報の項目", "3. 受領者の義務", "4. 同梱物",
                             "5. 苦情・問い合わせ窓口"]
    assert " ".join(CONTACT.split()) in shown(page)
