"""Catalogue: extracts whose shape or encoding is broken (issue 11 points 2 and 6).

A CSV without its header row must not print its first record as column names, in ``run`` or in ``scan``;
every broken file is one line naming the file (and line or column position), never its content.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipeline.io import read_table
from tests.hostile.conftest import (
    HEADER,
    PERSONAL,
    Case,
    Result,
    assert_failed_cleanly,
    assert_one_line,
    digest,
    leaked,
    rows,
    write_csv,
)


def test_headerless_csv_run_names_positions_and_suspects_the_header(case: Case,
                                                                    cli: Callable[..., Result]) -> None:
    write_csv(case.csv, header=None)
    line = assert_failed_cleanly(cli(*case.run_args()), 3, case, digest(case.register))
    assert "11 column(s) not classified" in line and "columns 1, 2, 3" in line and "of 11" in line
    assert "is the header row missing?" in line


def test_one_misnamed_column_is_named_by_position_with_the_config_hint(case: Case,
                                                                       cli: Callable[..., Result]) -> None:
    header = [*HEADER]
    header[HEADER.index("生年月日")] = "生年月曰"  # a typo in the export's header
    write_csv(case.csv, header=header)
    line = assert_failed_cleanly(cli(*case.run_args()), 3, case, digest(case.register))
    assert "1 column(s) not classified" in line and "column 4 of 11" in line
    assert "close to '生年月日'" in line and "header row missing" not in line


def test_headerless_csv_scan_refuses_then_scans_by_position(tmp_path: Path,
                                                            cli: Callable[..., Result]) -> None:
    csv = write_csv(tmp_path / "x.csv", header=None)
    assert_one_line(refused := cli("scan", str(csv), "--no-ner"), 4)
    assert "--no-header" in refused.err and not leaked([refused.out, refused.err])
    ok = cli("scan", str(csv), "--no-ner", "--no-header")
    assert ok.code == 0, ok.err
    assert "列1" in ok.out and "列11" in ok.out and not leaked([ok.out, ok.err])
    assert ok.out.splitlines()[0].split()[:3] == ["列1", "60", "filled"]  # the first record is data, not lost


def test_headerless_parquet_run(case: Case, cli: Callable[..., Result]) -> None:
    first, *rest = rows()
    pq.write_table(pa.table({name: [r[i] for r in rest] for i, name in enumerate(first)}),
                   case.csv.with_suffix(".parquet"))
    args = [a.replace(".csv", ".parquet") for a in case.run_args()]
    line = assert_failed_cleanly(cli(*args), 3, case, digest(case.register))
    assert "is the header row missing?" in line


@pytest.mark.parametrize("kind", ["list", "struct", "map"])
def test_nested_parquet_column(case: Case, cli: Callable[..., Result], kind: str) -> None:
    data = rows()
    table = pa.table({name: [r[i] for r in data] for i, name in enumerate(HEADER)})
    nested = {"list": pa.array([[r[1], r[2]] for r in data]),
              "struct": pa.array([{"a": r[1]} for r in data]),
              "map": pa.array([[("k", r[1])] for r in data], type=pa.map_(pa.string(), pa.string()))}[kind]
    table = table.set_column(1, "氏名", nested)
    path = case.csv.with_suffix(".parquet")
    pq.write_table(table, path)
    args = [a.replace(".csv", ".parquet") for a in case.run_args()]
    line = assert_failed_cleanly(cli(*args), 4, case, digest(case.register))
    assert "column 2 of 11" in line and "not supported" in line


def test_cr_only_line_endings_read_like_lf(tmp_path: Path) -> None:
    lf = read_table(write_csv(tmp_path / "lf.csv"))
    cr = read_table(write_csv(tmp_path / "cr.csv", newline="\r"))
    pd.testing.assert_frame_equal(lf, cr)
    assert len(cr) == 60


def test_cr_only_file_with_a_bad_row_names_the_row(case: Case, cli: Callable[..., Result]) -> None:
    data = rows()
    data[2][HEADER.index("生年月日")] = "1000-01-01"
    write_csv(case.csv, data=data, newline="\r")
    line = assert_failed_cleanly(cli(*case.run_args()), 4, case, digest(case.register))
    assert "row 3, column 生年月日" in line


#: (case id, bytes of the file, exit code, words)
BROKEN_FILES: list[tuple[str, Callable[[], bytes], int, tuple[str, ...]]] = [
    ("UTF-16", lambda: _text().encode("utf-16"), 4, ("not valid UTF-8 nor CP932",)),
    ("Latin-1 bytes", lambda: _text().encode("utf-8").replace("花".encode(), b"\xe9\xff"), 4,
     ("line 2", "not valid UTF-8 nor CP932")),
    ("CR-only line ends and a bad byte", lambda: _text().replace("\n", "\r").encode("utf-8")
     .replace("花".encode(), b"\xe9\xff"), 4, ("line 2", "not valid UTF-8 nor CP932")),
    ("unterminated quote", lambda: (_text() + '"KZ1,' + PERSONAL["name"]).encode(), 4,
     ("line 62", "unterminated quoted field")),
    # a truncated export: the last field cut after its opening quote (Arrow would read it as complete)
    ("quote open in the last field", lambda: _open_last_field(60).encode(), 4,
     ("line 61", "unterminated quoted field")),
    # a stray opening quote in a last field mid-file: every later row would vanish into that one field
    ("quote open mid-file", lambda: _open_last_field(30).encode(), 4,
     ("line 31", "unterminated quoted field")),
    ("ragged row", lambda: _text().replace(PERSONAL["phone"], PERSONAL["phone"] + ",x", 1).encode(), 4,
     ("line 2", "expected 11 fields, found 12")),
    ("empty file", lambda: b"", 4, ("empty file",)),
    ("only whitespace", lambda: b"\n\n  \n", 4, ("empty file",)),
    ("duplicate header names", lambda: _text().replace("カナ", "氏名", 1).encode(), 4,
     ("duplicate column names",)),
    ("NUL in the header", lambda: _text().replace("カナ", "カ\x00ナ", 1).encode(), 3, ("column 3 of 11",)),
    ("mixed encodings", lambda: _text().encode("utf-8") + "追記,田中".encode("cp932"), 4, ("not valid",)),
]


def _open_last_field(row: int) -> str:
    """The file with data row ``row``'s last field opened by a quote that is never closed."""
    lines = _text().split("\n")
    head, last = lines[row].rsplit(",", 1)
    lines[row] = f'{head},"{last}'
    return "\n".join(lines)


