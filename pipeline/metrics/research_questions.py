"""Standard research questions answered on the input and on the release, with their relative error.

The questions a purpose-7 analyst and a reinsurer ask first (issue 13): claim rate (claimants / persons) by
age band × sex, claim rate by prefecture, and the product mix by region. Each is asked at a target level
(ten-year age bands, 都道府県, 地方) or, where most of the release is coarser, at the level released; released
rows coarser than that level cannot be placed in a group and count against the answer. The input side is
computed from the prepared (normalised) tables in memory; only group labels at the question's level, rates
and counts are kept.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline.config.model import ColumnSpec, TableSpec
from pipeline.hierarchies.base import Hierarchy
from pipeline.metrics.utility import compare, label_levels, leaves_up_to, mix_by, rate_by, up_to
from pipeline.prepare import Prepared, PreparedTable
from pipeline.release.candidate import TableResult


def _find(spec: TableSpec, kind: str | None = None, type_: str | None = None) -> ColumnSpec | None:
    for c in spec.by_role("quasi_identifier"):
        if (kind and c.hierarchy is not None and c.hierarchy.kind == kind) or (type_ and c.type == type_):
            return c
    return None


def _target_level(h: Hierarchy, col: ColumnSpec, wanted: str, default: int) -> int:
    """The level named ``wanted`` (a band width or an address level), else ``default``."""
    from pipeline.config.priorities import level_names

    assert col.hierarchy is not None
    for i, names in enumerate(level_names(col.hierarchy)):
        if wanted in names:
            return min(i, h.height - 1)
    return min(default, h.height - 1)


def _asked_level(released: pd.Series, h: Hierarchy, target: int) -> int | None:
    """The target level, or the release's median level where that is coarser ("or the level released");
    None when most rows are released at the root (the dimension cannot be asked)."""
    levels_of = label_levels(h)
    codes, uniq = pd.factorize(released.astype(object))
    per = np.array([levels_of.get(str(u), h.height - 1) for u in uniq], dtype=np.int64)
    lv = per[codes[codes >= 0]]
    median = int(np.sort(lv)[len(lv) // 2]) if len(lv) else target
    if median >= h.height - 1:
        return None
    return max(target, median)


def research_questions(prepared: Prepared, results: dict[str, TableResult],
                       product: str | None = None) -> tuple[str | None, list[dict]]:
    """The person table's name and the questions it and its claims allow (none without an age or address
    column)."""
    person = next((t for t in prepared.tables.values() if t.spec.person_key
                   and (_find(t.spec, kind="age") or _find(t.spec, kind="address"))), None)
    if person is None:
        return None, []
    later = [t for t in prepared.tables.values()
             if t is not person and t.spec.person_key == person.spec.person_key]
    pk = person.spec.person_key
    assert pk is not None
    out_key = person.spec.column(pk).output_name
    released = results[person.spec.name].data
    first = ~person.values[pk].duplicated().to_numpy()  # a person's values: their first row's
    rel_first = ~released[out_key].duplicated().to_numpy()
    rel = released[rel_first].reset_index(drop=True)
    flags_in = flags_out = None
    if later:
        claims_in = pd.concat([t.values[pk] for t in later], ignore_index=True)
        flags_in = _member(person.values[pk][first], claims_in)
        claims_out = pd.concat([results[t.spec.name].data[out_key] for t in later], ignore_index=True)
        flags_out = _member(rel[out_key], claims_out)
    age, sex, addr = _find(person.spec, kind="age"), _find(person.spec, type_="sex"), _find(person.spec,
                                                                                            kind="address")
    questions = []
    if flags_in is not None and flags_out is not None:
        dims = [(c, w, d) for c, w, d in ((age, "10", 2), (sex, "", 0)) if c is not None]
        if dims:
            questions.append(_rate("claim rate by " + " × ".join(c.output_name for c, _, _ in dims),
                                   person, rel, first, dims, flags_in, flags_out))
        if addr is not None:
            questions.append(_rate(f"claim rate by {addr.output_name}", person, rel, first,
                                   [(addr, "都道府県", 1)], flags_in, flags_out))
    if product and addr is not None:
        questions.append(_mix(f"{product} mix by {addr.output_name}", person, rel, first, addr, product))
    return person.spec.name, questions


def _member(values: pd.Series, pool: pd.Series) -> np.ndarray:
    """Per value: whether it occurs in ``pool`` (by one hash factorisation of both; Arrow strings' ``isin``
    builds a Python list of every value)."""
    codes, _ = pd.factorize(pd.concat([values, pool], ignore_index=True))
    n = len(values)
    seen = np.zeros(int(codes.max()) + 2 if len(codes) else 1, dtype=bool)
    seen[codes[n:][codes[n:] >= 0]] = True
    return (codes[:n] >= 0) & seen[np.maximum(codes[:n], 0)]


def _groups(person: PreparedTable, rel: pd.DataFrame, first: np.ndarray,
            dims: list[tuple[ColumnSpec, str, int]]) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, str]]:
    before, after, levels = {}, {}, {}
    for col, wanted, default in dims:
        h = person.leaves[col.name][1]
        lv = _asked_level(rel[col.output_name], h, _target_level(h, col, wanted, default))
        if lv is None:
            levels[col.output_name] = f"{h.level_descriptions[-1]}: not asked"
            continue
        before[col.output_name] = leaves_up_to(person.leaf_codes(col.name)[first], h, lv)
        after[col.output_name] = up_to(rel[col.output_name], h, lv)
        levels[col.output_name] = h.level_descriptions[lv]
    return pd.DataFrame(before), pd.DataFrame(after), levels


def _rate(name: str, person: PreparedTable, rel: pd.DataFrame, first: np.ndarray,
          dims: list[tuple[ColumnSpec, str, int]], flags_in: np.ndarray, flags_out: np.ndarray) -> dict:
    before, after, levels = _groups(person, rel, first, dims)
    if before.empty:
        return {"question": name, "levels": levels, "answerable": False}
    placed = float(after.notna().all(axis=1).mean()) if len(after) else 0.0
    return {"question": name, "levels": levels, "persons_in": len(before), "persons_out": len(after),
            "placed_share": placed, **compare(rate_by(before, flags_in), rate_by(after, flags_out))}


#: The label of the input values a release does not hold (the report never names them).
NOT_RELEASED = "(not released)"


def _mix(name: str, person: PreparedTable, rel: pd.DataFrame, first: np.ndarray, addr: ColumnSpec,
         product: str) -> dict:
    before, after, levels = _groups(person, rel, first, [(addr, "地方", 2)])
    if before.empty:
        return {"question": name, "levels": levels, "answerable": False}
    col = person.spec.column(product)
    values_out = rel[col.output_name].astype(object)
    if product in person.leaves:  # promoted by protect_attributes: asked at the level released, if any
        h = person.leaves[product][1]
        lv = _asked_level(values_out, h, 0)
        if lv is None:
            levels[col.output_name] = f"{h.level_descriptions[-1]}: not asked"
            return {"question": name, "levels": levels, "answerable": False}
        values_in = leaves_up_to(person.leaf_codes(product)[first], h, lv)
        values_out = up_to(values_out, h, lv)
        levels[col.output_name] = h.level_descriptions[lv]
    else:
        values_in = person.values[product][first].reset_index(drop=True)
    # Only released labels are named (the report shows the worst groups): an input value the release does
    # not hold (merged into その他, or suppressed) is one group, lost as a whole
    released = set(values_out.dropna().astype(str))
    values_in = values_in.astype(object).where(values_in.isna() | values_in.astype(str).isin(released),
                                               NOT_RELEASED)
    placed = float(after.notna().all(axis=1).mean()) if len(after) else 0.0
    return {"question": name, "levels": levels, "persons_in": len(before), "persons_out": len(after),
            "placed_share": placed, **compare(mix_by(before, values_in), mix_by(after, values_out))}
