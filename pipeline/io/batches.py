"""Read an extract in batches of rows (bounded memory), strictly: the one reader of the project.

Why strict: a half-read file silently anonymised is worse than no release. Wrong encodings, rows with the
wrong number of fields (a truncated export) and unterminated quotes are errors naming the file and the line,
never the content. Encoding ``auto``: a UTF-8 BOM, else strict UTF-8 if the whole file decodes, else strict
CP932. Every column is read as text; typing is the normaliser's job (``pipeline.normalise``).

Why batches: reading a whole 10-million-row extract into memory first (every column, names and addresses
included) costs more than everything after it. A CSV is decoded chunk by chunk (CP932 transcoded to UTF-8 on
the fly), parsed by pyarrow's streaming reader and handed out as :class:`Batch` objects of text columns; a
Parquet file is read one row group at a time. Only the requested columns are kept from each batch.
:func:`pipeline.io.reader.read_table` is the same reader with every batch concatenated, so a whole file and a
file in batches fail alike.

The checks and their order are those of a reader that holds the whole file: the file decodes (a bad byte
anywhere names its line, before any other fault), it is not blank, its first line parses as a header (CR-only
line ends read as LF), its column names are distinct, the rows parse (a quote never closed names its line;
rows with the wrong number of fields name the first one's line and the count). An error found before the file
was read to its end is therefore raised only after the rest of the file was decoded, so that a bad byte
further down still comes first; and :mod:`pipeline.prepare` reads a file to its end before it reports a
header that does not fit the config. A Parquet file: readable (every column of every row group), column names
distinct, every column of a type with one text spelling (no list, struct or map), named by position.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from pipeline.errors import InputError
from pipeline.io.header import header_hint

BATCH_BYTES = 1 << 24  # pyarrow block size: about 100,000 rows of the demo extract
HEADER_BYTES = 1 << 16  # the block :func:`csv_columns` tries first
_CHUNK = 1 << 22
_BOM = b"\xef\xbb\xbf"
_CODECS = {"utf-8": "utf-8", "utf-8-sig": "utf-8-sig", "cp932": "cp932"}


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
    """How to read a CSV: the codec, what an error names, how lines are counted."""

    codec: str
    #: what the error message names: ``auto``, or the encoding read with (``utf-8-sig`` for auto with a BOM)
    named: str
    #: ``\\n``, or ``\\r`` for a file without any LF (CR-only line ends): lines are counted by it, and CR is
    #: read as LF
    newline: bytes
    #: ``auto`` fell back to CP932: the line of the first byte that was not UTF-8 (what a CP932 error names)
    utf8_line: int | None = None
    #: the whole file is known to decode (``auto`` checked it as UTF-8)
    validated: bool = False

    def error(self, path: Path, line: int) -> InputError:
        if self.named == "auto":
            return InputError(f"file {path}, line {self.utf8_line or line}: not valid UTF-8 nor CP932 "
                              "(encoding auto); set the table's encoding in the config or re-export the file")
        return InputError(f"file {path}, line {line}: not valid {self.named} "
                          "(check the table's encoding in the config)")


def _lines_before(exc: UnicodeDecodeError, newline: bytes) -> int:
    """Line ends before the undecodable byte within the decoder's input (the bytes it held back from the
    previous chunk are an incomplete character: never a line end)."""
    return bytes(exc.object[:exc.start]).count(newline)


def _has_lf(path: Path) -> bool:
    with open(path, "rb") as f:
        return any(b"\n" in chunk for chunk in iter(lambda: f.read(_CHUNK), b""))


def detect_encoding(path: Path, encoding: str) -> Encoding:
    """The codec to read ``path`` with: the configured one, or for ``auto`` a BOM, else UTF-8 if the whole
    file decodes as UTF-8, else CP932."""
    newline = b"\n" if _has_lf(path) else b"\r"
    if encoding != "auto":
        return Encoding(_CODECS[encoding], encoding, newline)
    with open(path, "rb") as f:
        if f.read(3) == _BOM:
            return Encoding("utf-8-sig", "utf-8-sig", newline)
        f.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")("strict")
        lines = 0
        for chunk in iter(lambda: f.read(_CHUNK), b""):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                return Encoding("cp932", "auto", newline, lines + _lines_before(exc, newline) + 1)
            lines += chunk.count(newline)
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return Encoding("cp932", "auto", newline, lines + 1)
    return Encoding("utf-8", "auto", newline, validated=True)


class _Transcoder(io.RawIOBase):
    """A file decoded strictly and re-encoded as UTF-8, chunk by chunk (CR read as LF in a CR-only file); a
    bad byte is an :class:`InputError` naming the file and the line (never the bytes)."""

    def __init__(self, path: Path, encoding: Encoding) -> None:
        self._file = open(path, "rb")  # noqa: SIM115 - closed by close()
        self._decoder = codecs.getincrementaldecoder(encoding.codec)("strict")
        self._path, self._encoding = path, encoding
        self._lines = 0
        self._pending = memoryview(b"")  # a view: handing out a slice copies nothing
        self._done = False
        #: quote characters decoded so far: an odd total at the end means a quote may be left open
        self.quotes = 0

    def readable(self) -> bool:
        return True

    def text(self) -> str | None:
        """The next decoded chunk, or None at the end of the file."""
        if self._done:
            return None
        chunk = self._file.read(_CHUNK)
        newline = self._encoding.newline
        try:
            text = self._decoder.decode(chunk, final=not chunk)
        except UnicodeDecodeError as exc:
            raise self._encoding.error(self._path, self._lines + _lines_before(exc, newline) + 1) from None
        self._lines += chunk.count(newline)
        self._done = not chunk
        self.quotes += text.count('"')
        return text.replace("\r", "\n") if newline == b"\r" else text

    def readinto(self, buffer: Any) -> int:
        """Fill ``buffer`` whole unless the file ends: Arrow takes each read as one block, and a quoted field
        or a row may not straddle two blocks, so a short read would refuse rows a whole file allows."""
        n = 0
        while n < len(buffer):
            if not self._pending:
                if self._done:
                    break
                self._pending = memoryview((self.text() or "").encode("utf-8"))
                continue
            k = min(len(buffer) - n, len(self._pending))
            buffer[n:n + k] = self._pending[:k]
            self._pending = self._pending[k:]
            n += k
        return n

    def decode_rest(self) -> InputError | None:
        """Decode the rest of the file: its first bad byte's error, or None."""
        if self._encoding.validated:
            return None
        try:
            while self.text() is not None:
                pass
        except InputError as exc:
            return exc
        return None

    def close(self) -> None:
        self._file.close()
        super().close()


