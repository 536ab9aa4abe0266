"""Information loss per attribute (Iyengar's loss metric, as pipeline.metrics computed it)."""

from __future__ import annotations

from numbers import Real

from pipeline.release.candidate import TableResult
from pipeline.report import svg
from pipeline.report.content import Figure, Note, Part, Table
from pipeline.report.sections.base import Section

#: Further measures the search reports, shown when present.
OTHER_MEASURES: dict[str, tuple[str, str]] = {
    "precision": ("精度損失", "precision loss (Sweeney)"),
    "entropy": ("エントロピー損失", "non-uniform entropy loss"),
    "aecs": ("平均同値クラスサイズ", "average class size (AECS)"),
    "discernibility": ("識別性指標", "discernibility"),
}


class LossSection(Section):
    name = "loss"
    title_ja = "情報損失"
    title_en = "Information loss"
    lead_ja = "各列の情報損失（0＝元のまま、1＝全値を一括または削除）。削除行は損失1として数える。"
    lead_en = ("Loss per column (0 = as normalised, 1 = fully merged or suppressed); "
               "suppressed rows count as 1.")

    def body(self, table: TableResult) -> list[Part] | None:
        loss = table.metrics.get("loss") or {}
        per = {k: v for k, v in (loss.get("per_attribute") or {}).items() if isinstance(v, Real)}
        overall = loss.get("lm", loss.get("overall"))
        if not per and overall is None:
            return [Note("情報損失はまだ計算されていません。", "No information-loss figures were recorded.")]
        rows = [(c, v) for c, v in per.items()]
        if isinstance(overall, Real):
            rows.append(("全体 / overall (LM)", overall))
        rows += [(f"{ja} / {en}", loss[key]) for key, (ja, en) in OTHER_MEASURES.items()
                 if isinstance(loss.get(key), Real)]
        parts: list[Part] = [Table(["列 / column", "損失 / loss"], rows)]
        if per:
            parts.append(Figure(_chart(per, overall), "列ごとの情報損失。破線は全体。",
                                "Information loss per column; the dashed line is the overall figure."))
        return parts


def _chart(per: dict[str, Real], overall: object) -> str:
    with svg.chart_style():
        fig, (ax,) = svg.figure(6.0, 0.4 * len(per) + 0.9)
        names = list(per)[::-1]
        values = [float(per[n]) for n in names]
        bars = ax.barh(names, values, color=svg.AFTER_COLOUR)
        ax.bar_label(bars, labels=[f"{v:.3f}" for v in values], padding=3, fontsize=8)
        if isinstance(overall, Real):
            ax.axvline(float(overall), color=svg.ACCENT_COLOUR, linestyle="--", linewidth=1)
        ax.set_xlim(0, 1.12)
        ax.set_xlabel("loss (0 = none, 1 = all)")
        fig.tight_layout()
        return svg.to_svg(fig, "information loss per column")
