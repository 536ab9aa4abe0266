"""The joined view: a table's rows with their person's quasi-identifiers from another table of the release.

A recipient can join the claims table to the policyholders table through the shared surrogate person key
(契約キー), so a claim is as identifiable as the combination of its own quasi-identifiers (請求日, 入院日数)
and its policyholder's (年齢, 性別, 居住地 …) as released. ``pipeline.anonymise`` searches the claims
table on that joined view (``linked_quasi_identifiers`` in the manifest); this module rebuilds it from the
released tables alone, so the re-identification rules (k persons per class, l-diversity, t-closeness) are
checked on what an attacker can actually assemble. Linked values are taken at the level the source table
releases (never coarser: a recipient sees them there); a person the source table suppressed is ``*``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

import numpy as np
import pandas as pd

from pipeline.errors import ValidationFailed
from pipeline.io.arrow import arrow_chunks, is_arrow_text, text_codes
from pipeline.validation.rules import TableRules

ROOT = "*"


def joined_name(table: str) -> str:
    return f"{table}_joined"


def joined_view(
    rules: TableRules, data: pd.DataFrame, tables: Mapping[str, tuple[pd.DataFrame, TableRules]]
) -> tuple[pd.DataFrame, TableRules] | None:
    """The joined frame and its rules (``None`` when the table links nothing)."""
    if not rules.linked:
        return None
    if rules.person_key is None or rules.person_key not in data.columns:
        raise ValidationFailed(
            f"table {rules.name}: links quasi-identifiers of other tables but has no person key"
        )
    attributes = rules.attributes if rules.risk_threshold is not None else ()  # for the issue-15 check
    own = [c for c in (*rules.quasi_identifiers, *attributes, *rules.sensitive, rules.person_key)
           if c in data.columns]
    frame = data[own].copy()
    by_source: dict[str, list[str]] = {}
    for qualified in dict.fromkeys((*rules.linked, *rules.linked_risk)):
        source, column = qualified.split(".", 1)
        by_source.setdefault(source, []).append(column)
    for source, columns in by_source.items():
        if source not in tables:
            raise ValidationFailed(
                f"table {rules.name}: links quasi-identifiers of table {source}, "
                "which the release does not hold"
            )
        other, other_rules = tables[source]
        missing = [c for c in columns if c not in other.columns]
        if other_rules.person_key is None or other_rules.person_key not in other.columns or missing:
            raise ValidationFailed(
                f"table {rules.name}: cannot join table {source} "
                f"(no person key, or missing {', '.join(missing)})"
            )
        rows = first_rows(frame[rules.person_key], other[other_rules.person_key])
        if rows is not None:  # both keys categorical or Arrow strings (as the gate hands them): no merge
            frame = frame.reset_index(drop=True)
            for c in columns:
                frame[f"{source}.{c}"] = linked_values(other[c], rows)
            continue
        per_person = other[[other_rules.person_key, *columns]].drop_duplicates(other_rules.person_key)
        per_person = per_person.rename(columns={c: f"{source}.{c}" for c in columns})
        per_person = per_person.rename(columns={other_rules.person_key: rules.person_key})
        frame = frame.merge(per_person, on=rules.person_key, how="left")
        for c in columns:
            col = f"{source}.{c}"
            frame[col] = frame[col].astype(object).where(frame[col].notna(), ROOT)
    joined_rules = replace(
        rules,
        name=joined_name(rules.name),
        columns=tuple(frame.columns),
        quasi_identifiers=(*rules.quasi_identifiers, *rules.linked),
        rows=len(frame),
        linked=(),
        linked_risk=(),
    )
    return frame, joined_rules


def first_rows(keys: pd.Series, other_keys: pd.Series) -> np.ndarray | None:
    """Per row of ``keys``, the position in ``other_keys`` of the first row with the same key, -1 when there
    is none: what ``drop_duplicates`` (keep first) and a left ``merge`` pair up, nulls matching nulls as in
    ``merge``. Through the category codes when both are categoricals, through Arrow's hash when both are
    Arrow strings (the gate's linking codes: both columns numbered together by
    :func:`~pipeline.io.arrow.text_codes`, a part of the rows at a time; ``index_in`` built one hash table of
    the ten million policyholders' keys, 934 MiB at 10M), else ``None``."""
    if is_arrow_text(keys) and is_arrow_text(other_keys):
        # the null key a value of its own, so a null meets the first null
        codes, n = text_codes([arrow_chunks(k) for k in (other_keys, keys)], np.int64, null_value=True)
        return _first_of(codes[: len(other_keys)], codes[len(other_keys):], n)
    categorical = (isinstance(k.dtype, pd.CategoricalDtype) for k in (keys, other_keys))
    if not all(categorical):
        return None
    null_slot = len(other_keys.cat.categories)
    other_codes = other_keys.cat.codes.to_numpy().astype(np.int64)
    other_slots = np.where(other_codes >= 0, other_codes, null_slot)
    to_other = np.append(other_keys.cat.categories.get_indexer(keys.cat.categories), null_slot)
    codes = keys.cat.codes.to_numpy().astype(np.int64)  # -1 (null) picks the null slot appended last
    target = to_other[codes]
    first = _first_of(other_slots, np.maximum(target, 0), null_slot + 1)
    return np.where(target >= 0, first, -1)


def _first_of(other: np.ndarray, codes: np.ndarray, n: int) -> np.ndarray:
    """Per code of ``codes`` (``0..n-1``), the first position of that code in ``other``, -1 when absent."""
    first = np.full(n, -1, dtype=np.int64)
    slots, at = np.unique(other, return_index=True)
    first[slots] = at
    return first[codes]


def linked_values(values: pd.Series, rows: np.ndarray) -> pd.Series:
    """``values`` at ``rows`` (-1: no such person), absent and null cells as the root ``*``. A categorical
    keeps its codes (the root added as a category, unused categories dropped); other dtypes go through
    ``object`` as the merge path does."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes = values.cat.codes.to_numpy()
        taken = np.where(rows >= 0, codes[np.maximum(rows, 0)] if len(codes) else -1, -1)
        cat = pd.Categorical.from_codes(taken, dtype=values.dtype)
        if ROOT not in cat.categories:
            cat = cat.add_categories([ROOT])
        return pd.Series(cat).fillna(ROOT).cat.remove_unused_categories()
    cells = np.full(len(rows), None, dtype=object)
    found = rows >= 0
    cells[found] = values.to_numpy(dtype=object)[rows[found]]
    out = pd.Series(cells, dtype=object)
    return out.where(out.notna(), ROOT)
