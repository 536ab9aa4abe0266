"""The streaming first pass: read, normalise and encode batches, keep only what the search needs.

Per table, what is accumulated (never the rows):

- ``histogram``: each distinct tuple of (quasi-identifier leaf codes, sensitive values) with its row count;
- ``persons``: each distinct quasi-identifier tuple with its number of distinct persons (from the distinct
  (tuple, person) pairs, both as 64-bit hashes — the tuple's of its value keys, the person's of its key — so
  16 bytes per pair; a 64-bit collision among some 10^5 tuples or within one tuple's persons has a chance
  below 10^-9 and could only lower a count, never raise it: this part grows with
  the
  persons, not with the rows or their width);
- ``distinct``: each kept attribute's or sensitive column's distinct values with their row counts;
- ``sketches``: for the same columns, each value's *k smallest* distinct person hashes (a bottom-k sketch):
  what 特異な記述 needs, since a value is rare when fewer than k *persons* hold it, not k rows
  (:func:`pipeline.identifiers.rare.merge_rare`). Exact for that question: a value held by at least k persons
  keeps k hashes, one held by fewer keeps them all, so ``min(persons, k)`` is known; and the merged label's
  persons (every rare value's sketch with the label's own) are the union of those sketches, cut to k again.
  It grows with the distinct values × k, never with the rows (:class:`RarePlan`);
- the hierarchies, built once from the distinct values, not from the rows.

Why this shape: every built-in hierarchy maps a value to its leaf by the value alone, so a batch is reduced
to a histogram of *value keys* (the normalised value cut to what its leaf reads, :func:`value_keys`: an
address's 市区町村, a birth date's age under an age hierarchy, a date's start of its finest level; so a table
of persons histograms its classes, not its persons), and the keys are mapped to leaf codes once at the end.
The batch work (:func:`encode_batch`) is a pure function of one batch, so Dask can run it on workers
(:mod:`pipeline.stream.dask_pass`); :func:`reduce_stats` merges partial results in any grouping.

Errors: the same as the whole-file path (a malformed row names its line; an invalid value names the first
invalid row of the first configured column that has one, and the count), raised after the pass; nothing kept.
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn, TypeVar

import numpy as np
import pandas as pd

from pipeline.config.model import ColumnSpec, Config, TableSpec
from pipeline.errors import InputError, PipelineError
from pipeline.hierarchies.base import Hierarchy
from pipeline.hierarchies.builtin import (
    address_keys,
    age_keys,
    build_hierarchy,
    date_keys,
    prefecture_leaves,
)
from pipeline.inputs import check_header, input_overrides, input_path
from pipeline.io.batches import Batch
from pipeline.normalise.base import ColumnNormaliser, Faults, shared_cache
from pipeline.stream import memory
from pipeline.stream.columns import batches, kept_for_processing
from pipeline.stream.compact import Compacting
from pipeline.stream.links import LINK, PersonLinks, person_links
from pipeline.stream.spill import Spill

_PERSON = "__person__"
_ROWS = "__rows__"
_TUPLE = "__tuple__"
_ROW = "__row__"
_VALUE = "__value__"
_T = TypeVar("_T")
_B = TypeVar("_B")
#: rows held before the partial results are first merged (then geometrically: ``pipeline.stream.compact``)
COMPACT_EVERY = 2_000_000


@dataclass
class BatchStats:
    """One batch's (or several batches') partial first pass; merged by :func:`reduce_stats`."""

    rows: int
    histogram: pd.DataFrame  # value keys of qis + sensitive values + _TUPLE (hash of the qi keys) + _ROWS
    #: distinct (_TUPLE, _PERSON) hashes, uint64, with the pair's first row (_ROW) and, when the pass
    #: carries a column, the 32-bit hash of its value at that row (_VALUE); empty without a person key
    pairs: pd.DataFrame
    distinct: dict[str, pd.Series]  # column → value → rows
    #: column → distinct (value, person hash) pairs, at most ``k`` per value (the smallest hashes)
    sketches: dict[str, pd.DataFrame]
    #: column → what its values broke (control characters, invalid values), for the error raised after the
    #: pass
    faults: dict[str, Faults] = field(default_factory=dict)
    #: person hashes kept per value in ``sketches`` (the release's k)
    k: int = 1


@dataclass
class TableStats:
    name: str
    rows: int
    quasi_identifiers: list[str]  # output names
    sensitive: list[str]
    histogram: pd.DataFrame  # qi leaf codes (int32) + sensitive values + "rows"
    persons: pd.DataFrame  # qi leaf codes + "persons"
    distinct: dict[str, pd.Series]
    hierarchies: dict[str, Hierarchy]
    invalid_nulled: dict[str, int]
    sketches: dict[str, pd.DataFrame] = field(default_factory=dict)
    k: int = 1
    #: With a person key: the distinct (``t``: row of ``persons``, i.e. leaf-code tuple; ``p``: person hash)
    #: pairs, what the search counts persons per class from (a person's rows may fall in several tuples, and
    #: two tuples may merge into one class); None without a person key (each row is a person)
    person_pairs: pd.DataFrame | None = None
    #: quasi-identifier → its value keys (:func:`value_keys`) → leaf code: how a later pass codes a row
    leaf_lookup: dict[str, pd.Series] = field(default_factory=dict)
    #: kept column with a hierarchy (not a quasi-identifier) → value → its label at the column's fixed level
    fixed: dict[str, pd.Series] = field(default_factory=dict)
    #: A later table of the joined view: the earlier table's person links; then ``histogram`` and
    #: ``persons`` carry each row's link id in the column :data:`~pipeline.stream.links.LINK` (-1: the
    #: person is not in the earlier table), part of the tuple the persons are counted on
    links: PersonLinks | None = None
    #: kept column with a hierarchy (not a quasi-identifier) → that hierarchy (built on the distinct values)
    fixed_hierarchies: dict[str, Hierarchy] = field(default_factory=dict)
    #: address quasi-identifier → rows whose 市区町村 is not in the official list (leaf: the 都道府県)
    addresses_coarsened: dict[str, int] = field(default_factory=dict)
    #: what later steps derive from these figures once and reuse (read-only arrays; never personal values)
    derived: dict[str, np.ndarray] = field(default_factory=dict, repr=False)
    #: distinct persons (rows without a person key); None: not counted (a table built by hand)
    n_persons: int | None = None

    @property
    def persons_total(self) -> int:
        """Distinct persons of the table (each row is one without a person key)."""
        if self.n_persons is not None:
            return self.n_persons
        return int(self.person_pairs["p"].nunique()) if self.person_pairs is not None else self.rows

    @property
    def tuple_columns(self) -> list[str]:
        """The columns a row's tuple is made of: the quasi-identifiers, and the link id of a joined view."""
        return [*self.quasi_identifiers, *([LINK] if self.links is not None else [])]

    def rare(self, column: str, policy: str, label: str) -> RarePlan:
        """What :func:`~pipeline.identifiers.rare.merge_rare` will do to ``column`` (output name) under the
        first pass's ``k``, from the sketches alone."""
        rows = self.distinct[column]
        if column in self.fixed:
            rows = rows.groupby(self.fixed[column].reindex(rows.index), dropna=False).sum()
        return rare_plan(self.sketches[column], rows, self.k, policy, label)


