"""The chosen generalisation per quasi-identifier: its level, in plain words, and how coarse it is."""

from __future__ import annotations

from pipeline.release.candidate import TableResult
from pipeline.report import svg
from pipeline.report.content import Figure, Note, Part, Table
from pipeline.report.sections.base import Section


class GeneralisationSection(Section):
    name = "generalisation"
    title_ja = "準識別子の一般化"
    title_en = "Generalisation of the quasi-identifiers"
    lead_ja = "探索で選ばれた各準識別子の一般化段階。0は元の区分、最上段は全値を一括（実質的な削除）。"
    lead_en = ("The level the search chose for each quasi-identifier: 0 keeps the normalised value, the top "
               "level merges every value (the column is effectively removed).")

    def body(self, table: TableResult) -> list[Part] | None:
        columns = [c for c in (*table.quasi_identifiers, *table.sensitive, *table.attributes)
                   if c in table.hierarchies]
        if not columns:
            return None
        rows = []
        for col in columns:
            h = table.hierarchies[col]
            level = table.levels.get(col, 0)
            role = "準識別子 / QI" if col in table.quasi_identifiers else "固定 / fixed"
            values = int(table.data[col].nunique(dropna=True)) if col in table.data else 0
            rows.append((col, role, h.level_descriptions[level], level, h.height - 1, values))
        headers = ["列 / column", "種別 / role", "公開の粒度 / released as", "段階 / level",
                   "最上段 / top", "公開値の数 / distinct released"]
        parts: list[Part] = [Table(headers, rows, numeric_from=3),
                             *_search_note(table.metrics.get("search") or {})]
        qis = [r for r in rows if r[0] in table.quasi_identifiers]
        if qis:
            parts.append(Figure(
                _chart(qis),
                "一般化の度合い（段階 ÷ 最上段）。1に近いほど粗い。",
                "Degree of generalisation (level / top level); closer to 1 is coarser.",
            ))
        return parts


def _search_note(search: dict) -> list[Note]:
    """Whether the levels are the proven optimum or the fallback's, and why (auditors ask)."""
    if not search:
        return []
    size, nodes = search.get("lattice_size", 0), search.get("nodes_evaluated", 0)
    return [_optimum_note(search, size, nodes), *_joined_note(search.get("joined_view") or {})]


def _joined_note(view: dict) -> list[Note]:
    if not view:
        return []
    losses = {k: v for k, v in (view.get("total_lm") or {}).items() if v is not None}
    figures = "、".join(f"{k}: {v:.4f}" for k, v in losses.items())
    figures_en = ", ".join(f"{k}: {v:.4f}" for k, v in losses.items())
    if view.get("strategy") == "joint":
        return [Note(
            "結合した表（契約者と請求）の両方で準識別子を一般化する方法（joint）を選びました。"
            f"両表を通した情報損失（LM）: {figures}。",
            "The joined view was made k-anonymous by generalising the quasi-identifiers of both tables "
            f"(joint), which loses less information over both tables (LM: {figures_en}).")]
    return [Note(
        "先に公開する表の一般化を保ち、後の表の準識別子だけを一般化する方法（earlier first）を選びました。"
        f"両表を通した情報損失（LM）: {figures}。",
        "The joined view was made k-anonymous by generalising only the later table's own quasi-identifiers "
        f"(earlier first), which loses less information over both tables (LM: {figures_en}).")]


def _optimum_note(search: dict, size: int, nodes: int) -> Note:
    if search.get("exact", True):
        return Note(
            f"一般化の組合せ {size:,} 通りのうち {nodes:,} 通りを評価し、"
            "プライバシーモデルを満たす中で情報損失が最小のものを厳密に求めました（最適解）。",
            f"The search evaluated {nodes:,} of the {size:,} combinations of levels and proved these "
            "levels the least information loss that meets the privacy models (the optimum).")
    reason = search.get("fallback") or ""
    return Note(
        f"一般化の組合せ {size:,} 通りのうち {nodes:,} 通りを評価しました。最適性は証明されていません"
        "（近似解。プライバシーモデルはすべて満たしています）。",
        f"The search evaluated {nodes:,} of the {size:,} combinations of levels. These levels meet every "
        f"privacy model but are not proven optimal: {reason}.")


def _chart(rows: list[tuple]) -> str:
    with svg.chart_style():
        fig, (ax,) = svg.figure(6.0, 0.45 * len(rows) + 0.8)
        names = [r[0] for r in rows][::-1]
        degree = [(r[3] / r[4]) if r[4] else 0.0 for r in rows][::-1]
        bars = ax.barh(names, degree, color=svg.AFTER_COLOUR)
        ax.bar_label(bars, labels=[f"{r[3]}/{r[4]}" for r in rows][::-1], padding=3, fontsize=8)
        ax.set_xlim(0, 1.12)
        ax.set_xlabel("level / top level")
        fig.tight_layout()
        return svg.to_svg(fig, "generalisation level per quasi-identifier")