def _text() -> str:
    import csv
    import io

    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows([HEADER, *rows()])
    return buf.getvalue()


@pytest.mark.parametrize(("make", "code", "words"), [b[1:] for b in BROKEN_FILES],
                         ids=[b[0] for b in BROKEN_FILES])
def test_broken_file(case: Case, cli: Callable[..., Result], make: Callable[[], bytes], code: int,
                     words: tuple[str, ...]) -> None:
    case.csv.write_bytes(make())
    line = assert_failed_cleanly(cli(*case.run_args()), code, case, digest(case.register))
    said = line.replace(str(case.csv), "<input>")  # the words must be the message's, not the path's
    for w in words:
        assert w in said, line


@pytest.mark.parametrize("what", ["missing", "directory"])
def test_input_path_not_a_file(case: Case, cli: Callable[..., Result], what: str) -> None:
    case.csv.unlink()
    if what == "directory":
        case.csv.mkdir()
    line = assert_failed_cleanly(cli(*case.run_args()), 4, case, digest(case.register))
    assert "not found" in line


def test_scan_refuses_one_header_name_holding_personal_data(tmp_path: Path,
                                                            cli: Callable[..., Result]) -> None:
    """Four columns, the header a record (name, kana, prefecture, phone): one value-like name of four is too
    few for the header heuristic, but a phone number is never a column name."""
    header = [PERSONAL["name"], PERSONAL["kana"], "奈良県", PERSONAL["phone"]]
    data = [["試験 一郎", "シケン", "東京都", "03-1111-2222"], ["試験 二郎", "シケン", "大阪府", ""]]
    csv = write_csv(tmp_path / "four.csv", header=header, data=data)
    line = assert_one_line(result := cli("scan", str(csv), "--no-ner"), 4)
    assert "column 4 of 4" in line and "--no-header" in line and not leaked([result.out, result.err])
    assert cli("scan", str(write_csv(tmp_path / "good.csv")), "--no-ner").code == 0  # a real header passes