@dataclass(frozen=True)
class RarePlan:
    """The rare-value decision for one column, known before the second pass: which values are merged (or
    nulled), whether the merged label is itself held by fewer than k persons (then nulled too), and how
    many cells change (``merge_rare``'s count)."""

    rare: frozenset
    label_nulled: bool
    changed_cells: int


def rare_plan(sketch: pd.DataFrame, rows: pd.Series, k: int, policy: str, label: str) -> RarePlan:
    held = sketch.groupby("value", sort=False).size()  # min(persons, k) per value
    rare = held.index[held.to_numpy() < k]
    changed = int(rows.reindex(rare).sum()) if len(rare) else 0
    label_nulled = False
    if len(rare) and policy == "merge":
        # the merged label's persons: those of every rare value and of the rows already holding the label
        merged = sketch.loc[sketch["value"].isin(rare) | (sketch["value"] == label), "person"]
        label_nulled = merged.nunique() < k
    return RarePlan(frozenset(rare), label_nulled, changed)


@dataclass
class FirstPass:
    tables: dict[str, TableStats]
    #: person key → the person links of the first table with that key (the later tables' joined view)
    links: dict[str, PersonLinks] = field(default_factory=dict)
    #: person key → per person of its links (aligned with ``PersonLinks.persons``): whether a later table
    #: with that key holds a row of theirs (the research questions' claimants)
    claimants: dict[str, np.ndarray] = field(default_factory=dict)
    #: person key → persons per (``t``: the tuple of their first row in the links' table, ``v``: the carried
    #: column's value hash at that row), when that table's pass carried one (the product mix)
    firsts: dict[str, pd.DataFrame] = field(default_factory=dict)


