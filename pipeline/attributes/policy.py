"""The attribute-risk policy: which views exceed the threshold, the plain warning, and the refusal.

A view (a table, or a joined view) exceeds the policy when the share of its rows unique over all measured
columns is above ``privacy.attribute_risk_threshold``. Under ``warn`` the release is written with the warning
in its report, manifest and run summary; under ``fail`` nothing is written and the run stops with one line
naming the tables and the columns that contribute most (exit 6, :class:`~pipeline.errors.PrivacyError`).

The fix named for each contributing column follows its type: an amount or number in bands, a date by month
or year, a code merged into broader groups; or ``privacy.protect_attributes: true`` to let the search do it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pipeline.config.attribute_risk import AttributeRiskSpec
from pipeline.errors import PrivacyError
from pipeline.metrics.attribute_risk import AttributeRisk
from pipeline.release.candidate import TableResult

#: Columns named in a warning or an error (the largest contributions).
NAMED = 3


@dataclass(frozen=True)
class Finding:
    view: str
    risk: AttributeRisk
    columns: tuple[str, ...]
    ja: str
    en: str


@dataclass
class Assessment:
    spec: AttributeRiskSpec
    views: dict[str, AttributeRisk]
    findings: list[Finding] = field(default_factory=list)
    #: Table → attributes promoted to quasi-identifiers by ``protect_attributes``.
    protected: dict[str, list[str]] = field(default_factory=dict)
    rounds: int = 1

    @property
    def status(self) -> str:
        if not self.findings:
            return "ok"
        return "fail" if self.spec.policy == "fail" else "warn"

    def as_dict(self) -> dict[str, Any]:
        return {
            "policy": self.spec.policy,
            "threshold": self.spec.threshold,
            "suda_max_columns": self.spec.max_columns,
            "protect_attributes": self.spec.protect,
            "protected": {t: list(c) for t, c in self.protected.items()},
            "anonymisation_rounds": self.rounds,
            "status": self.status,
            "unique_share": {v: r.unique_share for v, r in self.views.items()},
            "warnings": [{"view": f.view, "columns": list(f.columns), "ja": f.ja, "en": f.en}
                         for f in self.findings],
        }

    def raise_if_failed(self) -> None:
        if self.status != "fail":
            return
        parts = [
            f"{f.view}: {f.risk.unique_rows:,} of {f.risk.rows:,} rows ({f.risk.unique_share:.1%}) unique "
            f"over all released columns, most from {', '.join(f.columns) or 'combinations beyond m columns'}"
            for f in self.findings
        ]
        raise PrivacyError(
            f"attribute risk over the allowed {self.spec.threshold:.1%} (privacy.attribute_risk: fail): "
            f"{'; '.join(parts)}; band or coarsen those columns, or set privacy.protect_attributes: true. "
            "No release was written"
        )


def column_spec(view_column: str, view: str, tables: Mapping[str, TableResult]) -> Any:
    """The ColumnSpec behind a measured column (``<table>.<column>`` in a joined view)."""
    table, _, column = view_column.rpartition(".")
    t = tables.get(table) if table in tables else tables.get(view.removesuffix("_joined"))
    if t is None:
        return None
    name = column if table in tables else view_column
    return next((c for c in t.spec.columns if c.output_name == name), None)


def _fix(column: str, view: str, tables: Mapping[str, TableResult]) -> tuple[str, str] | None:
    """The fix for one contributing column (None for a quasi-identifier: the search generalises it)."""
    col = column_spec(column, view, tables)
    kind = col.type if col is not None else "string"
    if col is not None and col.role == "quasi_identifier":
        return None
    if kind in ("amount", "integer"):
        return f"{column} を金額帯(階級)にまとめる", f"release {column} in bands (a hierarchy and a level)"
    if kind == "date":
        return f"{column} を月単位または年単位に粗くする", f"coarsen {column} to month or year"
    return (f"{column} の値をより大きな区分(または「その他」)にまとめる",
            f"merge the values of {column} into broader groups (or その他)")


def assess(views: Mapping[str, AttributeRisk], spec: AttributeRiskSpec,
           tables: Mapping[str, TableResult]) -> Assessment:
    """The findings for every view over the threshold, with the bilingual warning text."""
    out = Assessment(spec, dict(views))
    for view, r in views.items():
        if r.unique_share <= spec.threshold:
            continue
        ranked = r.ranked_columns()[:NAMED]
        contrib_ja = ("、".join(f"{c}({r.contribution[c]:.0%})" for c in ranked)
                      or f"{spec.max_columns}項目を超える組合せ")
        contrib_en = ", ".join(f"{c} ({r.contribution[c]:.0%})" for c in ranked) or (
            f"combinations of more than {spec.max_columns} columns")
        fixes = [f for f in (_fix(c, view, tables) for c in ranked) if f is not None]
        fix_ja = "、".join(f[0] for f in fixes)
        fix_en = "; ".join(f[1] for f in fixes)
        ja = (f"{view}: 公開する全項目の組合せで、{r.rows:,}行のうち{r.unique_rows:,}行"
              f"({r.unique_share:.1%})が一意です(準識別子だけでなく属性の組合せで個人を特定できるおそれ)。"
              f"主な原因の項目: {contrib_ja}。対処: {fix_ja + '、' if fix_ja else ''}"
              "または privacy.protect_attributes: true で属性も準識別子として加工してください。")
        en = (f"{view}: {r.unique_rows:,} of {r.rows:,} rows ({r.unique_share:.1%}) are unique over all "
              "released columns: the attributes single out persons the quasi-identifiers protected. "
              f"Columns contributing most: {contrib_en}. Fix: {fix_en + '; ' if fix_en else ''}"
              "or set privacy.protect_attributes: true to generalise them as quasi-identifiers.")
        out.findings.append(Finding(view, r, tuple(ranked), ja, en))
    return out
