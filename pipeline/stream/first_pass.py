"""The streaming first pass: read, normalise and encode batches, keep only what the search needs.

Per table, what is accumulated (never the rows):

- ``histogram``: each distinct tuple of (quasi-identifier leaf codes, sensitive values) with its row count;
- ``persons``: each distinct quasi-identifier tuple with its number of distinct persons (from the distinct
  (tuple, person) pairs, both as 64-bit hashes — the tuple's of its value keys, the person's of its key — so
  16 bytes per pair; a 64-bit collision among some 10^5 tuples or within one tuple's persons has a chance
  below 10^-9 and could only lower a count, never raise it: this part grows with
  the
  persons, not with the rows or their width);
- ``distinct``: each kept attribute's or sensitive column's distinct values with their row counts (rare
values);
- the hierarchies, built once from the distinct values, not from the rows.

Why this shape: every built-in hierarchy maps a value to its leaf by the value alone, so a batch is reduced
to a
histogram of *value keys* (the normalised value; for an address only the part before its first digit, which is
all the address parser reads — ``municipality_keys``), and the keys are mapped to leaf codes once at the end.
The
batch work (:func:`encode_batch`) is a pure function of one batch, so Dask can run it on workers
(:mod:`pipeline.stream.dask_pass`); :func:`reduce_stats` merges partial results in any grouping.

Errors: the same as the whole-file path (a malformed row names its line; an invalid value names the first
invalid row of the first configured column that has one, and the count), raised after the pass; nothing kept.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.config.model import ColumnSpec, Config, TableSpec
from pipeline.errors import InputError, PipelineError
from pipeline.hierarchies.base import Hierarchy
from pipeline.hierarchies.builtin import build_hierarchy, municipality_keys
from pipeline.inputs import check_header, input_overrides, input_path
from pipeline.io.batches import Batch
from pipeline.normalise.base import ColumnNormaliser, Faults, shared_cache
from pipeline.stream.columns import batches, kept_for_processing

_PERSON = "__person__"
_ROWS = "__rows__"
_TUPLE = "__tuple__"
#: pairs held before the partial result is de-duplicated again (bounds the reduce's temporary memory)
_COMPACT_EVERY = 2_000_000


@dataclass
class BatchStats:
    """One batch's (or several batches') partial first pass; merged by :func:`reduce_stats`."""

    rows: int
    histogram: pd.DataFrame  # value keys of qis + sensitive values + _TUPLE (hash of the qi keys) + _ROWS
    pairs: pd.DataFrame  # distinct (_TUPLE, _PERSON) hashes, uint64 (empty without a person key)
    distinct: dict[str, pd.Series]  # column → value → rows
    #: column → what its values broke (control characters, invalid values), for the error raised after the
    #: pass
    faults: dict[str, Faults] = field(default_factory=dict)


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


@dataclass
class FirstPass:
    tables: dict[str, TableStats]


def _key(col: ColumnSpec, values: pd.Series) -> pd.Series:
    """The value key a quasi-identifier is histogrammed on (what its leaf depends on, nothing more)."""
    if col.hierarchy is not None and col.hierarchy.kind == "address":
        return municipality_keys(values)
    return values


def _roles(spec: TableSpec) -> tuple[list[ColumnSpec], list[ColumnSpec], list[ColumnSpec]]:
    qis = list(spec.by_role("quasi_identifier"))
    sens = list(spec.by_role("sensitive"))
    attrs = [c for c in spec.by_role("attribute") if c.type == "string"]
    return qis, sens, attrs


def encode_batch(spec: TableSpec, file: Path | str, batch: Batch) -> BatchStats:
    """Normalise one batch and reduce it to its partial histogram (pure: runs on a Dask worker as well)."""
    qis, sens, attrs = _roles(spec)
    values: dict[str, pd.Series] = {}
    faults: dict[str, Faults] = {}
    for c in kept_for_processing(spec):
        norm = ColumnNormaliser(c.name, c.type, "null", spec.name, file, cache=shared_cache(c.type))
        norm.feed(batch.columns[c.name], batch.offset)
        if norm.faults != Faults():
            faults[c.name] = norm.faults
        values[c.name] = norm.series()
    columns = {c.output_name: _key(c, values[c.name]) for c in qis}
    columns.update({c.output_name: values[c.name] for c in sens})
    qnames = [c.output_name for c in qis]
    hist, tuple_hash = _grouped(columns, qnames, batch.num_rows)
    if spec.person_key is not None:
        person = pd.util.hash_array(values[spec.person_key].astype(object).to_numpy())
        pairs = pd.DataFrame({_TUPLE: tuple_hash, _PERSON: person}).drop_duplicates()
    else:
        pairs = pd.DataFrame({_TUPLE: np.array([], np.uint64), _PERSON: np.array([], np.uint64)})
    distinct = {c.output_name: values[c.name].value_counts(dropna=False) for c in sens + attrs}
    return BatchStats(batch.num_rows, hist, pairs, distinct, faults)


def _grouped(columns: dict[str, pd.Series], qnames: list[str], n: int) -> tuple[pd.DataFrame, np.ndarray]:
    """(distinct tuples of ``columns`` with _TUPLE and _ROWS, per-row hash of the ``qnames`` part),
    vectorised: each column factorised once (its distinct values hashed once), rows grouped on combined
    integer codes."""
    key = np.zeros(n, dtype=np.int64)
    tuple_hash = np.zeros(n, dtype=np.uint64)
    parts: dict[str, tuple[np.ndarray, pd.Index]] = {}
    for name, s in columns.items():
        codes, uniques = pd.factorize(s, use_na_sentinel=False)
        parts[name] = (codes, pd.Index(uniques, dtype=object))
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
    pairs = pd.concat([p.pairs for p in parts], ignore_index=True).drop_duplicates()
    distinct: dict[str, pd.Series] = {}
    for p in parts:
        for name, counts in p.distinct.items():
            distinct[name] = counts if name not in distinct else distinct[name].add(counts, fill_value=0)
    faults: dict[str, Faults] = {}
    for p in parts:
        for name, f in p.faults.items():
            faults.setdefault(name, Faults()).merge(f)
    return BatchStats(sum(p.rows for p in parts), hist, pairs, distinct, faults)


def check_input(spec: TableSpec, path: Path) -> None:
    """Before the pass: the file exists and its header fits the config (gate two's schema check)."""
    check_header(spec, path)


def finish_table(config: Config, spec: TableSpec, path: Path, stats: BatchStats) -> TableStats:
    """Raise the pass's first error, else map value keys to leaf codes (hierarchies from the distinct
    keys)."""
    nulled: dict[str, int] = {}
    for c in spec.columns:
        if c.name in stats.faults:
            f = stats.faults[c.name]
            error = f.error(c.type, c.on_invalid, spec.name, path, c.name)
            if error is not None:
                raise error
            nulled[c.output_name] = f.invalid_cells
    qis, sens, _ = _roles(spec)
    hist, pairs = stats.histogram, stats.pairs
    hierarchies: dict[str, Hierarchy] = {}
    for c in qis:
        assert c.hierarchy is not None
        # sorted: leaf codes then do not depend on the order batches completed in (Dask)
        keys = pd.Series(pd.unique(hist[c.output_name]), name=c.name)
        keys = keys.iloc[np.argsort(keys.astype(str).to_numpy(), kind="stable")].reset_index(drop=True)
        if c.type == "date":
            keys = pd.to_datetime(keys)
        elif c.type in ("amount", "integer"):
            keys = keys.astype("Int64")
        else:
            keys = keys.astype("string[pyarrow]")
        try:
            leaves, h = build_hierarchy(c.output_name, keys, c.hierarchy, config.privacy.reference_date,
                                        c.output_name)
        except PipelineError as exc:
            raise type(exc)(f"table {spec.name}, file {path}: {exc}") from None
        codes = h.encode(leaves, spec.name)
        lookup = pd.Series(codes, index=pd.Index(keys.astype(object), dtype=object))
        hist[c.output_name] = lookup.reindex(pd.Index(hist[c.output_name], dtype=object)).to_numpy(np.int32)
        hierarchies[c.output_name] = h
    qnames = [c.output_name for c in qis]
    names = qnames + [c.output_name for c in sens]
    histogram = hist.groupby(names, dropna=False)[_ROWS].sum().rename("rows").reset_index()
    if spec.person_key is not None:
        # value-key tuple (hash) → leaf-code tuple: several keys can share a leaf (two spellings of a town)
        leaf_of = hist[[_TUPLE, *qnames]].drop_duplicates(_TUPLE)
        leaf_id, leaf_tuples = pd.factorize(pd.MultiIndex.from_frame(leaf_of[qnames]))
        tuple_ids = pd.Series(leaf_id, index=leaf_of[_TUPLE].to_numpy())
        ids = tuple_ids.reindex(pairs[_TUPLE].to_numpy()).to_numpy()
        distinct_pairs = pd.DataFrame({"t": ids, "p": pairs[_PERSON].to_numpy()}).drop_duplicates()
        counted = distinct_pairs["t"].value_counts()
        persons = pd.DataFrame(list(leaf_tuples), columns=qnames).astype(np.int32)
        persons["persons"] = counted.reindex(np.arange(len(leaf_tuples))).to_numpy()
    else:
        persons = histogram.groupby(qnames)["rows"].sum().rename("persons").reset_index()
    return TableStats(spec.name, stats.rows, qnames, [c.output_name for c in sens], histogram, persons,
                      stats.distinct, hierarchies, nulled)


def table_pass(config: Config, spec: TableSpec, path: Path) -> TableStats:
    """One table's first pass on this machine: batches read, encoded and reduced as they come."""
    check_input(spec, path)
    acc: list[BatchStats] = []
    held = 0
    for batch in batches(spec, path):
        part = encode_batch(spec, path, batch)
        acc.append(part)
        held += len(part.pairs) + len(part.histogram)
        if held > _COMPACT_EVERY:
            acc = [reduce_stats(acc)]
            held = len(acc[0].pairs) + len(acc[0].histogram)
    if not acc:
        raise InputError(f"file {path}: no data rows")
    return finish_table(config, spec, path, reduce_stats(acc))


def input_paths(config: Config, inputs: dict[str, Path] | None) -> dict[str, Path]:
    overrides = input_overrides(config, inputs)
    return {spec.name: input_path(spec, overrides) for spec in config.tables}


def first_pass(config: Config, inputs: dict[str, Path] | None = None) -> FirstPass:
    """Every table's first pass, one machine, bounded memory (what the search needs, not the rows)."""
    paths = input_paths(config, inputs)
    return FirstPass({spec.name: table_pass(config, spec, paths[spec.name]) for spec in config.tables})