def value_keys(col: ColumnSpec, values: pd.Series, reference: dt.date) -> pd.Series:
    """The value key a quasi-identifier is histogrammed on (what its leaf depends on, nothing more): an
    address's leaf (its 市区町村), a birth date's representative date for its age at ``reference``
    (the config's reference date), a date's start of the hierarchy's finest level; else the value. A key
    has the value's type, and the hierarchy built from the keys is the one built from the values."""
    kind = col.hierarchy.kind if col.hierarchy is not None else None
    if kind == "address":
        return address_keys(values)
    if kind == "age" and col.type == "date":
        return age_keys(values, reference)
    if kind == "date":
        assert col.hierarchy is not None
        return date_keys(values, col.hierarchy)
    return values


def _distinct_columns(spec: TableSpec) -> list[ColumnSpec]:
    """The columns whose distinct values the pass counts: sensitive columns, text attributes (rare values),
    and attributes released at a hierarchy level (their labels, for the second pass)."""
    _, sens, attrs = _roles(spec)
    kept = {c.name for c in kept_for_processing(spec)}
    leveled = [c for c in spec.by_role("attribute") if c.hierarchy is not None and c.type != "string"
               and c.name in kept]
    return sens + attrs + leveled


def _roles(spec: TableSpec) -> tuple[list[ColumnSpec], list[ColumnSpec], list[ColumnSpec]]:
    qis = list(spec.by_role("quasi_identifier"))
    sens = list(spec.by_role("sensitive"))
    attrs = [c for c in spec.by_role("attribute") if c.type == "string"]
    return qis, sens, attrs


def encode_batch(spec: TableSpec, file: Path | str, batch: Batch, reference: dt.date, k: int = 1,
                 links: PersonLinks | None = None, carry: str | None = None) -> BatchStats:
    """Normalise one batch and reduce it to its partial histogram (pure: runs on a Dask worker as well);
    ``reference``: the config's reference date (:func:`value_keys`); ``k`` (the release's): how many person
    hashes each value's sketch keeps; ``links``: a joined view's earlier table (each row then carries its
    person's link id); ``carry``: a kept column (input name) whose value at each (tuple, person) pair's
    first row the pairs carry (:func:`value_hashes`)."""
    values, faults = normalise_batch(spec, file, batch, reference)
    return encode_values(spec, values, faults, batch.offset, batch.num_rows, k, links, carry)


def value_hashes(values: pd.Series) -> np.ndarray:
    """Each value's 32-bit hash (the high half of pandas' 64-bit one; a null: 0). What a pass carries of a
    column per person: a few distinct values (a product), mapped back through the column's distinct
    values, where a clash would show (:func:`carried_values`)."""
    held = values.astype(object)
    out = (pd.util.hash_array(held.to_numpy()) >> np.uint64(32)).astype(np.uint32)
    out[held.isna().to_numpy()] = 0
    return out


def carried_values(hashes: np.ndarray, distinct: pd.Index) -> pd.Series | None:
    """The values of ``hashes`` (:func:`value_hashes`) among the column's ``distinct`` values; None when two
    distinct values share a hash (then the caller does without)."""
    values = pd.Series(distinct, dtype=object).dropna()
    known = value_hashes(values)
    if len(np.unique(known)) < len(known) or (known == 0).any():
        return None
    lookup = pd.Series(values.to_numpy(), index=known)
    return pd.Series(lookup.reindex(hashes).to_numpy(), dtype=object)


