"""Batch-wise reading and normalising (pipeline.io.batches, pipeline.stream.read): the hardened reader's
messages, whatever the batch and decode-chunk sizes; the same values as a whole column; a bad cell in a late
batch names its row, not its value."""

from __future__ import annotations

import csv
import dataclasses
import io
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import pipeline.io.batches as batches
from pipeline.config import load_config
from pipeline.errors import InputError
from pipeline.io.batches import iter_batches
from pipeline.io.reader import read_table
from pipeline.normalise import normalise_column
from pipeline.stream.columns import kept_for_processing
from pipeline.stream.read import read_normalised
from tests.conftest import DEMO_CONFIG, anonymize


def read_all(path: Path, **kw) -> pd.DataFrame:
    parts = [pa.table(b.columns).to_pandas() for b in iter_batches(path, block_size=1 << 10, **kw)]
    return pd.concat(parts, ignore_index=True)


def _csv(n: int = 200, newline: str = "\n") -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator=newline).writerows(
        [["証券番号", "氏名", "生年月日"], *([f"KZ{i:08d}", "山田 太郎", "1971-07-23"] for i in range(n))])
    return buf.getvalue()


#: (file bytes, reader arguments, the message after ``file PATH``): the messages of main's hardened whole-file
#: reader (pipeline/io/reader.py before the merge), checked against it case by case, but for one fix: with a
#: BOM under ``auto`` it counted lines from the byte after the BOM, so a bad byte in a line's first three
#: bytes was put on the line before (151 here)
_UNTERMINATED = (", line {}: unterminated quoted field: the quote opened on this line is never closed "
                 "(truncated file?)")
MESSAGES: dict[str, tuple[bytes, dict[str, str], str]] = {
    "configured encoding": (_csv().encode("cp932"), {"encoding": "utf-8"},
                            ", line 1: not valid utf-8 (check the table's encoding in the config)"),
    "auto, neither": (_csv().encode("cp932").replace(b"KZ00000150", b"KZ\x81\x20", 1), {},
                      ", line 1: not valid UTF-8 nor CP932 (encoding auto); set the table's encoding in the "
                      "config or re-export the file"),
    "late bad byte": (_csv().encode().replace(b"KZ00000150", b"KZ\xff", 1), {"encoding": "utf-8"},
                      ", line 152: not valid utf-8 (check the table's encoding in the config)"),
    "BOM then a bad byte": (b"\xef\xbb\xbf" + _csv().encode().replace(b"KZ00000150", b"KZ\xff", 1), {},
                            ", line 152: not valid utf-8-sig (check the table's encoding in the config)"),
    "CR-only, a bad byte": (_csv(newline="\r").encode().replace(b"KZ00000150", b"KZ\xff", 1),
                            {"encoding": "utf-8"},
                            ", line 152: not valid utf-8 (check the table's encoding in the config)"),
    "a bad byte after a broken header": (_csv().replace("氏名", "証券番号", 1).encode() + b"\xff\n",
                                         {"encoding": "utf-8"},
                                         ", line 202: not valid utf-8 (check the table's encoding in the "
                                         "config)"),
    "a bad byte after an open quote": ((_csv() + '"KZ1,山田\nx,y\n').encode() + b"\xff\n",
                                       {"encoding": "utf-8"},
                                       ", line 204: not valid utf-8 (check the table's encoding in the "
                                       "config)"),
    "short row": (_csv().replace("KZ00000150,山田 太郎,", "KZ00000150,", 1).encode(), {},
                  ", line 152: expected 3 fields, found 2 (1 malformed rows in all; truncated or broken "
                  "export?)"),
    "quote open at the end": ((_csv() + '"KZ1,山田').encode(), {}, _UNTERMINATED.format(202)),
    "last field cut after its quote": ((_csv() + 'KZ1,山田,"1971').encode(), {}, _UNTERMINATED.format(202)),
    "empty": (b"", {}, ": empty file"),
    "blank": (b"\n\n  \n", {}, ": empty file"),
    "header open quote": (_csv().replace("氏名", '"氏名', 1).encode(), {}, _UNTERMINATED.format(1)),
    "header with a stray CR": (_csv().replace("氏名", "氏\r名", 1).encode(), {},
                               ", line 1: the header row cannot be parsed (a NUL byte, or a quote left "
                               "open)"),
    "duplicate names": (_csv().replace("氏名", "証券番号", 1).encode(), {},
                        ", line 1: duplicate column names in the header"),
    "duplicate, data-like": (("KZ31415926,KZ31415926,1971-07-23\n" + _csv()).encode(), {},
                             ", line 1: duplicate column names in the header; 3 of the 3 column names look "
                             "like values (dates, numbers, e-mail addresses): is the header row missing?"),
}


