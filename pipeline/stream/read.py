"""Read and normalise one table's input in batches: only the columns the release keeps are ever materialised.

Why: the whole-file path held the raw frame (every column as text: names, addresses, phone numbers, free
text) and the normalised columns at once. Here identifiers, identification codes and deleted free text are
never converted (pyarrow's ``include_columns``), each batch's kept columns are normalised and the batch is
dropped, so the peak is the normalised kept columns plus one batch. :func:`pipeline.prepare.prepare_table`
uses it; the rest of the pipeline receives the same ``pd.Series`` as before.

Errors keep the whole-file order: a fault of the file (encoding, malformed row; file, line) is raised while
reading, before any value's; the values' faults are raised per column, in config order, by
:meth:`ColumnNormaliser.check` (the caller interleaves them with its own per-column checks, as
:mod:`pipeline.prepare` does with the hierarchies).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline.config.model import TableSpec
from pipeline.io.batches import Batch
from pipeline.normalise.base import ColumnNormaliser, shared_cache
from pipeline.stream import executor
from pipeline.stream.columns import batches, kept_for_processing


@dataclass
class Normalised:
    rows: int
    #: input column → its normaliser, every batch fed, not yet checked
    columns: dict[str, ColumnNormaliser]

    def column(self, name: str) -> tuple[pd.Series, int]:
        """Column ``name`` normalised and the cells nulled as invalid; its error, if it has one (once)."""
        norm = self.columns.pop(name)
        nulled = norm.check()
        return norm.series(), nulled


def normalisers(spec: TableSpec, path: Path) -> dict[str, ColumnNormaliser]:
    return {c.name: ColumnNormaliser(c.name, c.type, c.on_invalid, spec.name, path)
            for c in kept_for_processing(spec)}


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


def read_normalised(spec: TableSpec, path: Path, block_size: int | None = None,
                    on_batch: Callable[[int], None] | None = None) -> Normalised:
    """Every kept column of ``path``, read and normalised batch by batch (check each with
    :meth:`Normalised.column`); on the workers of the Dask client set by
    :func:`pipeline.stream.executor.using`, if any."""
    client = executor.current()
    if client is not None:
        norms = _on_cluster(spec, path, client, on_batch)
        first = next(iter(norms.values()), None)
        return Normalised(first.rows if first is not None else 0, norms)
    norms = normalisers(spec, path)
    rows = 0
    for batch in batches(spec, path, block_size):
        for name, norm in norms.items():
            norm.feed(batch.columns[name], batch.offset)
        rows = batch.offset + batch.num_rows
        if on_batch is not None:
            on_batch(batch.num_rows)
    return Normalised(rows, norms)