def encode_values(spec: TableSpec, values: dict[str, pd.Series], faults: dict[str, Faults], offset: int,
                  n: int, k: int, links: PersonLinks | None = None, carry: str | None = None) -> BatchStats:
    """:func:`encode_batch` once the batch is normalised (rows ``offset + 1 …``, ``n`` of them)."""
    qis, sens, attrs = _roles(spec)
    person = person_hashes(spec, values, offset, n)
    columns = {c.output_name: values[c.name] for c in qis}  # value keys (normalise_batch)
    qnames = [c.output_name for c in qis]
    if links is not None:
        columns[LINK] = pd.Series(links.lookup(person))
        qnames.append(LINK)
    columns.update({c.output_name: values[c.name] for c in sens})
    hist, tuple_hash = _grouped(columns, qnames, n)
    if spec.person_key is not None:  # first occurrence kept: the pair's first row
        frame = {_TUPLE: tuple_hash, _PERSON: person, _ROW: np.arange(offset, offset + n, dtype=np.int64)}
        if carry is not None:
            frame[_VALUE] = value_hashes(values[carry])
        pairs = pd.DataFrame(frame).drop_duplicates([_TUPLE, _PERSON])
    else:
        pairs = pd.DataFrame({_TUPLE: np.array([], np.uint64), _PERSON: np.array([], np.uint64),
                              _ROW: np.array([], np.int64)})
    distinct = {c.output_name: values[c.name].value_counts(dropna=False) for c in _distinct_columns(spec)}
    sketches = {c.output_name: bottom_k(pd.DataFrame({"value": values[c.name].to_numpy(dtype=object),
                                                       "person": person}).dropna(subset=["value"]), k)
                for c in sens + attrs}
    return BatchStats(n, hist, pairs, distinct, sketches, faults, k)


def normalise_batch(spec: TableSpec, file: Path | str, batch: Batch, reference: dt.date,
                    ) -> tuple[dict[str, pd.Series], dict[str, Faults]]:
    """The batch's kept columns normalised (invalid values null, their faults returned for the caller to
    raise under the column's policy); a quasi-identifier as its value key (:func:`value_keys`), all that
    any later step reads of it: the rest of an address (町名・番地) goes no further than this batch, not even
    into the spill, and is cut once, not again in every pass."""
    values: dict[str, pd.Series] = {}
    faults: dict[str, Faults] = {}
    for c in kept_for_processing(spec):
        norm = ColumnNormaliser(c.name, c.type, "null", spec.name, file, cache=shared_cache(c.type))
        norm.feed(batch.columns[c.name], batch.offset)
        if norm.faults != Faults():
            faults[c.name] = norm.faults
        values[c.name] = (value_keys(c, norm.series(), reference) if c.role == "quasi_identifier"
                          else norm.series())
    return values, faults


def person_hashes(spec: TableSpec, values: dict[str, pd.Series], offset: int, n: int) -> np.ndarray:
    """Each row's person as a 64-bit hash: of its person key, or without one of its row number (each row is
    its own person; unique across batches)."""
    if spec.person_key is not None:
        return pd.util.hash_array(values[spec.person_key].astype(object).to_numpy())
    return pd.util.hash_array(np.arange(offset, offset + n, dtype=np.int64))


def bottom_k(pairs: pd.DataFrame, k: int) -> pd.DataFrame:
    """Distinct (value, person) pairs, only the ``k`` smallest person hashes of each value (vectorised: one
    sort by hash, then the first k rows of each value)."""
    pairs = pairs.drop_duplicates().sort_values("person", kind="stable")
    return pairs.groupby("value", sort=False).head(k).reset_index(drop=True)


def _grouped(columns: dict[str, pd.Series], qnames: list[str], n: int) -> tuple[pd.DataFrame, np.ndarray]:
    """(distinct tuples of ``columns`` with _TUPLE and _ROWS, per-row hash of the ``qnames`` part),
    vectorised: each column factorised once (its distinct values hashed once), rows grouped on combined
    integer codes."""
    key = np.zeros(n, dtype=np.int64)
    tuple_hash = np.zeros(n, dtype=np.uint64)
    parts: dict[str, tuple[np.ndarray, pd.Index]] = {}
    for name, s in columns.items():
        codes, uniques = pd.factorize(s, use_na_sentinel=False)
        parts[name] = (codes, pd.Index(uniques))  # the column's own dtype: object dates made every merge slow
        key, _ = pd.factorize(key * (len(uniques) + 1) + codes)
        if name in qnames:
            col_hash = pd.util.hash_array(np.asarray(uniques, dtype=object))
            with np.errstate(over="ignore"):
                tuple_hash = (tuple_hash ^ col_hash[codes]) * np.uint64(0x100000001B3)
    _, first, counts = np.unique(key, return_index=True, return_counts=True)
    hist = pd.DataFrame({name: uniques.take(codes[first]) for name, (codes, uniques) in parts.items()})
    hist[_TUPLE] = tuple_hash[first]
    hist[_ROWS] = counts
    return hist, tuple_hash


