"""Batch-wise reading and normalising (pipeline.io.batches, pipeline.stream.read): the same values and the
same
errors as the whole-file path, whatever the batch size; a bad cell in a late batch names its row, not its
value."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

from pipeline.config import load_config
from pipeline.errors import InputError
from pipeline.io.batches import iter_batches
from pipeline.io.reader import read_table
from pipeline.normalise import normalise_column
from pipeline.stream.read import kept_for_processing, read_normalised
from tests.conftest import DEMO_CONFIG, anonymize

ROWS = "証券番号,氏名,郵便番号\nKZ00000001,山田 太郎,0123456\nKZ00000002,佐藤 花子,\n"


def read_all(path: Path, **kw) -> pd.DataFrame:
    parts = [pa.table(b.columns).to_pandas() for b in iter_batches(path, block_size=1 << 10, **kw)]
    return pd.concat(parts, ignore_index=True)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932"])
def test_encodings_detected(tmp_path: Path, encoding: str) -> None:
    p = tmp_path / "x.csv"
    p.write_bytes(ROWS.encode(encoding))
    df = read_all(p)
    assert list(df.columns) == ["証券番号", "氏名", "郵便番号"]
    assert df["氏名"].tolist() == ["山田 太郎", "佐藤 花子"]
    assert df["郵便番号"].iloc[0] == "0123456" and pd.isna(df["郵便番号"].iloc[1])


def test_errors_are_the_whole_file_readers(tmp_path: Path) -> None:
    cases = {
        "enc": (ROWS.encode("cp932"), {"encoding": "utf-8"}),
        "undecodable": (b"a,b\n1,2\n\xff\xfe\xfa,3\n", {}),
        "short": ("a,b,c\n1,2,3\n山田太郎,5\n6,7,8\n".encode(), {}),
        "dup": (b"a,a\n1,2\n", {}),
        "empty": (b"", {}),
    }
    for name, (data, kw) in cases.items():
        p = tmp_path / f"{name}.csv"
        p.write_bytes(data)
        with pytest.raises(InputError) as whole:
            read_table(p, **kw)
        with pytest.raises(InputError) as batched:
            read_all(p, **kw)
        assert str(batched.value) == str(whole.value), name
        assert "山田" not in str(batched.value)


def test_late_bad_byte_and_short_row_name_their_line(tmp_path: Path) -> None:
    body = "".join(f"KZ{i:08d},山田 太郎,0123456\n" for i in range(20_000))
    p = tmp_path / "late.csv"
    p.write_bytes(("証券番号,氏名,郵便番号\n" + body).encode("cp932") + b"KZ1,\x81\x20x,1\n")
    with pytest.raises(InputError, match=r"line 20002: not valid cp932"):
        read_all(p, encoding="cp932")
    with pytest.raises(InputError, match=r"line 1: not valid UTF-8 nor CP932"):  # as read_table: the header
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
    """Every kept column of both demo tables, 1 KiB batches: values and dtypes equal normalise_column's."""
    config = load_config(DEMO_CONFIG)
    for spec in config.tables:
        path = extract_cp932[spec.name]
        raw = read_table(path, spec.format, spec.encoding, spec.delimiter)
        got = read_normalised(spec, path, block_size=1 << 12)
        assert got.rows == len(raw)
        for col in kept_for_processing(spec):
            want, _ = normalise_column(raw[col.name], col.type, col.on_invalid, spec.name, path)
            assert got.values[col.name].dtype == want.dtype, col.name
            pd.testing.assert_series_equal(got.values[col.name], want, check_names=False, obj=col.name)


def _corrupt(src: Path, dst: Path, row: int, column: str, value: str) -> None:
    df = read_table(src)
    df.loc[row - 1, column] = value
    df.to_csv(dst, index=False, encoding="cp932")


def test_invalid_value_in_a_late_batch_is_todays_error(extract_cp932: dict[str, Path],
                                                        tmp_path: Path) -> None:
    config = load_config(DEMO_CONFIG)
    spec = next(t for t in config.tables if t.name == "policyholders")
    bad = tmp_path / "policyholders.csv"
    _corrupt(extract_cp932["policyholders"], bad, 2950, "生年月日", "2020年13月45日")
    raw = read_table(bad)
    with pytest.raises(InputError) as whole:
        normalise_column(raw["生年月日"], "date", "error", spec.name, bad)
    with pytest.raises(InputError) as batched:
        read_normalised(spec, bad, block_size=1 << 12)
    assert str(batched.value) == str(whole.value)
    assert "row 2950" in str(batched.value) and "column 生年月日" in str(batched.value)
    nulled = dataclasses.replace(spec, columns=tuple(
        dataclasses.replace(c, on_invalid="null") if c.name == "生年月日" else c for c in spec.columns))
    assert read_normalised(nulled, bad, block_size=1 << 12).invalid_nulled == {"年齢": 1}


def test_cli_late_bad_row_leaves_nothing(extract_cp932: dict[str, Path], tmp_path: Path) -> None:
    bad = tmp_path / "policyholders.csv"
    _corrupt(extract_cp932["policyholders"], bad, 2990, "保険料", "たくさん")
    out = tmp_path / "release"
    proc = anonymize("run", str(DEMO_CONFIG), "--out", str(out), f"--input=policyholders={bad}",
                     f"--input=claims={extract_cp932['claims']}", "--register", str(tmp_path / "reg.jsonl"))
    assert proc.returncode == 4, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "row 2990, column 保険料: not a valid amount" in lines[0]
    assert "たくさん" not in proc.stderr
    assert not out.exists() and not any(p.name.startswith(".") for p in tmp_path.iterdir())