def _decode_error(path: Path, encoding: Encoding) -> InputError | None:
    """The first bad byte's error if ``path`` does not decode, else None."""
    with _Transcoder(path, encoding) as raw:
        return raw.decode_rest()


def _first_line(path: Path, encoding: Encoding) -> tuple[str, bool]:
    """(the first line, whether the whole file is blank), reading only as far as needed."""
    text, filled = "", False
    with _Transcoder(path, encoding) as raw:
        while (piece := raw.text()) is not None:
            text += piece
            filled = filled or bool(piece.strip())
            if filled and "\n" in text:
                break
    return text.split("\n", 1)[0].rstrip("\r"), not filled


@dataclass(frozen=True)
class CsvHeader:
    encoding: Encoding
    #: the first line as the csv module reads it (or 列1, 列2, … without a header); column types are keyed by
    #: it
    first: list[str]


def csv_header(path: Path, encoding: str = "auto", delimiter: str = ",", header: bool = True) -> CsvHeader:
    """The encoding and the checked first line of a CSV. ``header=False``: the first row is data; columns are
    named 列1, 列2, … (``anonymize scan --no-header``)."""
    enc = detect_encoding(path, encoding)
    try:
        line, blank = _first_line(path, enc)
        if blank:
            raise InputError(f"file {path}: empty file")
        try:
            first = next(csv.reader(io.StringIO(line), delimiter=delimiter), None)
        except csv.Error:
            # csv's messages do not quote the line, but say nothing useful either
            raise InputError(f"file {path}, line 1: the header row cannot be parsed (a NUL byte, or a quote "
                             "left open)") from None
        if first is None:
            raise InputError(f"file {path}, line 1: the header row is empty (a blank first line)")
        if not header:
            first = [f"列{i}" for i in range(1, len(first) + 1)]
        if len(set(first)) != len(first):
            raise InputError(f"file {path}, line 1: duplicate column names in the header{header_hint(first)}")
    except InputError as exc:
        raise (_decode_error(path, enc) or exc) from None
    return CsvHeader(enc, first)


def _open(raw: _Transcoder, h: CsvHeader, delimiter: str, header: bool, block_size: int,
          columns: list[str] | None, on_invalid: Any) -> pacsv.CSVStreamingReader:
    return pacsv.open_csv(
        raw,
        read_options=pacsv.ReadOptions(use_threads=False, block_size=block_size,
                                       column_names=None if header else h.first),
        parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True,
                                         invalid_row_handler=on_invalid),
        convert_options=pacsv.ConvertOptions(
            column_types={name: pa.string() for name in h.first}, strings_can_be_null=True,
            quoted_strings_can_be_null=True, null_values=[""], check_utf8=False, timestamp_parsers=[],
            include_columns=columns, auto_dict_encode=False),
    )


