"""Which columns of a table are read at all, and its input's batches of those columns.

Below :mod:`pipeline.stream.read`, :mod:`pipeline.stream.first_pass` and :mod:`pipeline.stream.dask_pass`, so
that none of them imports another back.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from pipeline.config.model import ColumnSpec, TableSpec
from pipeline.io.batches import Batch, iter_batches


def kept_for_processing(spec: TableSpec) -> list[ColumnSpec]:
    """The columns that are read at all: everything but deleted identifiers and deleted free text."""
    return [c for c in spec.columns
            if c.role not in ("identifier", "identification_code")
            and not (c.role == "free_text" and c.free_text == "delete")]


def batches(spec: TableSpec, path: Path, block_size: int | None = None) -> Iterator[Batch]:
    return iter_batches(path, spec.format, spec.encoding, spec.delimiter,
                        [c.name for c in kept_for_processing(spec)], block_size)
