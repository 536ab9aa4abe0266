"""Read and normalise one table's input in batches: only the columns the release keeps are ever materialised.

Why: the whole-file path held the raw frame (every column as text: names, addresses, phone numbers, free
text) and the normalised columns at once. Here identifiers, identification codes and deleted free text are
never converted (pyarrow's ``include_columns``), each batch's kept columns are normalised and the batch is
dropped, so the peak is the normalised kept columns plus one batch. :func:`pipeline.prepare.prepare_table`
uses it; the rest of the pipeline receives the same ``pd.Series`` as before.

Errors are today's, in today's order: a malformed row (file, line) before any invalid value, then the first
configured column with an invalid value (table, file, row, column, count); nothing is returned.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline.config.model import ColumnSpec, TableSpec
from pipeline.io.batches import BATCH_BYTES, Batch, iter_batches
from pipeline.stream import executor
from pipeline.stream.normalise import ColumnNormaliser, shared_cache


def kept_for_processing(spec: TableSpec) -> list[ColumnSpec]:
    """The columns that are read at all: everything but deleted identifiers and deleted free text."""
    return [c for c in spec.columns
            if c.role not in ("identifier", "identification_code")
            and not (c.role == "free_text" and c.free_text == "delete")]


@dataclass
class Normalised:
    rows: int
    values: dict[str, pd.Series]
    invalid_nulled: dict[str, int]


def normalisers(spec: TableSpec, path: Path, keep: bool = True) -> dict[str, ColumnNormaliser]:
    return {c.name: ColumnNormaliser(c.name, c.type, c.on_invalid, spec.name, path, keep=keep)
            for c in kept_for_processing(spec)}


def batches(spec: TableSpec, path: Path, block_size: int = BATCH_BYTES) -> Iterator[Batch]:
    return iter_batches(path, spec.format, spec.encoding, spec.delimiter,
                        [c.name for c in kept_for_processing(spec)], block_size)


def normalise_batch(spec: TableSpec, path: Path, batch: Batch) -> tuple[int, dict[str, ColumnNormaliser]]:
    """One batch's kept columns normalised (pure: runs on a Dask worker); invalid values are recorded in the
    normalisers, not raised, so that the client names the file's first invalid row."""
    norms = {c.name: ColumnNormaliser(c.name, c.type, "null", spec.name, path, cache=shared_cache(c.type))
             for c in kept_for_processing(spec)}
    for name, norm in norms.items():
        norm.feed(batch.columns[name], batch.offset)
        norm._cache = {}  # not sent back to the client
    return batch.num_rows, norms


def _on_cluster(spec: TableSpec, path: Path, client: Any,
                on_batch: Callable[[int], None] | None) -> dict[str, ColumnNormaliser]:
    """Normalise on the cluster's workers; merge the per-batch results in row order."""
    from pipeline.stream.dask_pass import map_batches

    done: dict[int, dict[str, ColumnNormaliser]] = {}
    for number, (n, norms) in map_batches(client, normalise_batch, spec, path):
        done[number] = norms
        if on_batch is not None:
            on_batch(n)
    merged = normalisers(spec, path)
    for number in sorted(done):
        for name, part in done.pop(number).items():
            merged[name].absorb(part)
    return merged


def read_normalised(spec: TableSpec, path: Path, block_size: int = BATCH_BYTES,
                    on_batch: Callable[[int], None] | None = None) -> Normalised:
    """Every kept column of ``path`` normalised (``pd.Series`` by input column name), read batch by batch;
    on the workers of the Dask client set by :func:`pipeline.stream.executor.using`, if any."""
    client = executor.current()
    if client is not None:
        norms = _on_cluster(spec, path, client, on_batch)
        first = next(iter(norms.values()), None)
        rows = first.rows if first is not None else 0
        return _finish(spec, norms, rows)
    norms = normalisers(spec, path)
    rows = 0
    for batch in batches(spec, path, block_size):
        for name, norm in norms.items():
            norm.feed(batch.columns[name], batch.offset)
        rows = batch.offset + batch.num_rows
        if on_batch is not None:
            on_batch(batch.num_rows)
    return _finish(spec, norms, rows)


def _finish(spec: TableSpec, norms: dict[str, ColumnNormaliser], rows: int) -> Normalised:
    nulled = {}
    for c in spec.columns:
        if c.name in norms:
            n = norms[c.name].check()
            if n:
                nulled[c.output_name] = n
    values = {name: norm.series() for name, norm in norms.items()}
    return Normalised(rows, values, nulled)