@pytest.mark.parametrize("chunk", [7, 1000, 1 << 22])
@pytest.mark.parametrize("name", list(MESSAGES))
def test_errors_are_the_hardened_readers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str,
                                         chunk: int) -> None:
    """Whatever the decode chunk (a character or a line split across two) and the batch size, batches and
    the whole file fail with one message: the one main's whole-file reader gave."""
    data, kw, message = MESSAGES[name]
    monkeypatch.setattr(batches, "_CHUNK", chunk)
    p = tmp_path / "x.csv"
    p.write_bytes(data)
    with pytest.raises(InputError) as batched:
        read_all(p, **kw)
    with pytest.raises(InputError) as whole:
        read_table(p, **kw)
    assert str(batched.value) == str(whole.value) == f"file {p}{message}"
    assert "山田" not in str(batched.value)


@pytest.mark.parametrize("chunk", [7, 1 << 22])
def test_cr_only_and_quoted_newlines_read_as_lf(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                chunk: int) -> None:
    monkeypatch.setattr(batches, "_CHUNK", chunk)
    lf, cr = tmp_path / "lf.csv", tmp_path / "cr.csv"
    lf.write_text(_csv(), encoding="cp932")
    cr.write_text(_csv(newline="\r"), encoding="cp932")
    pd.testing.assert_frame_equal(read_all(lf), read_all(cr))
    assert len(read_all(cr)) == 200
    q = tmp_path / "q.csv"
    q.write_text('a,memo\r1,"one\rtwo"\r', encoding="utf-8")  # CR-only: a CR in a quoted value is LF too
    assert read_table(q)["memo"].tolist() == ["one\ntwo"]


def test_a_row_longer_than_a_decode_chunk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Arrow takes each read as one block: a short read would refuse a row that straddles two."""
    monkeypatch.setattr(batches, "_CHUNK", 1000)
    p = tmp_path / "x.csv"
    p.write_text("a,memo\n1," + "x" * 300_000 + "\n2,y\n", encoding="utf-8")
    assert read_table(p)["memo"].str.len().tolist() == [300_000, 1]


def test_parquet_checks(tmp_path: Path) -> None:
    n = 20
    ok = pa.table({"a": pa.array([f"KZ{i}" for i in range(n)]), "b": pa.array(range(n))})
    pq.write_table(ok, good := tmp_path / "ok.parquet", row_group_size=3)
    whole = read_table(good)
    assert whole["b"].tolist() == [str(i) for i in range(n)] and str(whole["b"].dtype) == "string"
    assert [b.offset for b in iter_batches(good, columns=["b"])] == list(range(0, n, 3))
    nested = ok.append_column("c", pa.array([[i] for i in range(n)]))
    pq.write_table(nested, bad := tmp_path / "nested.parquet", row_group_size=3)
    for read in (read_table, lambda p: list(iter_batches(p, columns=["a"]))):
        with pytest.raises(InputError, match=r"column 3 of 3: Parquet type list<element: int64> is not supp"):
            read(bad)
    broken = bytearray(good.read_bytes())
    broken[10:60] = b"\xff" * 50  # a page of column a: refused even when only b is kept
    (corrupt := tmp_path / "corrupt.parquet").write_bytes(bytes(broken))
    with pytest.raises(InputError, match=r"not a readable Parquet file \(OSError\)"):
        list(iter_batches(corrupt, columns=["b"]))


def test_late_bad_byte_and_short_row_name_their_line(tmp_path: Path) -> None:
    body = "".join(f"KZ{i:08d},山田 太郎,0123456\n" for i in range(20_000))
    p = tmp_path / "late.csv"
    p.write_bytes(("証券番号,氏名,郵便番号\n" + body).encode("cp932") + b"KZ1,\x81\x20x,1\n")
    with pytest.raises(InputError, match=r"line 20002: not valid cp932"):
        read_all(p, encoding="cp932")
    with pytest.raises(InputError, match=r"line 1: not valid UTF-8 nor CP932"):  # the first non-UTF-8 line
        read_all(p)
    p.write_bytes(("証券番号,氏名,郵便番号\n" + body + "KZ1,山田\n" + body[:300]).encode("cp932"))
    with pytest.raises(InputError, match=r"line 20002: expected 3 fields, found 2 \(1 malformed rows in all"):
        read_all(p)


def test_quoted_newlines_across_batches(tmp_path: Path) -> None:
    p = tmp_path / "x.csv"
    rows = "".join(f'{i},"line one\nline, two {i}"\n' for i in range(5000))
    p.write_text("a,memo\n" + rows, encoding="utf-8")
    df = read_all(p)
    assert len(df) == 5000 and df["memo"].iloc[4999] == "line one\nline, two 4999"


def test_batched_normalise_equals_whole_column(extract_cp932: dict[str, Path]) -> None:
    """Every kept column of both demo tables, 4 KiB batches: values and dtypes equal normalise_column's."""
    config = load_config(DEMO_CONFIG)
    for spec in config.tables:
        path = extract_cp932[spec.name]
        raw = read_table(path, spec.format, spec.encoding, spec.delimiter)
        got = read_normalised(spec, path, block_size=1 << 12)
        assert got.rows == len(raw)
        for col in kept_for_processing(spec):
            want, _ = normalise_column(raw[col.name], col.type, col.on_invalid, spec.name, path)
            series, _ = got.column(col.name)
            assert series.dtype == want.dtype, col.name
            pd.testing.assert_series_equal(series, want, check_names=False, obj=col.name)


