"""Re-identification risk before and after, as the privacy engine measured it (pipeline.metrics).

The report computes no risk itself: it shows whatever measures ``metrics["risk"]`` holds, so a new measure
added by the engine appears here without a change.
"""

from __future__ import annotations

from numbers import Real

from pipeline.release.candidate import TableResult
from pipeline.report import svg
from pipeline.report.aggregates import risk_rows
from pipeline.report.content import Figure, Note, Part, Table
from pipeline.report.sections.base import Section
from pipeline.templates import fmt

#: Known measures: (Japanese, English) names; unknown ones are shown under their key, in the table only.
MEASURES: dict[str, tuple[str, str]] = {
    "prosecutor_max": ("検察官リスク(最大)", "prosecutor risk, highest"),
    "prosecutor_avg": ("検察官リスク(平均)", "prosecutor risk, average"),
    "records_at_risk": ("リスクの高いレコードの割合", "share of records at risk"),
    "sample_uniques": ("標本一意の割合", "share of sample uniques"),
    "marketer": ("マーケターリスク", "marketer risk"),
    "threshold": ("リスク閾値", "risk threshold"),
    "records": ("人数(レコード数)", "persons (records)"),
    "classes": ("同値クラス数", "equivalence classes"),
}
#: Measures drawn as before/after bars (probabilities and shares; counts would dwarf them).
CHARTED = ("prosecutor_max", "prosecutor_avg", "records_at_risk", "sample_uniques", "marketer")


class RiskSection(Section):
    name = "risk"
    title_ja = "再識別リスク（加工前・加工後）"
    title_en = "Re-identification risk, before and after"
    lead_ja = ("検察官リスクは、特定の人物がデータに含まれると知る攻撃者がその人の行を当てる確率"
               "（同値クラスの"
               "人数の逆数）。加工後は最大でも1/k以下になる。")
    lead_en = ("Prosecutor risk is the chance that an attacker who knows a person is in the data picks that "
               "person's record (one over the class size); after anonymisation it is at most 1/k.")

    def body(self, table: TableResult) -> list[Part] | None:
        rows = risk_rows(table.metrics.get("risk"))
        if not rows:
            return [Note("リスク指標はまだ計算されていません。",
                         "No risk figures were recorded for this table.")]
        named = [(" / ".join(MEASURES.get(k, (k, k))), b, a) for k, b, a in rows]
        numeric = [(k, b, a) for k, b, a in rows if k in CHARTED and (_num(b) or _num(a))]
        parts: list[Part] = [Table(["指標 / measure", "加工前 / before", "加工後 / after"], named)]
        if numeric:
            parts.append(Figure(
                _chart(numeric),
                "各指標の加工前（灰）と加工後（青）。",
                "Each measure before (grey) and after (blue) anonymisation.",
            ))
        return parts


def _num(v: object) -> bool:
    return isinstance(v, Real) and not isinstance(v, bool)


def _chart(rows: list[tuple[str, object, object]]) -> str:
    with svg.chart_style():
        fig, axes = svg.figure(min(2.0 * len(rows), 10.0), 2.2, ncols=len(rows))
        for ax, (key, before, after) in zip(axes, rows, strict=True):
            values = [float(v) if _num(v) else 0.0 for v in (before, after)]  # type: ignore[arg-type]
            bars = ax.bar(["before", "after"], values, color=[svg.BEFORE_COLOUR, svg.AFTER_COLOUR])
            ax.bar_label(bars, labels=[fmt(v) for v in (before, after)], fontsize=8)
            ax.set_title(MEASURES.get(key, (key, key))[1], fontsize=9)
            ax.margins(y=0.2)
            if max(values) <= 1.0:
                ax.set_ylim(0, 1.15)
        fig.tight_layout()
        return svg.to_svg(fig, "re-identification risk before and after")
