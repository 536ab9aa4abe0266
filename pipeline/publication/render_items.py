"""Views of the published item document (``published_items.json``): Markdown and HTML.

The JSON is the single source; these functions only lay it out, so the Markdown in the release, the
standalone HTML page and the static site's dataset page always agree. The layout is in the
templates ``published_items.md.j2``, ``published_items.html.j2`` and ``_items.html.j2``.
"""

from __future__ import annotations

from typing import Any

from pipeline.templates import render_html, render_markdown

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


def markdown(doc: dict[str, Any]) -> str:
    """``published_items.ja.md`` (template ``published_items.md.j2``)."""
    return render_markdown("published_items.md.j2", title=TITLE, doc=doc, rows=summary_rows(doc),
                           groups=by_table(doc), footnote=_FOOTNOTE)


_FOOTNOTE = (
    "個人情報の保護に関する法律第43条第3項(第三者提供の場合は同条第4項)に基づき公表します。"
    "項目とその加工の程度のみを記載し、個々の値や加工に用いた情報は公表しません。"
)


def html_view(doc: dict[str, Any]) -> dict[str, Any]:
    """What the macro ``items_section`` (``_items.html.j2``) lays out, for the release page and the site."""
    return {"title": TITLE, "doc": doc, "rows": summary_rows(doc), "groups": by_table(doc),
            "footnote": _FOOTNOTE}


def html_page(doc: dict[str, Any]) -> str:
    """Standalone page (``published_items.ja.html``): no script, no external resource."""
    title = f"{TITLE}: {doc['dataset_name']}"
    return render_html("published_items.html.j2", title=title, view=html_view(doc))
