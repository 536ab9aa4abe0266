"""Risk over all released columns (issue 15), beside the declared quasi-identifiers' figures.

Shows what ``pipeline.attributes`` measured on the released table (and its joined view): rows alone in their
class over every released column except surrogate keys and sensitive values, the smallest class, SUDA special
uniques, and which columns make rows unique (each column's share of the SUDA score), with the policy's warning
in Japanese and English. The report computes nothing itself and shows counts and column names only.
"""

from __future__ import annotations

from typing import Any

from pipeline.release.candidate import TableResult
from pipeline.report import svg
from pipeline.report.content import Figure, Note, Part, Table
from pipeline.report.sections.base import Section


class AttributeRiskSection(Section):
    name = "attribute-risk"
    title_ja = "公開する全項目でのリスク(属性を含む)"
    title_en = "Risk over all released columns (attributes included)"
    lead_ja = ("k匿名性は準識別子についてのみ成り立つ。"
               "保険料・契約日・代理店コードなどの属性も知っている人は、"
               "全項目の組合せで一意な行を特定できる。契約キー等の代替キーと機微な値を除く全項目で数えた。")
    lead_en = ("k-anonymity holds on the quasi-identifiers only; someone who also knows a person's premium, "
               "contract date or agency can single out rows unique over all released columns. Counted over "
               "every released column except surrogate keys and sensitive values.")

    def body(self, table: TableResult) -> list[Part] | None:
        own: dict[str, Any] = table.metrics.get("attribute_risk") or {}
        if not own:
            return [Note("公開する全項目でのリスクは記録されていません。",
                         "No risk over all released columns was recorded for this table.")]
        declared = (table.metrics.get("risk") or {}).get("after") or {}
        views = [(table.name, own)] + ([(f"{table.name}_joined", own["joined"])] if own.get("joined") else [])
        rows = [("準識別子のみ / declared quasi-identifiers", declared.get("records"),
                 declared.get("sample_uniques"), None, None, table.min_class_size)]
        for view, r in views:
            rows.append((f"全項目 / all released columns: {view}", r["rows"], r["unique_share"],
                         r["unique_rows"], r["special_unique_rows"], r["min_class_size"]))
        parts: list[Part] = [Table(["範囲 / scope", "行・人 / rows, persons", "一意の割合 / unique share",
                                     "一意の行 / unique rows", "特別一意 / special uniques",
                                     "最小クラス / smallest class"], rows)]
        policy = f"{own.get('policy', '-')}, {float(own.get('threshold', 0.0)):.1%}"
        parts.append(Table(["", "値 / value"], [
            ("方針・許容割合 / policy, allowed share", policy),
            ("調べた項目 / columns measured", ", ".join(own.get("columns", []))),
            ("SUDAの最大組合せ / SUDA m", own.get("max_msu_size")),
        ], numeric_from=2))
        for w in own.get("warnings") or []:
            parts.append(Note(f"警告: {w['ja']}", f"Warning: {w['en']}"))
        for view, r in views:
            contribution = {c: v for c, v in (r.get("contribution") or {}).items() if v > 0}
            if contribution:
                parts.append(Figure(
                    _chart(view, contribution),
                    f"{view}: 各項目が特別一意(SUDAスコア)に占める割合。高い項目ほど行を一意にする。",
                    f"{view}: each column's share of the SUDA score: "
                    "the higher, the more it makes rows unique."))
            if r.get("top_msus"):
                parts.append(Table(["最小一意の項目組合せ / minimal unique column set", "行 / rows"],
                                   [(" × ".join(m["columns"]), m["rows"]) for m in r["top_msus"]]))
        return parts


def _chart(view: str, contribution: dict[str, float]) -> str:
    items = sorted(contribution.items(), key=lambda kv: kv[1])
    with svg.chart_style():
        fig, axes = svg.figure(6.0, 0.4 * len(items) + 0.8)
        ax = axes[0]
        bars = ax.barh([c for c, _ in items], [v for _, v in items], color=svg.AFTER_COLOUR)
        ax.bar_label(bars, labels=[f"{v:.0%}" for _, v in items], fontsize=8)
        ax.set_xlim(0, max(1.0, max(v for _, v in items) * 1.15))
        ax.set_title(f"{view}: SUDA contribution", fontsize=9)
        fig.tight_layout()
        return svg.to_svg(fig, f"{view}: columns contributing to special uniques")
