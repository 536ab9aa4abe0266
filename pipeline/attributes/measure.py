"""Measure risk over all released columns of every table of a release, and of each joined view.

Measured columns: every released column except the surrogate keys (linking codes), the sensitive values
(what an attacker wants to learn, not what they know) and scrubbed free text (unique by construction; the
residual-PII gate covers it). That is the table's quasi-identifiers and attributes as released.

Joined view: a table sharing its person key with an earlier table (claims → policyholders) is also measured
with each row carrying its person's measured columns from the earlier table (``<table>.<column>``), as a
recipient can join them through the surrogate key; a person the earlier table does not hold is null there.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from pipeline.io.arrow import arrow_chunks, is_arrow_text, text_codes
from pipeline.metrics.attribute_risk import AttributeRisk, Persons, attribute_risk_codes, encode
from pipeline.progress import phase
from pipeline.release.candidate import TableResult


def measured_columns(t: TableResult) -> list[str]:
    """The released columns an acquaintance may know: quasi-identifiers and attributes, in release order."""
    wanted = set(t.quasi_identifiers) | set(t.attributes)
    return [c for c in t.data.columns if c in wanted]


class _Encoded:
    """Each released column of a table encoded once (:func:`~pipeline.metrics.attribute_risk.encode`) for its
    own view and every joined view that carries it, and the person key as dense numbers shared by all tables
    keyed on it (one factorisation of their keys together: a person has one number in every table)."""

    def __init__(self, tables: Mapping[str, TableResult]) -> None:
        self.tables = tables
        self._columns: dict[tuple[str, str], tuple[np.ndarray, int]] = {}
        self._persons: dict[str, Persons] = {}

    def column(self, table: str, column: str) -> tuple[np.ndarray, int]:
        if (table, column) not in self._columns:
            self._columns[table, column] = encode(self.tables[table].data[column])
        return self._columns[table, column]

    def null_code(self, table: str, column: str) -> int | None:
        """The code of the column's null cells (None: it has none)."""
        nulls = np.flatnonzero(self.tables[table].data[column].isna().to_numpy())
        return int(self.column(table, column)[0][nulls[0]]) if len(nulls) else None

    def forget(self, table: str) -> None:
        """Drop ``table``'s cached codes (no view left needs them: a release's columns as int32 codes are
        4 bytes a cell, 400 MiB for 10M policyholders, held through the claims' joined view otherwise)."""
        for key in [key for key in self._columns if key[0] == table]:
            del self._columns[key]
        self._persons.pop(table, None)

    def persons(self, table: str) -> Persons:
        if table not in self._persons:
            t = self.tables[table]
            assert t.person_key is not None
            keyed = [name for name, o in self.tables.items()
                     if o.person_key == t.person_key and o.spec.person_key == t.spec.person_key]
            values = [self.tables[name].data[t.person_key] for name in keyed]
            codes, n = _number(values)
            at = np.cumsum([0, *(len(v) for v in values)])
            for i, name in enumerate(keyed):
                self._persons[name] = Persons(codes[at[i]:at[i + 1]], n)
        return self._persons[table]


def _number(values: list[pd.Series]) -> tuple[np.ndarray, int]:
    """One dense number per person key over all ``values`` (int64 codes, a null key one more person) and
    the number of keys.

    Linking codes held as Arrow strings are numbered by Arrow's hash a part of the rows at a time, in the
    system allocator's memory (:func:`~pipeline.io.arrow.text_codes`): one hash table of 15.8M keys (10M
    policyholders and their claims) grows by doubling, and Arrow's default mimalloc pool kept the outgrown
    tables, so the risk over all released columns rose +2,181 MiB over its start (the run's peak, issue 17);
    +1,186 MiB in the system allocator. Other dtypes (the whole-table path's text) by pandas."""
    if values and all(is_arrow_text(v) for v in values):
        # the null key: one more person
        return text_codes([arrow_chunks(v) for v in values], np.int64, null_value=True)
    codes, uniq = pd.factorize(pd.concat(values, ignore_index=True), use_na_sentinel=False)
    return codes.astype(np.int64), len(uniq)


def joined_codes(t: TableResult, earlier: Mapping[str, TableResult],
                 enc: _Encoded) -> tuple[list[str], list[tuple[np.ndarray, int]]] | None:
    """``t``'s measured columns plus those of every earlier table sharing its person key, as codes (None: no
    earlier table shares it). A row carries its person's values from the earlier table's first row of that
    person (one row per person there: the policyholders); a person the earlier table does not hold has the
    null code there."""
    if t.person_key is None:
        return None
    columns = measured_columns(t)
    encoded = [enc.column(t.name, c) for c in columns]
    person = enc.persons(t.name)
    linked = False
    for name, other in earlier.items():
        if other.person_key != t.person_key or other.spec.person_key != t.spec.person_key:
            continue
        theirs = enc.persons(name).codes
        first = np.full(person.n, -1, dtype=np.int64)
        first[theirs[::-1]] = np.arange(len(theirs) - 1, -1, -1)  # the last write wins: the first row
        at = first[person.codes]
        held = at >= 0
        for c in measured_columns(other):
            codes, card = enc.column(name, c)
            null = enc.null_code(name, c)  # a person they do not hold is null there, as their own nulls
            if null is None:
                null, card = card, card + 1
            encoded.append((np.where(held, codes[np.maximum(at, 0)], null), card))
            columns.append(f"{name}.{c}")
        linked = True
    return (columns, encoded) if linked else None


def measure_release(tables: Mapping[str, TableResult], m: int,
                    suda_sample: int | None = None) -> dict[str, AttributeRisk]:
    """View name (table, or ``<table>_joined``) → its risk over all measured columns, in release order
    (``suda_sample``: see :func:`~pipeline.metrics.attribute_risk.attribute_risk`). Each column is encoded
    once, to integer codes; the joined views are built from those codes, not from the values."""
    out: dict[str, AttributeRisk] = {}
    earlier: dict[str, TableResult] = {}
    enc = _Encoded(tables)
    last = _last_use(tables)
    for i, (name, t) in enumerate(tables.items()):
        with phase(f"view {name}"):
            person = enc.persons(name) if t.person_key else None
            columns = measured_columns(t)
            out[name] = attribute_risk_codes(columns, [enc.column(name, c) for c in columns], len(t.data),
                                             person, m, suda_sample)
        joined = joined_codes(t, earlier, enc)
        for done in [other for other, at in last.items() if at == i]:
            enc.forget(done)  # the joined view holds what it needs of them
        if joined is not None:
            with phase(f"view {name}_joined"):
                columns, encoded = joined
                del joined
                out[f"{name}_joined"] = attribute_risk_codes(columns, encoded, len(t.data), person, m,
                                                             suda_sample, consume=True)
        earlier[name] = t
    return out


def _last_use(tables: Mapping[str, TableResult]) -> dict[str, int]:
    """Table → position of the last table whose views read its codes: its own, or the last later table
    sharing its person key (whose joined view carries its columns)."""
    names = list(tables)
    last = {}
    for i, name in enumerate(names):
        t = tables[name]
        last[name] = max([i, *(j for j in range(i + 1, len(names))
                               if t.person_key is not None and tables[names[j]].person_key == t.person_key
                               and tables[names[j]].spec.person_key == t.spec.person_key)])
    return last
