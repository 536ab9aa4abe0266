"""Per-column distributions before and after, as counts per released label only (see aggregates)."""

from __future__ import annotations

import pandas as pd

from pipeline.release.candidate import TableResult
from pipeline.report import svg
from pipeline.report.aggregates import before_after_counts
from pipeline.report.content import Figure, Part
from pipeline.report.sections.base import Section


class DistributionsSection(Section):
    name = "distributions"
    title_ja = "加工前後の分布"
    title_en = "Distributions before and after"
    lead_ja = ("加工前の値を公開と同じ粒度に一般化して数えた行数（灰）と、公開データの行数（青）。"
               "公開データに"
               "ない区分は「その他・削除」にまとめ、個々の値は示さない。")
    lead_en = ("Rows per released label: the values before anonymisation generalised to the released level "
               "(grey) and the released data (blue). Labels absent from the release are pooled as "
               "'other or suppressed'; no individual value is shown.")

    def body(self, table: TableResult) -> list[Part] | None:
        parts: list[Part] = []
        for col in (*table.quasi_identifiers, *table.sensitive):
            counts = before_after_counts(table, col)
            if counts is None or counts.empty:
                continue
            lost = int(counts["before"].sum() - counts["after"].sum())
            parts.append(Figure(
                _chart(col, counts),
                f"{col}：公開粒度での行数。加工前との差 {lost:,} 行は削除された行。",
                f"{col}: rows per released label; the {lost:,}-row difference is the suppressed rows.",
            ))
        return parts or None


def _chart(column: str, counts: pd.DataFrame) -> str:
    n = len(counts)
    with svg.chart_style():
        fig, (ax,) = svg.figure(6.5, 0.28 * n + 1.0)
        pos = list(range(n))[::-1]
        ax.barh([p + 0.2 for p in pos], counts["before"], height=0.4, color=svg.BEFORE_COLOUR, label="before")
        ax.barh([p - 0.2 for p in pos], counts["after"], height=0.4, color=svg.AFTER_COLOUR, label="after")
        ax.set_yticks(pos, counts["label"].tolist())
        ax.set_xlabel("rows")
        ax.set_title(column)
        ax.legend(frameon=False, fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
        fig.tight_layout()
        return svg.to_svg(fig, f"{column}: rows per released label before and after")
