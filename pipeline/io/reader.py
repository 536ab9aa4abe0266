"""Read one extract into a pandas DataFrame of strings (nulls for empty cells), strictly.

The whole file is every batch of :mod:`pipeline.io.batches` concatenated: one reader, so ``anonymize scan``
(which reads whole files) and ``anonymize run`` (which reads batches) accept and refuse the same files with
the same messages. See that module for the rules (encodings, line ends, header, malformed rows, Parquet
types).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa

from pipeline.io.batches import columns_of, iter_batches, resolve_format


def read_table(path: Path, fmt: str = "auto", encoding: str = "auto", delimiter: str = ",",
               header: bool = True) -> pd.DataFrame:
    """Read ``path`` as text columns; ``fmt`` auto picks by suffix (.parquet/.pq, else CSV). ``header=False``:
    the first row is data; columns are named 列1, 列2, … (``anonymize scan --no-header``)."""
    path = Path(path)
    names = columns_of(path, fmt, encoding, delimiter, header)
    chunks: dict[str, list[pa.Array]] = {name: [] for name in names}
    for batch in iter_batches(path, fmt, encoding, delimiter, header=header):
        for name, col in batch.columns.items():
            chunks[name].append(col)
    table = pa.table({name: pa.chunked_array(parts, pa.string()) for name, parts in chunks.items()})
    frame = table.to_pandas(types_mapper=lambda t: pd.StringDtype("pyarrow") if t == pa.string() else None)
    if resolve_format(path, fmt) == "parquet" and not header:  # Parquet always has names; positional ones
        frame.columns = [f"列{i}" for i in range(1, frame.shape[1] + 1)]  # keep them out of the output
    return frame
