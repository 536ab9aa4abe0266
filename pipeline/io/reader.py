"""Read one extract into a pandas DataFrame of strings (nulls for empty cells), strictly.

Why strict: a half-read file silently anonymised is worse than no release. Wrong encodings, rows with the
wrong number of fields (a truncated export) and unterminated quotes are errors naming the file and the
line, never the content. Encoding ``auto`` tries, in order: a UTF-8 BOM, strict UTF-8, strict CP932.
Every column is read as text; typing is the normaliser's job (``pipeline.normalise``).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from pipeline.errors import InputError
from pipeline.io.header import header_hint

_BOM = b"\xef\xbb\xbf"


def _line_of(data: bytes, pos: int) -> int:
    newline = b"\n" if b"\n" in data else b"\r"  # CR-only line ends count too
    return data.count(newline, 0, pos) + 1


def decode(data: bytes, encoding: str, file: Path) -> str:
    """Decode with the configured encoding, or detect it; errors give the line of the first bad byte."""
    if encoding == "auto":
        if data.startswith(_BOM):
            return decode(data, "utf-8-sig", file)
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as utf8_exc:
            try:
                return data.decode("cp932")
            except UnicodeDecodeError:
                line = _line_of(data, utf8_exc.start)
                raise InputError(
                    f"file {file}, line {line}: not valid UTF-8 nor CP932 (encoding auto); "
                    "set the table's encoding in the config or re-export the file"
                ) from None
    codec = {"utf-8": "utf-8", "utf-8-sig": "utf-8-sig", "cp932": "cp932"}[encoding]
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        raise InputError(
            f"file {file}, line {_line_of(data, exc.start)}: not valid {encoding} "
            "(check the table's encoding in the config)"
        ) from None


def read_csv(path: Path, encoding: str = "auto", delimiter: str = ",", header: bool = True) -> pd.DataFrame:
    """``header=False``: the first row is data; columns are named 列1, 列2, …
    (``anonymize scan --no-header``)."""
    data = path.read_bytes()
    text = decode(data, encoding, path)
    if not text.strip():
        raise InputError(f"file {path}: empty file")
    bad: list[tuple[int | None, int, int]] = []

    def on_invalid(row: pacsv.InvalidRow) -> str:
        # Keep the line number and field counts only: row.text is personal data and is never kept.
        bad.append((row.number, row.expected_columns, row.actual_columns))
        return "skip"

    if "\n" not in text and "\r" in text:
        # CR-only line ends (classic Mac OS, some old exporters): Arrow splits on CR too, the header reader
        # must as well.
        text = text.replace("\r", "\n")
    try:
        first = next(csv.reader(io.StringIO(text.split("\n", 1)[0].rstrip("\r")), delimiter=delimiter))
    except csv.Error:
        # csv's messages do not quote the line, but say nothing useful either
        raise InputError(f"file {path}, line 1: the header row cannot be parsed (a NUL byte, or a quote "
                         "left open)") from None
    names = None
    if not header:
        names = first = [f"列{i}" for i in range(1, len(first) + 1)]
    if len(set(first)) != len(first):
        raise InputError(f"file {path}, line 1: duplicate column names in the header{header_hint(first)}")
    types = {name: pa.string() for name in first}
    encoded = text.encode("utf-8")
    del text
    table = _parse(path, encoded, delimiter, on_invalid, types, threads=True, names=names)
    if bad and bad[0][0] is None:
        # Arrow numbers rows only when parsing serially: re-parse (the rare error path) to name the line.
        bad.clear()
        _parse(path, encoded, delimiter, on_invalid, types, threads=False, names=names)
    if bad:
        number, expected, actual = bad[0]
        line = f"line {number}" if number is not None else "a row"
        raise InputError(
            f"file {path}, {line}: expected {expected} fields, found {actual} "
            f"({len(bad)} malformed rows in all; truncated or broken export?)"
        )
    # every column as text: re-read types we did not ask for
    columns = {}
    for name, col in zip(table.column_names, table.columns, strict=True):
        columns[name] = col.cast(pa.string()) if col.type != pa.string() else col
    table = pa.table(columns)
    return table.to_pandas(types_mapper=lambda t: pd.StringDtype("pyarrow") if t == pa.string() else None)


def _parse(path: Path, encoded: bytes, delimiter: str, on_invalid, types: dict, threads: bool,
           names: list[str] | None = None) -> pa.Table:
    try:
        return pacsv.read_csv(
            io.BytesIO(encoded),
            read_options=pacsv.ReadOptions(use_threads=threads, block_size=1 << 24, column_names=names),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True,
                                             invalid_row_handler=on_invalid),
            convert_options=pacsv.ConvertOptions(
                column_types=types, strings_can_be_null=True, quoted_strings_can_be_null=True,
                auto_dict_encode=False, null_values=[""], check_utf8=False,
                timestamp_parsers=[],
            ),
        )
    except pa.ArrowInvalid as exc:
        # Arrow messages can quote row content: never forward them.
        msg = str(exc)
        kind = "unterminated quoted field (truncated file?)" if "quote" in msg.lower() else "malformed CSV"
        raise InputError(f"file {path}: {kind}; the file could not be parsed") from None


def _scalar(t: pa.DataType) -> bool:
    """Types whose values have one text spelling: strings, numbers, booleans, dates, times, decimals."""
    if pa.types.is_dictionary(t):
        return _scalar(t.value_type)
    return bool(pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_integer(t)
                or pa.types.is_floating(t) or pa.types.is_boolean(t) or pa.types.is_temporal(t)
                or pa.types.is_decimal(t) or pa.types.is_null(t))


def read_parquet(path: Path) -> pd.DataFrame:
    try:
        table = pq.read_table(path)
    except (pa.ArrowException, OSError) as exc:
        raise InputError(f"file {path}: not a readable Parquet file ({type(exc).__name__})") from None
    if len(set(table.column_names)) != len(table.column_names):
        raise InputError(f"file {path}: duplicate column names{header_hint(table.column_names)}")
    columns = {}
    for i, (name, col) in enumerate(zip(table.column_names, table.columns, strict=True), start=1):
        if not _scalar(col.type):
            # position and Arrow type only: a column name may be anything, a header row of data included
            raise InputError(f"file {path}, column {i} of {table.num_columns}: Parquet type {col.type} is "
                             "not supported (lists, structs and maps have no single text value); flatten it")
        try:
            columns[name] = col if col.type == pa.string() else col.cast(pa.string())
        except pa.ArrowException as exc:
            raise InputError(f"file {path}, column {i} of {table.num_columns}: type {col.type} cannot be "
                             f"read as text ({type(exc).__name__})") from None
    return pa.table(columns).to_pandas(
        types_mapper=lambda t: pd.StringDtype("pyarrow") if t == pa.string() else None
    )


def read_table(path: Path, fmt: str = "auto", encoding: str = "auto", delimiter: str = ",",
               header: bool = True) -> pd.DataFrame:
    """Read ``path`` as text columns; ``fmt`` auto picks by suffix (.parquet/.pq, else CSV)."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"file {path}: not found")
    if fmt == "auto":
        fmt = "parquet" if path.suffix.lower() in (".parquet", ".pq") else "csv"
    if fmt == "parquet":
        frame = read_parquet(path)
        if not header:  # Parquet always has names; positional ones keep them out of the output
            frame.columns = [f"列{i}" for i in range(1, frame.shape[1] + 1)]
        return frame
    return read_csv(path, encoding, delimiter, header)
