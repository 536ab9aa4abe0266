"""The equivalence-class size distribution of the released data, computed from the release itself."""

from __future__ import annotations

from pipeline.release.candidate import TableResult
from pipeline.report import svg
from pipeline.report.aggregates import class_sizes, size_distribution
from pipeline.report.content import Figure, Note, Part, Table
from pipeline.report.sections.base import Section


class ClassesSection(Section):
    name = "classes"
    title_ja = "同値クラスの大きさ"
    title_en = "Equivalence-class sizes"
    lead_ja = ("準識別子の値が同じ行の集まり（同値クラス）ごとの人数の分布。すべてのクラスがk人以上なら"
               "k匿名性を満たす。")
    lead_en = ("How many persons share each combination of quasi-identifier values. Every class with at "
               "least k persons means k-anonymity holds.")

    def body(self, table: TableResult) -> list[Part] | None:
        if table.data.empty:
            return [Note("公開行がありません。", "The release has no rows.")]
        sizes = class_sizes(table.data, table.quasi_identifiers, table.person_key)
        dist = size_distribution(sizes)
        below = int((sizes < table.k).sum())
        rows = [
            ("クラス数 / classes", len(sizes)),
            ("最小 / smallest", int(sizes.min())),
            ("中央値 / median", float(sizes.median())),
            ("最大 / largest", int(sizes.max())),
            (f"k={table.k} 未満 / below k", below),
        ]
        with svg.chart_style():
            fig, (ax,) = svg.figure(6.5, 2.6)
            ax.bar(dist["bucket"], dist["classes"], color=svg.AFTER_COLOUR)
            ax.set_xlabel("persons per class")
            ax.set_ylabel("classes")
            ax.tick_params(axis="x", labelrotation=45 if len(dist) > 8 else 0)
            ax.set_title(f"k = {table.k}; smallest class = {int(sizes.min())}")
            fig.tight_layout()
            chart = svg.to_svg(fig, "equivalence-class size distribution")
        linked = table.metrics.get("linked_quasi_identifiers") or []
        parts: list[Part] = []
        if linked:
            parts.append(Note(
                f"この表の準識別子だけで数えたクラス。探索は結合先の準識別子（{len(linked)}列）も含めて"
                f"k匿名性を確かめており、その最小クラスは{table.min_class_size:,}人。",
                f"Classes over this table's own quasi-identifiers; the search also held {len(linked)} "
                f"quasi-identifier(s) of the linked table fixed, where the smallest class is "
                f"{table.min_class_size:,} persons.",
            ))
        return [*parts, Table(["", "値 / value"], rows), Figure(
            chart,
            f"クラスの大きさ（人数）ごとのクラス数。k={table.k}未満のクラスは{below}個。",
            f"Number of classes by size in persons; {below} classes are below k={table.k}.",
        )]