def _arrow_error(raw: _Transcoder, h: CsvHeader, path: Path, delimiter: str, exc: pa.ArrowInvalid,
                 ) -> InputError:
    """Why Arrow could not parse the file: a bad byte further down first, then a quote left open (Arrow
    refuses a quoted field longer than its block), else a general message. Arrow's own messages can quote row
    content: never forwarded."""
    if (decoded := raw.decode_rest()) is not None:
        return decoded
    if (line := _open_quote(path, h.encoding, delimiter)) is not None:
        return _unterminated(path, line)
    kind = "unterminated quoted field (truncated file?)" if "quote" in str(exc).lower() else "malformed CSV"
    return InputError(f"file {path}: {kind}; the file could not be parsed")


def _open_quote(path: Path, encoding: Encoding, delimiter: str) -> int | None:
    """The line where a row opens a quoted field that the file never closes, or None.

    Why: Arrow reads an unterminated quote as a field running to the end of the file, so a truncated
    export (``…,"東京都港区`` cut mid-field) or one stray opening quote mid-file (every row after it
    swallowed into one field) would be anonymised with rows silently lost. Python's ``csv`` in strict
    mode says "unexpected end of data" in exactly that case and resumes after any other complaint (text
    after a closing quote, which Arrow accepts), so only the open quote is refused. It runs only when
    the file's quote characters are odd in number (counted while Arrow reads, at C speed): a file whose
    quotes all close never pays for it. An even count can still hide an open quote behind a stray quote
    inside an unquoted field (``ab"c``); such a file is not RFC 4180 to begin with, and its rows after
    the open quote would show as a ragged last row unless their field counts happen to fit."""
    limit = csv.field_size_limit()
    csv.field_size_limit(1 << 62)  # the open field runs to the end of the file: not a size problem
    try:
        with _Transcoder(path, encoding) as raw, io.TextIOWrapper(io.BufferedReader(raw), encoding="utf-8",
                                                                  newline="") as text:
            reader = csv.reader(text, delimiter=delimiter, strict=True)
            line = 0
            while True:
                try:
                    next(reader)
                except StopIteration:
                    return None
                except csv.Error as exc:
                    if "unexpected end of data" in str(exc):
                        return line + 1
                line = reader.line_num
    finally:
        csv.field_size_limit(limit)


def _unterminated(path: Path, line: int) -> InputError:
    return InputError(f"file {path}, line {line}: unterminated quoted field: the quote opened on this line "
                      "is never closed (truncated file?)")


def csv_columns(path: Path, encoding: str = "auto", delimiter: str = ",", header: bool = True) -> list[str]:
    """A CSV's column names as the rows are read with them, after the header checks."""
    h = csv_header(path, encoding, delimiter, header)
    # Arrow reads (and we decode) one whole block to open a file: a small one first, the names are in the
    # first row (a full block took a third of a second per file, for the header alone); the full block when
    # the first row is longer than the small one
    for block in (HEADER_BYTES, BATCH_BYTES):
        with _Transcoder(path, h.encoding) as raw:
            try:
                return list(_open(raw, h, delimiter, header, block, None, lambda row: "skip").schema.names)
            except pa.ArrowInvalid as exc:
                if block < BATCH_BYTES:
                    continue
                raise _arrow_error(raw, h, path, delimiter, exc) from None
    raise AssertionError("unreachable")


def iter_csv(path: Path, encoding: str = "auto", delimiter: str = ",", columns: list[str] | None = None,
             block_size: int | None = None, header: bool = True) -> Iterator[Batch]:
    """Batches of a CSV's ``columns`` (default: all), every column as text, '' as null; ``block_size``
    bytes each (default :data:`BATCH_BYTES`)."""
    h = csv_header(path, encoding, delimiter, header)
    bad: list[tuple[int | None, int, int]] = []

    def on_invalid(row: pacsv.InvalidRow) -> str:
        # Keep the line number and field counts only: row.text is personal data and is never kept.
        bad.append((row.number, row.expected_columns, row.actual_columns))
        return "skip"

    with _Transcoder(path, h.encoding) as raw:
        try:
            offset = 0
            for batch in _open(raw, h, delimiter, header, block_size or BATCH_BYTES, columns, on_invalid):
                if bad:
                    continue  # a malformed row: parse the rest only to count, keep nothing
                cols = {name: (col if col.type == pa.string() else col.cast(pa.string()))
                        for name, col in zip(batch.schema.names, batch.columns, strict=True)}
                yield Batch(offset, cols)
                offset += batch.num_rows
        except pa.ArrowInvalid as exc:
            raise _arrow_error(raw, h, path, delimiter, exc) from None
        if raw.quotes % 2 and (opened := _open_quote(path, h.encoding, delimiter)) is not None:
            raise _unterminated(path, opened)
    if bad:
        number, expected, actual = bad[0]
        line = f"line {number}" if number is not None else "a row"
        raise InputError(f"file {path}, {line}: expected {expected} fields, found {actual} "
                         f"({len(bad)} malformed rows in all; truncated or broken export?)")


