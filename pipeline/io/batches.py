"""Read an extract in batches of rows (bounded memory), as strictly as :func:`pipeline.io.reader.read_table`.

Why: reading a whole 10-million-row extract into memory first (every column, names and addresses included)
costs more than everything after it. Here a CSV is decoded chunk by chunk (CP932 transcoded to UTF-8 on the
fly), parsed by pyarrow's streaming reader and handed out as :class:`Batch` objects of text columns; a Parquet
file is read one row group at a time. Only the requested columns are kept from each batch.

Same failures, same messages as the whole-file reader: a byte that is not valid in the encoding names its
line;
rows with the wrong number of fields name the first one's line and the count (the rest of the file is still
parsed to count them, nothing is kept); an unterminated quote names the file. ``auto`` encoding: a UTF-8 BOM,
else strict UTF-8 if the whole file decodes (checked by a streaming pass, stopped at the first bad byte), else
strict CP932.
"""

from __future__ import annotations

import codecs
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from pipeline.errors import InputError

BATCH_BYTES = 1 << 24  # pyarrow block size: about 100,000 rows of the demo extract
_CHUNK = 1 << 22
_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class Batch:
    """Rows ``offset + 1 … offset + num_rows`` (1-based data rows, header excluded) of one file, as text."""

    offset: int
    columns: dict[str, pa.Array]

    @property
    def num_rows(self) -> int:
        return len(next(iter(self.columns.values()))) if self.columns else 0


@dataclass(frozen=True)
class Encoding:
    """The codec to read with, and the error for a byte it cannot decode (given the line)."""

    codec: str
    configured: str
    #: ``auto`` fell back to CP932: the line of the first byte that was not UTF-8 (what today's reader names)
    utf8_line: int | None = None

    def error(self, path: Path, line: int) -> InputError:
        if self.configured == "auto":
            return InputError(f"file {path}, line {self.utf8_line or line}: not valid UTF-8 nor CP932 "
                              "(encoding "
                              "auto); set the table's encoding in the config or re-export the file")
        return InputError(f"file {path}, line {line}: not valid {self.configured} "
                          "(check the table's encoding in the config)")


def detect_encoding(path: Path, encoding: str) -> Encoding:
    """The codec to read ``path`` with: the configured one, or for ``auto`` the one today's reader picks."""
    if encoding != "auto":
        return Encoding({"utf-8": "utf-8", "utf-8-sig": "utf-8-sig", "cp932": "cp932"}[encoding], encoding)
    with open(path, "rb") as f:
        if f.read(3) == _BOM:
            return Encoding("utf-8-sig", "auto")
        f.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")("strict")
        lines = 0
        for chunk in iter(lambda: f.read(_CHUNK), b""):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                return Encoding("cp932", "auto", lines + chunk.count(b"\n", 0, max(exc.start, 0)) + 1)
            lines += chunk.count(b"\n")
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return Encoding("cp932", "auto", lines + 1)
    return Encoding("utf-8", "auto")


class _Transcoder(io.RawIOBase):
    """A file decoded strictly with ``codec`` and re-encoded as UTF-8, chunk by chunk; a bad byte is an
    :class:`InputError` naming the file and the line (never the bytes)."""

    def __init__(self, path: Path, encoding: Encoding) -> None:
        self._file = open(path, "rb")  # noqa: SIM115 - closed by close()
        self._decoder = codecs.getincrementaldecoder(encoding.codec)("strict")
        self._path, self._encoding = path, encoding
        self._lines = 0
        self._pending = memoryview(b"")  # a view: handing out a slice copies nothing
        self._done = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._pending and not self._done:
            chunk = self._file.read(_CHUNK)
            try:
                text = self._decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as exc:
                line = self._lines + chunk.count(b"\n", 0, max(exc.start, 0)) + 1
                raise self._encoding.error(self._path, line) from None
            self._lines += chunk.count(b"\n")
            self._pending = memoryview(text.encode("utf-8"))
            self._done = not chunk
        n = min(len(buffer), len(self._pending))
        buffer[:n] = self._pending[:n]
        self._pending = self._pending[n:]
        return n

    def close(self) -> None:
        self._file.close()
        super().close()


def header_of(path: Path, encoding: Encoding, delimiter: str) -> list[str]:
    """The column names of a CSV (its first record)."""
    with _Transcoder(path, encoding) as raw:
        reader = pacsv.open_csv(raw, read_options=pacsv.ReadOptions(use_threads=False, block_size=1 << 16),
                                parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True,
                                                                 invalid_row_handler=lambda row: "skip"),
                                convert_options=pacsv.ConvertOptions(auto_dict_encode=False))
        names = list(reader.schema.names)
    return names


