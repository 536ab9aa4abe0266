"""Write an extract as a raw core-system export would be: CSV (UTF-8, UTF-8 with BOM, CP932) or Parquet.

pyarrow writes UTF-8 CSV with standard quoting (every string quoted, ``"`` doubled, empty cells as
nulls); CP932 is produced by transcoding batches of complete rows, with CRLF line ends as a Windows
export has. Parquet keeps every column as a string, as the raw export holds text only.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Literal

import pyarrow as pa
import pyarrow.csv as pcsv
import pyarrow.parquet as pq

Format = Literal["csv", "parquet"]
Encoding = Literal["utf-8", "utf-8-sig", "cp932"]
FORMATS: tuple[str, ...] = ("csv", "parquet")
ENCODINGS: tuple[str, ...] = ("utf-8", "utf-8-sig", "cp932")
BATCH_ROWS = 100_000


def write_table(table: pa.Table, path: Path, fmt: Format, encoding: Encoding) -> Path:
    """Write ``table`` to ``path`` (suffix set from ``fmt``) and return the path written."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {FORMATS}, got {fmt!r}")
    if encoding not in ENCODINGS:
        raise ValueError(f"encoding must be one of {ENCODINGS}, got {encoding!r}")
    path = path.with_suffix("." + fmt)
    if fmt == "parquet":
        pq.write_table(table, path)
        return path
    eol = "\r\n" if encoding == "cp932" else "\n"
    with path.open("wb") as out:
        if encoding == "utf-8-sig":
            out.write(b"\xef\xbb\xbf")
        for start in range(0, max(table.num_rows, 1), BATCH_ROWS):
            buf = io.BytesIO()
            options = pcsv.WriteOptions(include_header=start == 0, eol=eol)
            pcsv.write_csv(table.slice(start, BATCH_ROWS), buf, write_options=options)
            data = buf.getvalue()
            out.write(data.decode("utf-8").encode("cp932") if encoding == "cp932" else data)
    return path