def reduce_stats(parts: Iterable[BatchStats]) -> BatchStats:
    """Merge partial first passes (associative: batches, workers, or both)."""
    parts = list(parts)
    if len(parts) == 1:
        return parts[0]
    hist = pd.concat([p.histogram for p in parts], ignore_index=True)
    names = [c for c in hist.columns if c != _ROWS]
    hist = hist.groupby(names, dropna=False, sort=False)[_ROWS].sum().reset_index()
    pairs = pd.concat([p.pairs for p in parts], ignore_index=True)
    if not pairs[_ROW].is_monotonic_increasing:  # parts out of order (Dask): first rows first again
        pairs = pairs.sort_values(_ROW, kind="stable")
    pairs = pairs.iloc[first_of_pairs(pairs[_TUPLE].to_numpy(), pairs[_PERSON].to_numpy())]
    distinct: dict[str, pd.Series] = {}
    for p in parts:
        for name, counts in p.distinct.items():
            distinct[name] = counts if name not in distinct else distinct[name].add(counts, fill_value=0)
    k = parts[0].k
    if any(p.k != k for p in parts):
        raise ValueError("partial first passes sketched with different k cannot be merged")
    sketches = {name: bottom_k(pd.concat([p.sketches[name] for p in parts], ignore_index=True), k)
                for name in parts[0].sketches}
    faults: dict[str, Faults] = {}
    for p in parts:
        for name, f in p.faults.items():
            faults.setdefault(name, Faults()).merge(f)
    return BatchStats(sum(p.rows for p in parts), hist, pairs, distinct, sketches, faults, k)


def check_input(spec: TableSpec, path: Path) -> None:
    """Before the pass: the file exists and its header fits the config (gate two's schema check)."""
    check_header(spec, path)


