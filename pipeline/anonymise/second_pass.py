"""The second pass (issue 17): one table's released rows written batch by batch, never all in memory.

After the first pass (``pipeline.stream.first_pass``) and the search on it (``pipeline.anonymise.streamed``),
everything the release needs per row is a function of that row and of a plan held in memory (:class:`Plan`:
the chosen levels, the kept quasi-identifier tuples, the fixed-level labels, the rare values, the surrogate
key). The input is read twice more:

1. **kept-row sketches**: rare values (特異な記述) are judged on the rows *released*, as
   :func:`pipeline.anonymise.assemble.assemble_table` judges them after suppression: a value held by k
   persons before suppression may be held by fewer after. Each batch's kept rows give bottom-k person
   sketches per column (``pipeline.stream.first_pass.bottom_k``), merged; the plan's rare values come from
   them.
2. **write**: each batch's kept rows are generalised, rare values merged or nulled, linking codes replaced
   by their keyed-PRF surrogates, free text scrubbed; the rows go to one of ``B`` bucket files at random,
   then each bucket is read alone, permuted and appended to the release's Parquet file as row groups. The
   row order is thus a uniform shuffle, holding one bucket (about :data:`BUCKET_ROWS` rows), never the
   table.

Memory: the plan (levels, the kept tuples' keys, the distinct values' labels and sketches), one batch and
one bucket; the surrogates' uniqueness check keeps 16 bytes per distinct linking code.

Where: each batch's work on two threads in this process (:func:`~pipeline.stream.first_pass.overlapped`), or
on a Dask cluster's workers with the plan scattered once (:func:`_each_batch`); the surrogates are then drawn
on the client, so the key never leaves it.

Same release as the whole-table path under global recoding, for a table searched on its own and for both
demo tables on the joined view: the same rows, values and dtypes up to their order and the surrogates
(``tests/anonymise/test_second_pass.py``). Not covered yet: local recoding and ``protect_attributes``.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from pipeline.config.model import ColumnSpec, Config, TableSpec
from pipeline.errors import InputError
from pipeline.histogram import sorted_unique
from pipeline.identifiers.rare import top_bottom_code
from pipeline.identifiers.surrogate import SurrogateCollisionError, SurrogateKey
from pipeline.io.arrow import arrow_text, is_arrow_text
from pipeline.io.batches import Batch
from pipeline.search.engine import SearchResult
from pipeline.stream.columns import batches
from pipeline.stream.compact import Compacting
from pipeline.stream.first_pass import (
    RarePlan,
    TableStats,
    bottom_k,
    normalise_batch,
    overlapped,
    person_hashes,
    rare_plan,
)
from pipeline.stream.links import LINK
from pipeline.stream.spill import Spill

#: a batch: (offset, rows, normalised kept columns)
_Values = tuple[int, int, dict[str, pd.Series]]
_T = TypeVar("_T")
#: rows per bucket file of the shuffle (one bucket is held at a time)
BUCKET_ROWS = 1_000_000
#: code (and surrogate) hashes held per linking code before they are de-duplicated (then twice what remains)
SEEN_COMPACT = 4_000_000


@dataclass
class Plan:
    """What the second pass applies to each row of one table (no rows)."""

    config: Config
    spec: TableSpec
    stats: TableStats
    levels: dict[str, int]
    #: packed leaf-code tuple keys of the released (kept) classes, sorted
    kept_keys: np.ndarray
    #: column (input name) → value → label at the column's fixed level (columns with a hierarchy)
    labels: dict[str, pd.Series] = field(default_factory=dict)
    #: output column → rare-value decision on the kept rows
    rare: dict[str, RarePlan] = field(default_factory=dict)
    #: sensitive column → rare-value decision on all rows, applied before the kept rows' one
    pre_rare: dict[str, RarePlan] = field(default_factory=dict)
    _lookups: dict[str, pd.Series] = field(default_factory=dict, repr=False)
    #: text quasi-identifier → (its lookup's keys as one Arrow array, their leaf codes): a batch's text keys
    #: are matched by Arrow's hash (``index_in``), not turned into a Python string per row first
    _text: dict[str, tuple[pa.Array, np.ndarray]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._warm()

    def __setstate__(self, state: dict[str, Any]) -> None:  # unpickled on a Dask worker
        self.__dict__.update(state)
        self._warm()

    def _warm(self) -> None:
        """Build every lookup, and each pandas index's hash table, before batches run on threads side by
        side: pandas fills an index's table lazily on first use, and two threads doing so at once saw a
        half-filled table ("cannot reindex on an axis with duplicate labels"; 10M claims, the first batch
        of the kept-row sketches). Once filled, lookups only read it."""
        self._lookups = {}
        for col in self.spec.by_role("quasi_identifier"):
            lookup = self.stats.leaf_lookup[col.output_name]
            if col.type == "date":  # an object index of Timestamps costs a second per 100,000 rows to match
                lookup = pd.Series(lookup.to_numpy(), index=pd.DatetimeIndex(lookup.index))
            self._lookups[col.output_name] = lookup
        self._text = {}
        for name, lookup in self._lookups.items():
            index = lookup.index
            if index.dtype == object or isinstance(index.dtype, pd.StringDtype):
                try:
                    keys = arrow_text(pd.Series(index, dtype=object), pa.string())
                except (pa.ArrowInvalid, pa.ArrowTypeError):  # keys that are not all text: the pandas path
                    continue
                self._text[name] = (keys, lookup.to_numpy())
        for series in [*self._lookups.values(), *self.labels.values()]:
            index = series.index
            if not index.is_unique:
                raise ValueError("a value-key lookup has duplicate keys")
            index.get_indexer(index[:1])

    def cards(self) -> list[int]:
        return _cards(self.stats)

    def codes(self, values: dict[str, pd.Series], path: Path, offset: int = 0) -> dict[str, np.ndarray]:
        """Each row's leaf code per quasi-identifier, through the first pass's value-key lookup; for a later
        table of a joined view also its link id (:data:`~pipeline.stream.links.LINK`, from the person key
        of rows ``offset + 1 …``; the id's range end for a person the earlier table lacks)."""
        out = {}
        links = self.stats.links
        if links is not None:
            person = person_hashes(self.spec, values, offset, len(next(iter(values.values()))))
            link = links.lookup(person)
            out[LINK] = np.where(link >= 0, link, links.n_ids)
        for col in self.spec.by_role("quasi_identifier"):
            keys = values[col.name]  # the value keys (first_pass.normalise_batch)
            text = self._text.get(col.output_name)
            if text is not None and is_arrow_text(keys):
                at = pc.index_in(arrow_text(keys), value_set=text[0]).fill_null(-1).to_numpy()
                missing = bool((at < 0).any())
                codes = text[1][np.maximum(at, 0)] if len(text[1]) else np.zeros(len(at), dtype=np.int64)
            else:
                keys = pd.DatetimeIndex(keys) if col.type == "date" else pd.Index(keys, dtype=object)
                codes = self._lookup(col).reindex(keys).to_numpy()
                missing = bool(pd.isna(codes).any())
            if missing:
                raise InputError(f"table {self.spec.name}, file {path}, column {col.name}: the file changed "
                                 "between the passes (a value the first pass did not see)")
            out[col.output_name] = codes.astype(np.int64)
        return out

    def _lookup(self, col: ColumnSpec) -> pd.Series:
        """The first pass's value-key → leaf-code lookup (built by :meth:`_warm`)."""
        return self._lookups[col.output_name]

    def keep(self, codes: dict[str, np.ndarray]) -> np.ndarray:
        key = _pack([codes[q] for q in self.stats.tuple_columns], self.cards())
        at = np.searchsorted(self.kept_keys, key)
        at = np.minimum(at, max(len(self.kept_keys) - 1, 0))
        return (self.kept_keys[at] == key) if len(self.kept_keys) else np.zeros(len(key), dtype=bool)


def plan_for(config: Config, spec: TableSpec, stats: TableStats, result: SearchResult,
             levels: dict[str, int] | None = None) -> Plan:
    """The plan of a search on the first pass (:func:`pipeline.anonymise.streamed.search_stats`, or
    ``search_stats_table`` with the absolute ``levels`` of its own quasi-identifiers); the rare values are
    filled in by :func:`sketch_kept`."""
    entries = [stats.histogram[q].to_numpy(dtype=np.int64) for q in stats.tuple_columns]
    if stats.links is not None:  # the link id last; "not in the earlier table" packed as the range end
        entries[-1] = np.where(entries[-1] >= 0, entries[-1], stats.links.n_ids)
    kept_keys = np.unique(_pack([e[result.keep] for e in entries], _cards(stats)))
    labels = {col.name: stats.fixed[col.output_name] for col in spec.kept_columns
              if col.role in ("sensitive", "attribute") and col.output_name in stats.fixed}
    # the search's sensitive values had their rare values merged over all rows first (search_table does the
    # same before the search, assemble again on the kept rows)
    pre = {col.output_name: stats.rare(col.output_name, col.rare, col.rare_label)
           for col in spec.by_role("sensitive") if col.type == "string" or col.hierarchy is not None}
    return Plan(config, spec, stats, dict(result.levels if levels is None else levels), kept_keys, labels,
                pre_rare=pre)


def _cards(stats: TableStats) -> list[int]:
    cards = [stats.hierarchies[q].n_leaves + 1 for q in stats.quasi_identifiers]
    return cards + ([stats.links.n_ids + 1] if stats.links is not None else [])


def _pack(cols: list[np.ndarray], cards: list[int]) -> np.ndarray:
    if math.prod(cards) >= 1 << 62:
        raise ValueError("too many quasi-identifier combinations to pack into one 64-bit key")
    return np.ravel_multi_index([np.asarray(c, dtype=np.int64) for c in cols], cards).astype(np.int64)


def _rare_columns(spec: TableSpec) -> list[ColumnSpec]:
    """The columns whose rare values are merged (as ``assemble`` merges them on the kept rows)."""
    return [col for col in spec.kept_columns
            if (col.role == "sensitive" and (col.type == "string" or col.hierarchy is not None))
            or (col.role == "attribute" and col.type == "string")]


def _fixed(plan: Plan, col: ColumnSpec, values: pd.Series) -> pd.Series:
    """A kept column's values at its fixed level (``pipeline.anonymise.columns.fixed_level``), a sensitive
    column's with the rare values of all rows merged (``search_table``)."""
    if col.name in plan.labels and col.type == "date":  # matched on a datetime index (see Plan._lookup)
        labels = plan.labels[col.name]
        by_day = pd.Series(labels.to_numpy(), index=pd.DatetimeIndex(labels.index))
        out = pd.Series(by_day.reindex(pd.DatetimeIndex(values)).to_numpy(), index=values.index)
    elif col.name in plan.labels:
        out = values.astype(object).map(plan.labels[col.name])
    elif col.type == "date":
        out = values.dt.strftime("%Y-%m-%d").astype(object).where(values.notna(), None)
    else:
        out = values
    if col.output_name in plan.pre_rare:
        out = _apply_rare(out, plan.pre_rare[col.output_name], col)
    return out


def _batches(plan: Plan, path: Path, spill: Spill | None) -> Iterator[tuple[int, int, dict[str, pd.Series]]]:
    """(offset, rows, normalised kept columns) per batch: from the first pass's spill, else read and
    normalised again from the input."""
    if spill is not None:
        yield from spill.batches()
        return
    for batch in batches(plan.spec, path):
        values, _ = normalise_batch(plan.spec, path, batch, plan.config.privacy.reference_date)
        yield batch.offset, batch.num_rows, values


def for_workers(plan: Plan) -> Plan:
    """The plan as Dask workers get it (sent once, not with every task): without what only the client reads,
    the histograms, the person pairs, the distinct values and their sketches."""
    st = plan.stats
    slim = dataclasses.replace(st, histogram=st.histogram.iloc[:0], persons=st.persons.iloc[:0],
                               person_pairs=None, distinct={}, sketches={}, derived={})
    return dataclasses.replace(plan, stats=slim, _lookups={})


def _each_batch(fn: Callable[[Plan, Path, _Values], _T], plan: Plan, path: Path, spill: Spill | None,
                client: Any, ahead: int = 2) -> Iterator[_T]:
    """``fn(plan, path, batch)`` for every batch of the table: in this process on ``ahead`` threads (batches
    from the ``spill``, else read again), in file order; or, with a Dask ``client``, on its workers (the
    input read again: the client streams a CSV, the workers read a Parquet input's row groups), the plan
    scattered once, in the order the tasks complete (every use here is order-free)."""
    if client is None:
        yield from overlapped(functools.partial(fn, plan, path), _batches(plan, path, spill), ahead)
        return
    from pipeline.stream.dask_pass import map_batches

    shared = client.scatter(for_workers(plan), broadcast=True, hash=False)
    try:
        for _, result in map_batches(client, _on_worker, plan.spec, path, fn, shared):
            yield result
    finally:
        client.cancel(shared)


def _on_worker(spec: TableSpec, path: Path, batch: Batch, fn: Callable[[Plan, Path, _Values], _T],
               plan: Plan) -> _T:
    """Worker side: normalise the batch (as the first pass did), then ``fn`` on it."""
    values, _ = normalise_batch(spec, path, batch, plan.config.privacy.reference_date)
    return fn(plan, path, (batch.offset, batch.num_rows, values))


def _sketch_batch(plan: Plan, path: Path, batch: _Values) -> dict[str, tuple[pd.DataFrame, pd.Series]]:
    """One batch's kept rows: per rare-value column, its bottom-k person sketch and value counts."""
    offset, n, values = batch
    keep = plan.keep(plan.codes(values, path, offset))
    person = person_hashes(plan.spec, values, offset, n)[keep]
    out = {}
    for col in _rare_columns(plan.spec):
        v = _fixed(plan, col, values[col.name])[keep]
        pairs = pd.DataFrame({"value": v.to_numpy(dtype=object), "person": person})
        out[col.output_name] = (bottom_k(pairs.dropna(subset=["value"]), plan.stats.k), v.value_counts())
    return out


def sketch_kept(plan: Plan, path: Path, spill: Spill | None = None, client: Any = None) -> Plan:
    """Pass 1 of 2: the rare-value decisions on the kept rows (``spill``: the first pass's normalised
    batches, else ``path`` is read again; ``client``: on a Dask cluster's workers)."""
    k = plan.stats.k
    cols = _rare_columns(plan.spec)
    parts: dict[str, list[pd.DataFrame]] = {c.output_name: [] for c in cols}
    rows: dict[str, pd.Series] = {}
    for done in _each_batch(_sketch_batch, plan, path, spill, client):
        for name, (pairs, counts) in done.items():
            parts[name] = [bottom_k(pd.concat([*parts[name], pairs]), k)]
            rows[name] = counts if name not in rows else rows[name].add(counts, fill_value=0)
    for col in cols:
        sketch = parts[col.output_name][0] if parts[col.output_name] else pd.DataFrame(
            {"value": [], "person": []})
        counts = rows.get(col.output_name, pd.Series(dtype="int64"))
        plan.rare[col.output_name] = rare_plan(sketch, counts, k, col.rare, col.rare_label)
    return plan


@dataclass(frozen=True)
class Written:
    rows: int
    suppressed: int
    rare_values: dict[str, int]
    #: scrubbed free-text column → ``tags_written`` and ``whole_cells`` (``assemble``'s counts)
    scrubbed: dict[str, dict[str, int]] = field(default_factory=dict)


def write_table(plan: Plan, path: Path, out: Path, scratch: Path, keys: dict[str, SurrogateKey],
                spill: Spill | None = None, client: Any = None) -> Written:
    """Pass 2 of 2: the released rows of ``path`` to the Parquet file ``out``, shuffled through bucket files
    in ``scratch`` (a folder of the caller's staging, emptied here). ``keys``: the release's surrogate key
    per linking-code name (shared by every table of the release). With a Dask ``client``, each batch is
    normalised, generalised and has its rare values and free text handled on a worker; its linking codes
    are replaced here, on the client: the key never leaves this process."""
    spec = plan.spec
    n_buckets = max(1, math.ceil(plan.stats.rows / BUCKET_ROWS))
    rng = np.random.default_rng(secrets.randbits(128))
    bucket_paths = [scratch / f"bucket-{b:05d}.parquet" for b in range(n_buckets)]
    writers: list[pq.ParquetWriter | None] = [None] * n_buckets
    schema = _schema(plan)
    rare_counts = _rare_totals(plan)
    scrubbed: dict[str, dict[str, int]] = {}
    seen = {c.name: (Compacting(_distinct_hashes, len, SEEN_COMPACT),
                     Compacting(_distinct_hashes, len, SEEN_COMPACT))
            for c in spec.by_role("linking_code") if c.kept}
    written = suppressed = 0
    try:
        # one thread when free text is scrubbed: the NLP pipeline is not shared between threads
        ahead = 1 if any(c.role == "free_text" for c in spec.kept_columns) else 2
        if client is None:  # surrogates on the threads too
            fn: Callable[[Plan, Path, _Values], _Batch] = functools.partial(_release_batch, keys=keys)
        else:
            fn = _release_batch
        for done in _each_batch(fn, plan, path, spill, client, ahead):
            if done.codes:
                done = _with_surrogates(done, keys, schema)
            suppressed += done.suppressed
            table = done.table
            for name, changed in done.changed.items():
                rare_counts[name] = rare_counts.get(name, 0) + changed
            for name, counts in done.scrubbed.items():
                total = scrubbed.setdefault(name, {"tags_written": 0, "whole_cells": 0})
                for what, n in counts.items():
                    total[what] += n
            for name, (code_hashes, token_hashes) in done.seen.items():
                seen[name][0].add(code_hashes)  # merged geometrically (pipeline.stream.compact)
                seen[name][1].add(token_hashes)
            written += table.num_rows
            bucket = rng.integers(0, n_buckets, table.num_rows)
            for b in range(n_buckets):
                part = table.filter(pa.array(bucket == b)) if n_buckets > 1 else table
                if part.num_rows:
                    if writers[b] is None:
                        writers[b] = pq.ParquetWriter(bucket_paths[b], schema)
                    writers[b].write_table(part)  # type: ignore[union-attr]
        for w in writers:
            if w is not None:
                w.close()
        writers = [None] * n_buckets
        _check_unique(seen)
        released = release_schema(plan.spec)
        with pq.ParquetWriter(out, released, compression="zstd") as final:
            for b, bp in enumerate(bucket_paths):
                if not bp.exists():
                    continue
                part = pq.read_table(bp)
                part = part.take(pa.array(rng.permutation(part.num_rows)))
                final.write_table(part.replace_schema_metadata(released.metadata))
                bp.unlink()
                bucket_paths[b] = bp
    finally:
        for w in writers:
            if w is not None:
                w.close()
        for bp in bucket_paths:
            bp.unlink(missing_ok=True)
    return Written(written, suppressed, rare_counts, scrubbed)


def _schema(plan: Plan) -> pa.Schema:
    """The released columns and their Arrow types, as ``assemble`` types them: numbers without a hierarchy
    as Int64, everything else as text."""
    return release_schema(plan.spec).remove_metadata()


def release_schema(spec: TableSpec) -> pa.Schema:
    """The schema of the release's ``data/<table>.parquet`` as ``pipeline.release.manifest`` writes the
    whole-table path's frame (``string`` and ``Int64`` columns): the same Arrow types and the same pandas
    metadata, so ``pd.read_parquet`` gives the same dtypes whichever path wrote the file. The streamed run's
    second pass writes the file in this form once, and the release takes it as it is."""
    frame = {}
    for col in spec.kept_columns:
        numeric = (col.type in ("amount", "integer") and col.role in ("attribute", "sensitive")
                   and col.hierarchy is None)
        frame[col.output_name] = pd.Series([], dtype="Int64" if numeric else "string")
    return pa.Schema.from_pandas(pd.DataFrame(frame), preserve_index=False)


@dataclass
class _Batch:
    """One batch's released rows and what it adds to the table's counts."""

    table: pa.Table
    suppressed: int
    #: top- or bottom-coded column → cells changed in this batch
    changed: dict[str, int]
    #: linking-code column → the distinct 64-bit hashes of this batch's codes and of their surrogates
    #: (each sorted)
    seen: dict[str, tuple[np.ndarray, np.ndarray]]
    scrubbed: dict[str, dict[str, int]]
    #: linking-code column (input name) → (output name, its kept values), while the surrogates are still to
    #: be drawn (on the client)
    codes: dict[str, tuple[str, pd.Series]] = field(default_factory=dict)


def _rare_totals(plan: Plan) -> dict[str, int]:
    """Cells changed by the rare-value decisions (the same for every batch: decided on the whole table)."""
    out = {}
    for col in plan.spec.kept_columns:
        name = col.output_name
        if col.role in ("sensitive", "attribute") and name in plan.rare:
            pre = plan.pre_rare[name].changed_cells if name in plan.pre_rare else 0
            out[name] = pre + plan.rare[name].changed_cells
    return out


def _release_batch(plan: Plan, path: Path, batch: _Values,
                   keys: dict[str, SurrogateKey] | None = None) -> _Batch:
    """One batch's kept rows, released (``assemble._columns``, row by row); the linking codes replaced only
    with ``keys`` (else left in :attr:`_Batch.codes` for :func:`_with_surrogates`). Pure but for the keys'
    reads: batches run on threads or workers side by side."""
    offset, _, values = batch
    codes = plan.codes(values, path, offset)
    keep = plan.keep(codes)
    spec = plan.spec
    schema = _schema(plan)
    out: dict[str, pa.Array] = {}
    changed: dict[str, int] = {}
    scrubbed: dict[str, dict[str, int]] = {}
    linking: dict[str, tuple[str, pd.Series]] = {}
    for col in spec.kept_columns:
        name = col.output_name
        if col.role == "linking_code":
            linking[col.name] = (name, values[col.name][keep].reset_index(drop=True))
            out[name] = pa.nulls(int(keep.sum()), pa.string())
        elif col.role == "quasi_identifier":
            h = plan.stats.hierarchies[name]
            out[name] = pa.array(h.generalise(codes[name][keep], plan.levels[name]), pa.string())
        elif col.role in ("sensitive", "attribute"):
            v = _fixed(plan, col, values[col.name])[keep].reset_index(drop=True)
            if name in plan.rare:
                v = _apply_rare(v, plan.rare[name], col)
            elif (col.role == "attribute" and col.type in ("amount", "integer") and col.hierarchy is None):
                v, changed[name] = top_bottom_code(v, col.top_code, col.bottom_code)
            out[name] = pa.array(v.astype(object).where(v.notna(), None).to_numpy(dtype=object),
                                 schema.field(name).type, from_pandas=True)
        elif col.role == "free_text":
            from pipeline.detection.scrub import scrub_column

            done = scrub_column(values[col.name][keep].reset_index(drop=True), plan.config.detection)
            changed[name] = done.replacements
            scrubbed[name] = {"tags_written": done.replacements, "whole_cells": done.whole_cells}
            out[name] = pa.array(done.values.astype(object).to_numpy(), pa.string(), from_pandas=True)
    released = _Batch(pa.table(out, schema=schema), int((~keep).sum()), changed, {}, scrubbed, linking)
    return released if keys is None else _with_surrogates(released, keys, schema)


def _with_surrogates(done: _Batch, keys: dict[str, SurrogateKey], schema: pa.Schema) -> _Batch:
    """The batch with each linking code replaced by its keyed-PRF surrogate (per distinct code), and the
    (code, surrogate) hashes the uniqueness check needs."""
    table, seen = done.table, {}
    for name, (output, v) in done.codes.items():
        codes_, distinct = pd.factorize(v)
        # as SurrogateSpace spells a code (iterating an Arrow array value by value cost 4 s per 2M)
        tokens = keys[name].tokens(pd.Series(distinct).astype("string").astype(object).tolist())
        seen[name] = (sorted_unique(pd.util.hash_array(np.asarray(distinct, dtype=object)), owned=True),
                      sorted_unique(pd.util.hash_array(np.asarray(tokens, dtype=object)), owned=True))
        arr = np.asarray(tokens, dtype=object)[np.maximum(codes_, 0)]
        arr[codes_ < 0] = None
        at = schema.get_field_index(output)
        table = table.set_column(at, schema.field(at), pa.array(arr, pa.string()))
    return dataclasses.replace(done, table=table, seen=seen, codes={})


def _apply_rare(v: pd.Series, plan: RarePlan, col: ColumnSpec) -> pd.Series:
    if not plan.rare:
        return v
    out = v.astype(object).copy()
    rare = out.isin(list(plan.rare)).to_numpy()
    out[rare] = col.rare_label if col.rare == "merge" else None
    if col.rare == "merge" and plan.label_nulled:
        out[(out == col.rare_label).to_numpy()] = None
    return out


def _distinct_hashes(parts: list[np.ndarray]) -> np.ndarray:
    return sorted_unique(np.concatenate(parts), owned=True)


def _check_unique(seen: dict[str, tuple[Compacting[np.ndarray], Compacting[np.ndarray]]]) -> None:
    """Distinct codes must get distinct surrogates (as :class:`SurrogateSpace` checks): a surrogate is a
    function of its code, so they are distinct exactly when there are as many distinct surrogates as
    distinct codes, counted on their 64-bit hashes (a collision of the hashes themselves would only refuse
    a release, never pass one). Held as two sorted arrays of hashes, not a frame of (code, surrogate) pairs
    de-duplicated by pandas: at 10M policyholders that frame's last de-duplication took 911 MiB, the second
    pass's peak (issue 17); the arrays hold 8 bytes a code."""
    for name, (codes, tokens) in seen.items():
        merged_codes, merged_tokens = codes.merged(), tokens.merged()
        n_codes = 0 if merged_codes is None else len(merged_codes)
        n_tokens = 0 if merged_tokens is None else len(merged_tokens)
        if n_codes != n_tokens:
            raise SurrogateCollisionError(f"{name}: two distinct codes got the same surrogate; run again "
                                          "(a new key is drawn every run)")
