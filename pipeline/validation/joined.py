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

import pandas as pd

from pipeline.errors import ValidationFailed
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
    own = [c for c in (*rules.quasi_identifiers, *rules.sensitive, rules.person_key) if c in data.columns]
    frame = data[own].copy()
    by_source: dict[str, list[str]] = {}
    for qualified in rules.linked:
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
    )
    return frame, joined_rules
