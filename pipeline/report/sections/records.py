"""Rows in, rows released, rows suppressed, cells merged as 特異な記述: where the data went."""

from __future__ import annotations

from pipeline.release.candidate import TableResult
from pipeline.report import svg
from pipeline.report.content import Figure, Part, Table
from pipeline.report.sections.base import Section


class RecordsSection(Section):
    name = "records"
    title_ja = "レコード数と削除"
    title_en = "Records and suppression"
    lead_ja = "入力行のうち、k匿名性を満たせず削除（抑制）された行と、特異な記述として統合・削除されたセル。"
    lead_en = ("Input rows, rows suppressed because their class could not reach k, and cells merged or "
               "removed as idiosyncratic values.")

    def body(self, table: TableResult) -> list[Part]:
        released = len(table.data)
        share = table.suppressed_rows / table.rows_in if table.rows_in else 0.0
        rows: list[tuple[str, float]] = [
            ("入力行 / rows in", table.rows_in),
            ("公開行 / rows released", released),
            ("削除行 / rows suppressed", table.suppressed_rows),
            ("削除率 / share suppressed", share),
            ("同値クラス数 / equivalence classes", table.classes),
            ("最小クラス(人) / smallest class (persons)", table.min_class_size),
        ]
        rows += [(f"{c} 統合(特異な記述) / merged rare cells", n) for c, n in table.rare_values.items()]
        rows += [(f"{c} 無効値→欠損 / invalid cells nulled", n) for c, n in table.invalid_nulled.items()]
        with svg.chart_style():
            fig, (ax,) = svg.figure(6.0, 1.1)
            ax.barh([0], [released], color=svg.AFTER_COLOUR, label=f"released {released:,}")
            ax.barh([0], [table.suppressed_rows], left=[released], color=svg.ACCENT_COLOUR,
                    label=f"suppressed {table.suppressed_rows:,}")
            ax.set_yticks([])
            ax.set_xlabel("rows")
            ax.set_xlim(0, max(table.rows_in, released + table.suppressed_rows, 1))
            ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.6), ncol=2, frameon=False)
            chart = svg.to_svg(fig, "released and suppressed rows")
        return [
            Table(["", "値 / value"], rows),
            Figure(chart, f"公開 {released:,} 行、削除 {table.suppressed_rows:,} 行。",
                   f"{released:,} rows released, {table.suppressed_rows:,} suppressed."),
        ]