def iter_csv(path: Path, encoding: str = "auto", delimiter: str = ",", columns: list[str] | None = None,
             block_size: int = BATCH_BYTES) -> Iterator[Batch]:
    """Batches of a CSV's ``columns`` (default: all), every column as text, '' as null."""
    if path.stat().st_size == 0:
        raise InputError(f"file {path}: empty file")
    enc = detect_encoding(path, encoding)
    bad: list[tuple[int | None, int, int]] = []

    def on_invalid(row: pacsv.InvalidRow) -> str:
        # Keep the line number and field counts only: row.text is personal data and is never kept.
        bad.append((row.number, row.expected_columns, row.actual_columns))
        return "skip"

    header = _checked_header(path, enc, delimiter)
    types = {name: pa.string() for name in header}
    raw = _Transcoder(path, enc)
    try:
        try:
            reader = pacsv.open_csv(
                raw,
                read_options=pacsv.ReadOptions(use_threads=False, block_size=block_size),
                parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True,
                                                 invalid_row_handler=on_invalid),
                convert_options=pacsv.ConvertOptions(
                    column_types=types, strings_can_be_null=True, quoted_strings_can_be_null=True,
                    null_values=[""], check_utf8=False, timestamp_parsers=[], include_columns=columns,
                    auto_dict_encode=False),
            )
            offset = 0
            for batch in reader:
                if bad:
                    continue  # a malformed row: parse the rest only to count, keep nothing
                cols = {name: (col if col.type == pa.string() else col.cast(pa.string()))
                        for name, col in zip(batch.schema.names, batch.columns, strict=True)}
                yield Batch(offset, cols)
                offset += batch.num_rows
        except pa.ArrowInvalid as exc:
            # Arrow messages can quote row content: never forward them.
            msg = str(exc)
            if "empty" in msg.lower():
                raise InputError(f"file {path}: empty file") from None
            quote = "quote" in msg.lower()
            kind = "unterminated quoted field (truncated file?)" if quote else "malformed CSV"
            raise InputError(f"file {path}: {kind}; the file could not be parsed") from None
    finally:
        raw.close()
    if bad:
        number, expected, actual = bad[0]
        line = f"line {number}" if number is not None else "a row"
        raise InputError(f"file {path}, {line}: expected {expected} fields, found {actual} "
                         f"({len(bad)} malformed rows in all; truncated or broken export?)")


def _parquet(path: Path) -> pq.ParquetFile:
    try:
        return pq.ParquetFile(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise InputError(f"file {path}: not a readable Parquet file ({type(exc).__name__})") from None


def parquet_groups(path: Path) -> int:
    return int(_parquet(path).num_row_groups)


def read_parquet_group(path: Path, group: int, columns: list[str] | None = None) -> Batch:
    """Row group ``group`` of a Parquet file as a batch (its offset from the footer: no other group read)."""
    pf = _parquet(path)
    offset = sum(pf.metadata.row_group(i).num_rows for i in range(group))
    try:
        table = pf.read_row_group(group, columns=columns)
    except (pa.ArrowInvalid, OSError) as exc:
        raise InputError(f"file {path}: not a readable Parquet file ({type(exc).__name__})") from None
    return Batch(offset, {name: col.combine_chunks().cast(pa.string())
                          for name, col in zip(table.column_names, table.columns, strict=True)})


def iter_parquet(path: Path, columns: list[str] | None = None) -> Iterator[Batch]:
    """Batches of a Parquet file: one per row group, every column as text."""
    for group in range(parquet_groups(path)):
        yield read_parquet_group(path, group, columns)


def columns_of(path: Path, fmt: str, encoding: str, delimiter: str) -> list[str]:
    """The file's column names (the header), read without reading the rows."""
    if fmt == "parquet":
        try:
            return list(pq.ParquetFile(path).schema_arrow.names)
        except (pa.ArrowInvalid, OSError) as exc:
            raise InputError(f"file {path}: not a readable Parquet file ({type(exc).__name__})") from None
    if path.stat().st_size == 0:
        raise InputError(f"file {path}: empty file")
    return _checked_header(path, detect_encoding(path, encoding), delimiter)


def _checked_header(path: Path, encoding: Encoding, delimiter: str) -> list[str]:
    try:
        names = header_of(path, encoding, delimiter)
    except pa.ArrowInvalid:
        raise InputError(f"file {path}: malformed CSV; the file could not be parsed") from None
    if len(set(names)) != len(names):
        raise InputError(f"file {path}, line 1: duplicate column names in the header")
    return names


def resolve_format(path: Path, fmt: str) -> str:
    if fmt == "auto":
        return "parquet" if path.suffix.lower() in (".parquet", ".pq") else "csv"
    return fmt


def iter_batches(path: Path, fmt: str = "auto", encoding: str = "auto", delimiter: str = ",",
                 columns: list[str] | None = None, block_size: int = BATCH_BYTES) -> Iterator[Batch]:
    """Batches of ``path`` (CSV or Parquet, ``fmt`` auto by suffix), only ``columns`` kept."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"file {path}: not found")
    if resolve_format(path, fmt) == "parquet":
        return iter_parquet(path, columns)
    return iter_csv(path, encoding, delimiter, columns, block_size)
