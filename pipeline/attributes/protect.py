"""``privacy.protect_attributes``: make the attributes that drive special uniques quasi-identifiers.

The release is anonymised as configured and measured (:mod:`pipeline.attributes.measure`). While a view is
over the threshold, the attributes contributing to its special uniques (SUDA contribution > 0; all its
measured attributes when no MSU of at most m columns explains the uniques) become quasi-identifiers and the
whole release is searched again, so the engine picks the least-loss levels k-anonymous on them too; for a
linked table they also enter the joined view (claims × policyholders), as every quasi-identifier does.

A promoted attribute's hierarchy is its configured one, searched from its configured ``level`` up (the
release never gets finer than the config asked); without one, a default that keeps the attribute useful:

- ``amount`` / ``integer``: the value, then bands of about 1/20, 1/4 and 1/2 of the top-coded range in
  round numbers (保険料 with ``top_code: 20000``: 円 → 1,000円 → 5,000円 → 10,000円 bands), top/bottom coded;
- ``date``: day → month → year;
- ``string`` / ``sex``: the value with values of fewer than k persons already in その他 (what the attribute
  released anyway), then ``*``.

Rounds are bounded (each promotes at least one new column), so this always ends; with nothing left to
promote the policy decides on the last release.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

import pandas as pd

from pipeline import progress
from pipeline.anonymise import anonymise_prepared
from pipeline.anonymise.recoding import anonymise_auto, with_recoding
from pipeline.attributes.measure import measure_release
from pipeline.attributes.policy import Assessment, assess
from pipeline.config.model import AttributeRiskSpec, ColumnSpec, HierarchySpec
from pipeline.hierarchies.base import Hierarchy, truncate
from pipeline.hierarchies.builtin import build_hierarchy
from pipeline.identifiers.rare import merge_rare
from pipeline.prepare import Prepared, PreparedTable
from pipeline.release.candidate import TableResult

#: Rows above which ``protect_attributes`` decides what to promote from SUDA on a sample (the uniqueness that
#: decides *whether* is always counted on every row; a release without uniques skips SUDA anyway). On a
#: million policyholders with 保険料 to the yen, SUDA over every row costs about 7 s of CPU per table.
DECISION_SAMPLE = 200_000


def anonymise_with_attribute_policy(
    prepared: Prepared,
) -> tuple[dict[str, TableResult], Prepared, Assessment]:
    """Anonymise, measure risk over all released columns, and (with ``protect_attributes``) promote and
    search again until no view exceeds the threshold or nothing is left to promote. Does not raise for the
    policy itself: the caller decides (``Assessment.raise_if_failed``).

    With ``recoding: auto`` the promotion rounds run under global recoding alone, then ``auto`` chooses once
    on the promoted extract (the last global search reused, one local search added); if it keeps the local
    release and that still singles persons out, the rounds go on under local recoding. Why: ``auto`` in every
    round searched both recodings each time; at a million policyholders that was four searches, 582 s of a
    690 s run. The choice is the same rule on the same final extract; only the rounds before it are cheaper.
    """
    spec = prepared.config.privacy.attribute_risk
    rounds = _Rounds(spec.protect)
    auto = prepared.config.privacy.recoding == "auto" and spec.protect
    with progress.phase("anonymise"):
        tables = anonymise_prepared(with_recoding(prepared, "global") if auto else prepared)
    tables, promoted, views, assessment = rounds.run(
        with_recoding(prepared, "global") if auto else prepared, tables, spec)
    if auto:
        prepared = with_recoding(promoted, "auto")
        with progress.phase("anonymise (recoding: auto)"):
            tables = anonymise_auto(prepared, anonymise_prepared, global_results=tables)
        record = next(iter(tables.values())).metrics["search"]["recoding"]
        if record["chosen"] == "local":
            tables, promoted, views, assessment = rounds.run(
                with_recoding(prepared, "local"), tables, spec)
            for t in tables.values():
                t.metrics["search"]["recoding"] = record
        promoted = with_recoding(promoted, "auto")
    prepared = promoted
    if rounds.sample is not None and any(v.unique_rows and v.rows > rounds.sample for v in views.values()):
        with progress.phase("attribute risk"):  # the figures reported: SUDA over every row
            views = measure_release(tables, spec.max_columns)
            assessment = assess(views, spec, tables)
    assessment.protected, assessment.rounds = rounds.protected, rounds.count
    _record(tables, spec, views, assessment)
    return tables, prepared, assessment


def assess_release(tables: dict[str, TableResult], spec: AttributeRiskSpec) -> Assessment:
    """Measure and record the risk over all released columns of ``tables``, promoting nothing (the streamed
    run, where ``protect_attributes`` is off: the same figures as one round of the rounds above)."""
    with progress.phase("attribute risk"):
        views = measure_release(tables, spec.max_columns)
        assessment = assess(views, spec, tables)
    _record(tables, spec, views, assessment)
    return assessment


def _record(tables: dict[str, TableResult], spec: AttributeRiskSpec, views: dict[str, Any],
            assessment: Assessment) -> None:
    """Each table's ``metrics["attribute_risk"]``: the policy, its views' figures and warnings."""
    for name, t in tables.items():
        t.metrics["attribute_risk"] = {"policy": spec.policy, "threshold": spec.threshold,
                                       **views[name].as_dict()}
        if f"{name}_joined" in views:
            t.metrics["attribute_risk"]["joined"] = views[f"{name}_joined"].as_dict()
    for f in assessment.findings:
        table = f.view.removesuffix("_joined")
        warning = {"view": f.view, "columns": list(f.columns), "ja": f.ja, "en": f.en}
        tables[table].metrics["attribute_risk"].setdefault("warnings", []).append(warning)


class _Rounds:
    """The promotion rounds of one run: what was promoted so far and how many searches it took."""

    def __init__(self, protect: bool) -> None:
        self.protect = protect
        self.protected: dict[str, list[str]] = {}
        self.count = 1
        self.sample = DECISION_SAMPLE if protect else None

    def run(self, prepared: Prepared, tables: dict[str, TableResult], spec: AttributeRiskSpec
            ) -> tuple[dict[str, TableResult], Prepared, dict[str, Any], Assessment]:
        """Measure ``tables`` (the release of ``prepared``); while a view is over the threshold and there is
        something left to promote, promote it and search again."""
        while True:
            with progress.phase("attribute risk"):
                views = measure_release(tables, spec.max_columns, self.sample)
                assessment = assess(views, spec, tables)
            if not self.protect or not assessment.findings:
                return tables, prepared, views, assessment
            promote = _to_promote(assessment, tables)
            if not any(promote.values()):
                return tables, prepared, views, assessment
            for name, cols in promote.items():
                self.protected.setdefault(name, []).extend(cols)
            prepared = promote_attributes(prepared, promote)
            self.count += 1
            with progress.phase(f"anonymise (attributes protected, round {self.count})"):
                tables = anonymise_prepared(prepared)


def _to_promote(assessment: Assessment, tables: dict[str, TableResult]) -> dict[str, list[str]]:
    """Table → its attributes (output names) driving the special uniques of the views over the threshold."""
    out: dict[str, list[str]] = {}
    for f in assessment.findings:
        r = f.risk
        drivers = [c for c in r.columns if r.contribution.get(c, 0.0) > 0] or list(r.columns)
        for column in drivers:
            table, _, name = column.rpartition(".")
            if table not in tables:
                table, name = f.view.removesuffix("_joined"), column
            if name in tables[table].attributes and name not in out.get(table, []):
                out.setdefault(table, []).append(name)
    return out


def promote_attributes(prepared: Prepared, columns: dict[str, list[str]]) -> Prepared:
    """A copy of ``prepared`` with the named attributes (table → output names) as quasi-identifiers."""
    tables = {}
    attribute_spec = prepared.config.privacy.attribute_risk
    for name, t in prepared.tables.items():
        wanted = set(columns.get(name, ()))
        if not wanted:
            tables[name] = t
            continue
        specs, leaves = [], dict(t.leaves)
        for col in t.spec.columns:
            if col.role == "attribute" and col.output_name in wanted:
                leaves[col.name] = attribute_hierarchy(col, t, prepared.config.privacy.k,
                                                       prepared.config.privacy.reference_date)
                col = replace(col, role="quasi_identifier", level=0, weight=attribute_spec.weight,
                              hierarchy=col.hierarchy or default_spec(col))
            specs.append(col)
        spec = replace(t.spec, columns=tuple(specs))
        promoted = {s.name for s in specs if s.output_name in wanted}
        codes = {c: v for c, v in t._codes.items() if c not in promoted}
        tables[name] = replace(t, spec=spec, leaves=leaves, _codes=codes)
    config = replace(prepared.config, tables=tuple(tables[s.name].spec for s in prepared.config.tables))
    return Prepared(config, tables)


def attribute_hierarchy(col: ColumnSpec, t: PreparedTable, k: int,
                        reference: object) -> tuple[pd.Series, Hierarchy]:
    """(leaf label per row, hierarchy) of an attribute searched as a quasi-identifier."""
    values = t.values[col.name]
    if col.name in t.leaves:
        h = t.leaves[col.name][1]
        level = min(col.level, h.height - 1)
        if level == 0:
            return t.leaves[col.name]
        labels = pd.Series(h.generalise(t.leaf_codes(col.name), level), dtype=object)
        root = str(h.labels[-1][0])
        return labels.where(labels != root, None), truncate(h, level)
    spec = default_spec(col)
    if spec.kind == "flat" and col.type == "string":
        values, _ = merge_rare(values, t.person, k, "merge", col.rare_label)
    return build_hierarchy(col.output_name, values, spec, reference, col.output_name)  # type: ignore[arg-type]


def default_spec(col: ColumnSpec) -> HierarchySpec:
    """The hierarchy an attribute without one is searched with (see the module docstring)."""
    if col.type in ("amount", "integer"):
        return HierarchySpec(kind=col.type, bands=default_bands(col), top_code=col.top_code,
                             bottom_code=col.bottom_code, unit="円" if col.type == "amount" else "")
    if col.type == "date":
        return HierarchySpec(kind="date")
    return HierarchySpec(kind="flat")


def default_bands(col: ColumnSpec) -> tuple[int, ...]:
    """1, then round bands of about 1/20, 1/4 and 1/2 of the coded range that nest and divide it."""
    top = col.top_code if col.top_code is not None else 0.0
    bottom = col.bottom_code if col.bottom_code is not None else 0.0
    span = int(top - bottom)
    if span <= 0:
        return (1,)
    unit = 10 ** max(math.floor(math.log10(max(span / 20, 1))), 0)
    bands = [1]
    for b in (unit, 5 * unit, 10 * unit):
        if b > bands[-1] and b % bands[-1] == 0 and span % b == 0 and int(bottom) % b == 0:
            bands.append(b)
    return tuple(bands)
