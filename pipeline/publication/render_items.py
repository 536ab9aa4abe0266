"""Views of the published item document (``published_items.json``): Markdown and HTML.

The JSON is the single source; these functions only lay it out, so the Markdown in the release, the
standalone HTML page and the static site's dataset page always agree.
"""

from __future__ import annotations

from typing import Any

from pipeline.publication.html import esc, page, table_rows

TITLE = "匿名加工情報の作成・提供に関する公表"


def summary_rows(doc: dict[str, Any]) -> list[tuple[str, str]]:
    """The facts companies publish per dataset (APPI.md §4), as (heading, plain text) pairs."""
    third = bool(doc["third_party_provision"])
    rows = [
        ("匿名加工情報の名称", doc["dataset_name"]),
        ("作成日", doc["created_date_ja"]),
        ("法律上の区分", doc["legal_category"]),
    ]
    if doc.get("purpose"):
        rows.append(("作成の目的", doc["purpose"]))
    rows += [
        ("第三者提供", f"あり(提供先: {doc['recipient_category']})" if third else "なし"),
        ("提供の方法", doc["provision_method"] if third else "第三者への提供は行いません"),
        (
            "継続的な作成",
            "あり(同じ項目で継続的に作成します)" if doc["continuous"] else "なし(一回限りの作成)",
        ),
        ("苦情・問い合わせ窓口", doc["contact"] or "(未設定)"),
    ]
    return rows


def by_table(doc: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    groups: dict[str, list[dict[str, Any]]] = {t: [] for t in doc.get("tables", [])}
    for item in doc["items"]:
        groups.setdefault(item["table"], []).append(item)
    return groups


def _md(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def markdown(doc: dict[str, Any]) -> str:
    lines = [f"# {TITLE}: {doc['dataset_name']}", "", "| 項目 | 内容 |", "|---|---|"]
    lines += [f"| {_md(k)} | {_md(v)} |" for k, v in summary_rows(doc)]
    lines += ["", "## 匿名加工情報に含まれる個人に関する情報の項目", ""]
    for table, items in by_table(doc).items():
        lines += [f"### {table}", ""]
        lines += [f"- {_md(i['label'])}" for i in items]
        lines.append("")
    lines += [_FOOTNOTE, ""]
    return "\n".join(lines)


_FOOTNOTE = (
    "個人情報の保護に関する法律第43条第3項(第三者提供の場合は同条第4項)に基づき公表します。"
    "項目とその加工の程度のみを記載し、個々の値や加工に用いた情報は公表しません。"
)


def html_section(doc: dict[str, Any], heading_level: int = 1) -> str:
    """The dataset's published record as an HTML fragment (shared by the release page and the site)."""
    h, h2, h3 = f"h{heading_level}", f"h{heading_level + 1}", f"h{heading_level + 2}"
    parts = [
        f"<{h}>{esc(TITLE)}: {esc(doc['dataset_name'])}</{h}>",
        table_rows(summary_rows(doc)),
        f"<{h2}>匿名加工情報に含まれる個人に関する情報の項目</{h2}>",
    ]
    for table, items in by_table(doc).items():
        lis = "\n".join(f"<li>{esc(i['label'])}</li>" for i in items)
        parts.append(f'<{h3}>{esc(table)}</{h3}>\n<ul class="items">\n{lis}\n</ul>')
    parts.append(f'<p class="note">{esc(_FOOTNOTE)}</p>')
    return "\n".join(parts)


def html_page(doc: dict[str, Any]) -> str:
    """Standalone page (``published_items.ja.html``): no script, no external resource."""
    return page(f"{TITLE}: {doc['dataset_name']}", f"<main>\n{html_section(doc)}\n</main>")