def finish_table(config: Config, spec: TableSpec, path: Path, stats: BatchStats,
                 links: PersonLinks | None = None,
                 column: Callable[[str], pd.Series] | None = None) -> TableStats:
    """Raise the pass's first error, else map value keys to leaf codes (hierarchies from the distinct
    keys); ``links``: those the batches were encoded with; ``column``: a column's normalised values in
    file order (read again only when a hierarchy refuses a value, to name the file's row)."""
    nulled: dict[str, int] = {}
    for c in spec.columns:
        if c.name in stats.faults:
            f = stats.faults[c.name]
            error = f.error(c.type, c.on_invalid, spec.name, path, c.name)
            if error is not None:
                raise error
            nulled[c.output_name] = f.invalid_cells
    qis, sens, _ = _roles(spec)
    # taken out of ``stats`` (the caller's accumulator holds it too), so that each is freed here as soon as
    # it is used up: at 10M claims the merged frames (313 MiB) and the steps below were all alive together,
    # the first pass's peak
    hist, pairs = stats.histogram, stats.pairs
    stats.histogram = stats.pairs = pd.DataFrame()
    hierarchies: dict[str, Hierarchy] = {}
    leaf_lookup: dict[str, pd.Series] = {}
    for c in qis:
        assert c.hierarchy is not None
        # each entry's key by position among the distinct keys (an object index of the entries' dates cost
        # 6 s at 1M policyholders); sorted: leaf codes then do not depend on the order batches completed in
        # (Dask)
        at, distinct = pd.factorize(hist[c.output_name], use_na_sentinel=False)
        distinct = pd.Series(distinct.array, name=c.name)
        order = np.argsort(distinct.astype(str).to_numpy(), kind="stable")
        keys = _typed(c, distinct.iloc[order].reset_index(drop=True))
        try:
            leaves, h = build_hierarchy(c.output_name, keys, c.hierarchy, config.privacy.reference_date,
                                        c.output_name)
        except PipelineError as exc:
            _raise_on_rows(config, spec, path, c, column, exc)
        codes = h.encode(leaves, spec.name)
        lookup = pd.Series(codes, index=pd.Index(keys.astype(object), dtype=object))
        code_of = np.empty(len(order), dtype=np.int32)
        code_of[order] = codes
        hist[c.output_name] = code_of[at]
        hierarchies[c.output_name] = h
        leaf_lookup[c.output_name] = lookup
    qnames = [c.output_name for c in qis] + ([LINK] if links is not None else [])
    names = qnames + [c.output_name for c in sens]
    histogram = hist.groupby(names, dropna=False)[_ROWS].sum().rename("rows").reset_index()
    if spec.person_key is not None:
        # value-key tuple (hash) → leaf-code tuple: several keys can share a leaf (two spellings of a town)
        leaf_of = hist[[_TUPLE, *qnames]].drop_duplicates(_TUPLE)
        # numbered in first-appearance order, as the distinct tuples are listed (integer group keys: a
        # MultiIndex of the tuples cost 5 s at 1M policyholders)
        del hist
        leaf_id = leaf_of.groupby(qnames, sort=False, dropna=False).ngroup().to_numpy()
        leaf_tuples = leaf_of[qnames].drop_duplicates()
        tuple_ids = pd.Series(leaf_id, index=leaf_of[_TUPLE].to_numpy())
        del leaf_of, leaf_id
        ids = tuple_ids.reindex(pairs[_TUPLE].to_numpy()).to_numpy()
        del tuple_ids
        who = pairs[_PERSON].to_numpy()
        row = pairs[_ROW].to_numpy()
        value = pairs[_VALUE].to_numpy() if _VALUE in pairs else None
        del pairs
        n_persons = _distinct_count(who)
        if n_persons < len(who):
            # a person in two value-key tuples, which may share a leaf tuple; in first-row order, so the
            # first of equal (t, p) keeps the pair's first row. Skipped when every person has one pair
            # (one row each, as policyholders): 3M policyholders' peak here 1,806 → 1,633 MiB. Each column
            # taken once (a frame's ``iloc`` then ``reset_index`` copied all three twice: 312 MiB at 10M)
            at = first_of_pairs(ids, who)
            ids, who, row = ids[at], who[at], row[at]
            value = None if value is None else value[at]
            del at
        carried = {} if value is None else {"v": value}
        distinct_pairs = pd.DataFrame({"t": ids, "p": who, "row": row, **carried}, copy=False)
        del ids, who, row, value
        persons = leaf_tuples.reset_index(drop=True).astype(np.int32)
        persons["persons"] = np.bincount(distinct_pairs["t"].to_numpy(), minlength=len(persons))
        person_pairs: pd.DataFrame | None = distinct_pairs
    else:
        persons = histogram.groupby(qnames)["rows"].sum().rename("persons").reset_index()
        person_pairs = None
        n_persons = stats.rows
    sketches = dict(stats.sketches)
    fixed: dict[str, pd.Series] = {}
    fixed_hierarchies: dict[str, Hierarchy] = {}
    for c in _distinct_columns(spec):
        if c.hierarchy is not None:
            try:
                label, fixed_hierarchies[c.output_name] = fixed_labels(config, spec, c,
                                                                       stats.distinct[c.output_name].index)
            except PipelineError as exc:
                _raise_on_rows(config, spec, path, c, column, exc)
            fixed[c.output_name] = label
            if c.output_name in sketches:  # rare values are judged on the released labels
                relabelled = sketches[c.output_name].assign(value=sketches[c.output_name]["value"].map(label))
                sketches[c.output_name] = bottom_k(relabelled.dropna(subset=["value"]), stats.k)
    coarsened = {}
    for c in qis:
        if c.hierarchy is not None and c.hierarchy.kind == "address":
            h = hierarchies[c.output_name]
            leaf = np.asarray(histogram[c.output_name], dtype=np.int64)
            labels = pd.Series([*h.labels[0][: h.n_leaves], None], dtype=object)
            fallback = prefecture_leaves(labels)[leaf]
            if fallback.any():
                coarsened[c.output_name] = int(histogram["rows"].to_numpy()[fallback].sum())
    return TableStats(spec.name, stats.rows, [c.output_name for c in qis], [c.output_name for c in sens],
                      histogram, persons, dict(stats.distinct), hierarchies, nulled, sketches, stats.k,
                      person_pairs, leaf_lookup, fixed, links, fixed_hierarchies, coarsened,
                      n_persons=n_persons)


