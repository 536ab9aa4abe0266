"""The normalised kept columns of one table, kept on disk between the streaming passes (issue 17).

Why: the second pass reads the input twice more (kept-row sketches, then the write); reading and normalising
a CSV again costs about as much as the first time (CP932 decoding, dates, amounts: 11.5 s a million
policyholders), reading a Parquet row group of values already normalised a fraction of it. So the first pass
writes each batch's normalised columns as one row group of a scratch Parquet file, and the later passes read
the row groups back, one at a time (memory stays one batch).

What it holds: the kept columns only, after normalisation: never a name, an identification code or deleted
free text (those are never parsed), but linking codes, dates and addresses: personal data. It lives in the
caller's scratch folder (inside the release's staging folder, which the run removes on success and failure,
and which the next run sweeps after a crash), uncompressed data of the same kind as the input file beside it,
and is removed by :meth:`Spill.remove` as soon as the last pass has read it. No key or seed is ever in it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq


class Spill:
    """One table's normalised batches in a Parquet file: :meth:`write` per batch, :meth:`close`, then
    :meth:`batches` as many times as needed, then :meth:`remove`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._writer: pq.ParquetWriter | None = None
        self._dtypes: dict[str, object] = {}
        self._offsets: list[int] = []

    def write(self, values: dict[str, pd.Series], offset: int) -> None:
        table = pa.table({name: pa.Array.from_pandas(s) for name, s in values.items()})
        if self._writer is None:
            self._dtypes = {name: s.dtype for name, s in values.items()}
            self._writer = pq.ParquetWriter(self.path, table.schema, compression="lz4")
        self._writer.write_table(table, row_group_size=max(table.num_rows, 1))
        self._offsets.append(offset)

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None

    def batches(self) -> Iterator[tuple[int, int, dict[str, pd.Series]]]:
        """(offset, rows, normalised columns) per batch, in file order, with the dtypes written."""
        self.close()
        if not self._offsets:
            return
        pf = pq.ParquetFile(self.path)
        try:
            for group, offset in enumerate(self._offsets):
                table = pf.read_row_group(group)
                values = {name: _series(table.column(name), dtype) for name, dtype in self._dtypes.items()}
                yield offset, table.num_rows, values
        finally:
            pf.close()

    def remove(self) -> None:
        self.close()
        self.path.unlink(missing_ok=True)


def _series(col: pa.ChunkedArray, dtype: object) -> pd.Series:
    if isinstance(dtype, pd.StringDtype):
        return pd.Series(col.to_pandas(types_mapper={pa.string(): dtype, pa.large_string(): dtype}.get),
                         dtype=dtype)
    if isinstance(dtype, pd.Int64Dtype):
        return pd.Series(col.to_pandas(types_mapper={pa.int64(): dtype}.get), dtype=dtype)
    return col.to_pandas().astype(dtype)