def _parquet(path: Path) -> pq.ParquetFile:
    try:
        return pq.ParquetFile(path)
    except (pa.ArrowException, OSError) as exc:
        raise InputError(f"file {path}: not a readable Parquet file ({type(exc).__name__})") from None


def _scalar(t: pa.DataType) -> bool:
    """Types whose values have one text spelling: strings, numbers, booleans, dates, times, decimals."""
    if pa.types.is_dictionary(t):
        return _scalar(t.value_type)
    return bool(pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_integer(t)
                or pa.types.is_floating(t) or pa.types.is_boolean(t) or pa.types.is_temporal(t)
                or pa.types.is_decimal(t) or pa.types.is_null(t))


def _as_text(path: Path, i: int, total: int, col: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """Column ``i`` (1-based) as text; position and Arrow type only in errors (a column name may be anything,
    a header row of data included)."""
    if not _scalar(col.type):
        raise InputError(f"file {path}, column {i} of {total}: Parquet type {col.type} is not supported "
                         "(lists, structs and maps have no single text value); flatten it")
    try:
        return col if col.type == pa.string() else col.cast(pa.string())
    except pa.ArrowException as exc:
        raise InputError(f"file {path}, column {i} of {total}: type {col.type} cannot be read as text "
                         f"({type(exc).__name__})") from None


def _read_group(pf: pq.ParquetFile, path: Path, group: int) -> pa.Table:
    try:
        return pf.read_row_group(group)  # every column: a broken page anywhere fails the file
    except (pa.ArrowException, OSError) as exc:
        raise InputError(f"file {path}: not a readable Parquet file ({type(exc).__name__})") from None


def parquet_columns(path: Path) -> list[str]:
    """A Parquet file's column names, after the checks (readable, distinct names, every type readable as
    text); a fault of the schema is reported after a broken row group, as a whole-file read would."""
    pf = _parquet(path)
    schema = pf.schema_arrow
    names = list(schema.names)
    try:
        if len(set(names)) != len(names):
            raise InputError(f"file {path}: duplicate column names{header_hint(names)}")
        for i, field in enumerate(schema, start=1):
            _as_text(path, i, len(names), pa.array([], field.type))
    except InputError as exc:
        for group in range(pf.num_row_groups):
            _read_group(pf, path, group)
        raise exc from None
    return names


def parquet_groups(path: Path) -> int:
    return int(_parquet(path).num_row_groups)


def read_parquet_group(path: Path, group: int, columns: list[str] | None = None) -> Batch:
    """Row group ``group`` of a Parquet file as a batch (its offset from the footer: no other group read).
    Every column is read and converted, only ``columns`` kept: a file is refused alike whatever is kept."""
    pf = _parquet(path)
    offset = sum(pf.metadata.row_group(i).num_rows for i in range(group))
    table = _read_group(pf, path, group)
    total = table.num_columns
    cols = {}
    for i, (name, col) in enumerate(zip(table.column_names, table.columns, strict=True), start=1):
        text = _as_text(path, i, total, col.combine_chunks())
        if columns is None or name in columns:
            cols[name] = text
    return Batch(offset, cols)


def iter_parquet(path: Path, columns: list[str] | None = None) -> Iterator[Batch]:
    """Batches of a Parquet file: one per row group, every column as text."""
    parquet_columns(path)
    for group in range(parquet_groups(path)):
        yield read_parquet_group(path, group, columns)


def resolve_format(path: Path, fmt: str) -> str:
    if fmt == "auto":
        return "parquet" if path.suffix.lower() in (".parquet", ".pq") else "csv"
    return fmt


def _found(path: Path) -> Path:
    path = Path(path)
    if not path.is_file():
        raise InputError(f"file {path}: not found")
    return path


def columns_of(path: Path, fmt: str = "auto", encoding: str = "auto", delimiter: str = ",",
               header: bool = True) -> list[str]:
    """The file's column names (the header), checked, without reading the rows."""
    path = _found(path)
    if resolve_format(path, fmt) == "parquet":
        return parquet_columns(path)
    return csv_columns(path, encoding, delimiter, header)


def iter_batches(path: Path, fmt: str = "auto", encoding: str = "auto", delimiter: str = ",",
                 columns: list[str] | None = None, block_size: int | None = None,
                 header: bool = True) -> Iterator[Batch]:
    """Batches of ``path`` (CSV or Parquet, ``fmt`` auto by suffix), only ``columns`` kept (default all).
    ``header=False`` (CSV): the first row is data, the columns are 列1, 列2, …"""
    path = _found(path)
    if resolve_format(path, fmt) == "parquet":
        return iter_parquet(path, columns)
    return iter_csv(path, encoding, delimiter, columns, block_size, header)