def first_of_pairs(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """Positions of the first occurrence of each distinct (``first``, ``second``) pair, ascending: exact, by
    one sort (``np.lexsort`` is stable, so equal pairs keep their order) instead of pandas' two hash tables
    and group index (less temporary memory; the first pass's peaks at 3M moved little, they are elsewhere)."""
    order = np.lexsort((second, first))
    a, b = first[order], second[order]
    new = np.ones(len(order), dtype=bool)
    if len(order) > 1:
        new[1:] = (a[1:] != a[:-1]) | (b[1:] != b[:-1])
    return np.sort(order[new])


def _distinct_count(values: np.ndarray) -> int:
    ordered = np.sort(values)
    return int((ordered[1:] != ordered[:-1]).sum()) + 1 if len(ordered) else 0


def _raise_on_rows(config: Config, spec: TableSpec, path: Path, col: ColumnSpec,
                   column: Callable[[str], pd.Series] | None, exc: PipelineError) -> NoReturn:
    """A hierarchy refused a value: the builder saw the distinct keys, so its row and count are theirs, not
    the file's. Build it again on the column's values in file order (the error path only: one column held
    for that) and raise that error, the whole-file path's: the first bad row of the file and the cells."""
    assert col.hierarchy is not None
    if column is not None:
        values = column(col.name)
        try:
            build_hierarchy(col.output_name, values, col.hierarchy, config.privacy.reference_date,
                            col.output_name)
        except PipelineError as on_rows:
            raise type(on_rows)(f"table {spec.name}, file {path}: {on_rows}") from None
    raise type(exc)(f"table {spec.name}, file {path}: {exc}") from None


def column_reader(spec: TableSpec, path: Path, reference: dt.date,
                  spill: Spill | None = None) -> Callable[[str], pd.Series]:
    """A column's normalised values (a quasi-identifier's value keys) in file order: from the spill, else by
    reading ``path`` again."""

    def read(name: str) -> pd.Series:
        if spill is not None:
            parts = [values[name] for _, _, values in spill.batches()]
        else:
            parts = [normalise_batch(spec, path, batch, reference)[0][name] for batch in batches(spec, path)]
        return pd.concat(parts, ignore_index=True).rename(name)

    return read


def _typed(col: ColumnSpec, keys: pd.Series) -> pd.Series:
    """Distinct normalised values (object) in the dtype the hierarchy builders read."""
    if col.type == "date":
        return pd.to_datetime(keys)
    if col.type in ("amount", "integer"):
        return keys.astype("Int64")
    return keys.astype("string[pyarrow]")


def fixed_labels(config: Config, spec: TableSpec, col: ColumnSpec, values: pd.Index,
                 ) -> tuple[pd.Series, Hierarchy]:
    """Value → its label at the column's fixed level (what ``pipeline.anonymise.columns.fixed_level``
    releases, and what rare values are judged on), from the distinct values alone; and the hierarchy."""
    assert col.hierarchy is not None
    keys = pd.Series(values, dtype=object).dropna().reset_index(drop=True)
    leaves, h = build_hierarchy(col.output_name, _typed(col, keys), col.hierarchy,
                                config.privacy.reference_date, col.output_name)
    labels = h.generalise(h.encode(leaves, spec.name), min(col.level, h.height - 1))
    return pd.Series(labels, index=pd.Index(keys, dtype=object)), h


def table_pass(config: Config, spec: TableSpec, path: Path, spill: Spill | None = None,
               links: PersonLinks | None = None, carry: str | None = None) -> TableStats:
    """One table's first pass on this machine: batches read, encoded and reduced as they come; with a
    ``spill``, each batch's normalised columns are kept there for the later passes; with ``links``, each
    row's link to the earlier table of its joined view; ``carry``: see :func:`encode_batch`."""
    check_input(spec, path)
    acc = Compacting(reduce_stats, held_rows, COMPACT_EVERY)

    def work(batch: Batch) -> tuple[int, dict[str, pd.Series], BatchStats]:
        values, faults = normalise_batch(spec, path, batch, config.privacy.reference_date)
        part = encode_values(spec, values, faults, batch.offset, batch.num_rows, config.privacy.k, links,
                             carry)
        return batch.offset, values, part

    for offset, values, part in overlapped(work, batches(spec, path)):
        if spill is not None:
            spill.write(values, offset)
        acc.add(part)
    merged = acc.merged()
    if merged is None:
        raise InputError(f"file {path}: no data rows")
    return finish_table(config, spec, path, merged, links,
                        column_reader(spec, path, config.privacy.reference_date, spill))


def overlapped(work: Callable[[_B], _T], items: Iterator[_B], ahead: int = 2) -> Iterator[_T]:
    """``work`` on each batch in order, on ``ahead`` threads: one batch is read and parsed (Arrow, without
    the GIL) while the numpy, pandas and Arrow work of another runs. At most ``ahead`` + 1 batches are
    held."""
    with ThreadPoolExecutor(ahead) as pool:
        pending: deque[Future[_T]] = deque()
        try:
            for item in items:
                pending.append(pool.submit(work, item))
                if len(pending) > ahead:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        finally:
            for f in pending:
                f.cancel()


def held_rows(stats: BatchStats) -> int:
    """Rows of partial results held (what the compaction bounds)."""
    return len(stats.pairs) + len(stats.histogram) + sum(len(s) for s in stats.sketches.values())


def input_paths(config: Config, inputs: dict[str, Path] | None) -> dict[str, Path]:
    overrides = input_overrides(config, inputs)
    return {spec.name: input_path(spec, overrides) for spec in config.tables}


def first_pass(config: Config, inputs: dict[str, Path] | None = None,
               spills: dict[str, Spill] | None = None, carry: dict[str, str] | None = None) -> FirstPass:
    """Every table's first pass, one machine, bounded memory (what the search needs, not the rows);
    ``spills``: per table, where to keep its normalised batches for the later passes; ``carry``: per table,
    a column whose value at each person's first row is counted (:attr:`FirstPass.firsts`). Tables in config
    order: a table sharing its person key with an earlier one is passed with that table's links (the
    first such table, as the whole-table path joins it)."""
    paths = input_paths(config, inputs)
    spills = spills or {}
    fp = FirstPass({})
    for spec in config.tables:
        earlier = fp.links.get(spec.person_key) if spec.person_key else None
        stats = table_pass(config, spec, paths[spec.name], spills.get(spec.name), earlier,
                           (carry or {}).get(spec.name))
        memory.release()
        after_table(spec, stats, fp)
    return fp


def after_table(spec: TableSpec, stats: TableStats, fp: FirstPass) -> None:
    """Record a finished table in ``fp`` (the local and the Dask pass): a later table of a joined view marks
    its persons as claimants of the earlier one (before :func:`add_links` may drop its pairs), the first
    table with a person key gives the links, and the persons per first tuple and carried value."""
    fp.tables[spec.name] = stats
    key = spec.person_key
    if key is None:
        return
    earlier = fp.links.get(key)
    if earlier is not None and stats.person_pairs is not None:
        mark = fp.claimants.setdefault(key, np.zeros(len(earlier.persons), dtype=bool))
        if len(earlier.persons):
            who = np.unique(stats.person_pairs["p"].to_numpy())
            at = np.minimum(np.searchsorted(earlier.persons, who), len(earlier.persons) - 1)
            mark[at[earlier.persons[at] == who]] = True
    add_links(spec, stats, fp.links)
    links = fp.links[key]
    if earlier is None and links.first_values is not None:
        # persons per (first tuple, carried value): one sort of a 64-bit key, then the links forget the values
        both = links.first_tuples().astype(np.uint64) << np.uint64(32) | links.first_values.astype(np.uint64)
        keys, persons = np.unique(both, return_counts=True)
        fp.firsts[key] = pd.DataFrame({"t": (keys >> np.uint64(32)).astype(np.int64),
                                       "v": (keys & np.uint64(0xFFFFFFFF)).astype(np.uint32),
                                       "persons": persons})
        links.first_values = None


def add_links(spec: TableSpec, stats: TableStats, links: dict[str, PersonLinks]) -> None:
    """The person links of the first table with ``spec``'s person key, for the later tables of its joined
    view; then, when each person has one row (a policyholders table), the table's (tuple, person) pairs are
    dropped: without them the search and the risk count a class's rows as its persons, the same figures
    (``person_pairs``: None when each row is a person). 10M policyholders: 229 MiB held through the search
    and the second pass, and a sort of ten million person hashes in every search of the table."""
    if not spec.person_key:
        return
    if spec.person_key not in links:
        links[spec.person_key] = links_of(spec, stats)
    if stats.person_pairs is not None and stats.n_persons == stats.rows:
        stats.person_pairs = None
    elif stats.person_pairs is not None:
        # a pair's first row only ordered the links' tuples (built above, or by the earlier table); the tuple
        # index fits 32 bits. 10M claims: 5.8M pairs held through the search, 134 -> 67 MiB
        pairs = stats.person_pairs
        narrow = np.int32 if len(stats.persons) <= np.iinfo(np.int32).max else np.int64
        stats.person_pairs = pd.DataFrame({"t": pairs["t"].to_numpy().astype(narrow, copy=False),
                                           "p": pairs["p"].to_numpy()})


def links_of(spec: TableSpec, stats: TableStats) -> PersonLinks:
    """The person links of a table with a person key (for the later tables of its joined view)."""
    assert spec.person_key is not None and stats.person_pairs is not None
    return person_links(spec.name, spec.person_key, stats.person_pairs, len(stats.persons))