def _corrupt(src: Path, dst: Path, row: int, column: str, value: str) -> None:
    df = read_table(src)
    df.loc[row - 1, column] = value
    df.to_csv(dst, index=False, encoding="cp932")


def test_invalid_value_in_a_late_batch_is_the_whole_columns_error(extract_cp932: dict[str, Path],
                                                                 tmp_path: Path) -> None:
    config = load_config(DEMO_CONFIG)
    spec = next(t for t in config.tables if t.name == "policyholders")
    bad = tmp_path / "policyholders.csv"
    _corrupt(extract_cp932["policyholders"], bad, 2950, "生年月日", "2020年13月45日")
    raw = read_table(bad)
    with pytest.raises(InputError) as whole:
        normalise_column(raw["生年月日"], "date", "error", spec.name, bad)
    with pytest.raises(InputError) as batched:
        read_normalised(spec, bad, block_size=1 << 12).column("生年月日")
    assert str(batched.value) == str(whole.value)
    assert "row 2950" in str(batched.value) and "column 生年月日" in str(batched.value)
    assert "(a calendar day from 1800 to 2199" in str(batched.value)  # main's value-range hint
    nulled = dataclasses.replace(spec, columns=tuple(
        dataclasses.replace(c, on_invalid="null") if c.name == "生年月日" else c for c in spec.columns))
    assert read_normalised(nulled, bad, block_size=1 << 12).column("生年月日")[1] == 1


def test_control_characters_counted_over_every_batch(extract_cp932: dict[str, Path], tmp_path: Path) -> None:
    """The first row holding one (in a late batch) and every such cell of the column, also under
    ``on_invalid: null``; the code point, never the value."""
    config = load_config(DEMO_CONFIG)
    spec = next(t for t in config.tables if t.name == "policyholders")
    df = read_table(extract_cp932["policyholders"])
    col = next(c.name for c in spec.columns if c.role == "attribute" and c.type == "string")
    for row, char in ((2500, "\x1b"), (2990, "\x00"), (3000, "\x7f")):
        df.loc[row - 1, col] = f"{df.loc[row - 1, col]}{char}x"
    df.to_csv(bad := tmp_path / "policyholders.csv", index=False, encoding="cp932")
    nulled = dataclasses.replace(spec, columns=tuple(
        dataclasses.replace(c, on_invalid="null") if c.name == col else c for c in spec.columns))
    for s in (spec, nulled):
        with pytest.raises(InputError) as exc:
            read_normalised(s, bad, block_size=1 << 12).column(col)
        assert str(exc.value) == (f"table policyholders, file {bad}, row 2500, column {col}: control "
                                  "character U+001B in a value (3 such cells in this column); re-export the "
                                  "file")


def test_cli_late_bad_row_leaves_nothing(extract_cp932: dict[str, Path], tmp_path: Path) -> None:
    bad = tmp_path / "policyholders.csv"
    _corrupt(extract_cp932["policyholders"], bad, 2990, "保険料", "たくさん")
    out = tmp_path / "release"
    proc = anonymize("run", str(DEMO_CONFIG), "--out", str(out), f"--input=policyholders={bad}",
                     f"--input=claims={extract_cp932['claims']}", "--register", str(tmp_path / "reg.jsonl"))
    assert proc.returncode == 4, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "row 2990, column 保険料: not a valid amount (yen below 10^15)" in lines[0]
    assert "たくさん" not in proc.stderr
    assert not out.exists() and not any(p.name.startswith(".") for p in tmp_path.iterdir())
