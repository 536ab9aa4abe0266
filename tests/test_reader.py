"""Reading extracts: encodings, broken rows, truncation — errors name file and line, never content."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.errors import InputError
from pipeline.io.reader import read_table

ROWS = "証券番号,氏名,郵便番号\nKZ00000001,山田 太郎,0123456\nKZ00000002,佐藤 花子,\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932"])
def test_encodings_detected(tmp_path: Path, encoding: str) -> None:
    p = tmp_path / "x.csv"
    p.write_bytes(ROWS.encode(encoding))
    df = read_table(p)
    assert list(df.columns) == ["証券番号", "氏名", "郵便番号"]
    assert df["氏名"].tolist() == ["山田 太郎", "佐藤 花子"]
    assert df["郵便番号"].iloc[0] == "0123456"  # text, leading zero kept
    assert df["郵便番号"].isna().iloc[1]


def test_configured_encoding_mismatch_names_line(tmp_path: Path) -> None:
    p = tmp_path / "x.csv"
    p.write_bytes(ROWS.encode("cp932"))
    with pytest.raises(InputError, match=r"line 1: not valid utf-8"):
        read_table(p, encoding="utf-8")


def test_undecodable_file(tmp_path: Path) -> None:
    p = tmp_path / "x.csv"
    p.write_bytes(b"a,b\n1,2\n\xff\xfe\xfa,3\n")
    with pytest.raises(InputError, match="line 3"):
        read_table(p)


def test_short_row_names_line_not_content(tmp_path: Path) -> None:
    p = tmp_path / "x.csv"
    p.write_text("a,b,c\n1,2,3\n山田太郎,5\n6,7,8\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        read_table(p)
    assert "line 3" in str(exc.value) and "expected 3 fields, found 2" in str(exc.value)
    assert "山田" not in str(exc.value)


def test_truncated_file(tmp_path: Path) -> None:
    p = tmp_path / "x.csv"
    full = ROWS.encode("utf-8")
    p.write_bytes(full[: len(full) - 12])
    with pytest.raises(InputError):
        read_table(p)


def test_quoted_newlines_and_commas(tmp_path: Path) -> None:
    p = tmp_path / "x.csv"
    p.write_text('a,memo\n1,"line one\nline, two"\n2,x\n', encoding="utf-8")
    df = read_table(p)
    assert df["memo"].iloc[0] == "line one\nline, two" and len(df) == 2


def test_parquet_and_missing(tmp_path: Path) -> None:
    import pandas as pd

    p = tmp_path / "x.parquet"
    pd.DataFrame({"a": [1, 2], "b": ["x", None]}).to_parquet(p)
    df = read_table(p)
    assert df["a"].tolist() == ["1", "2"]
    with pytest.raises(InputError, match="not found"):
        read_table(tmp_path / "nope.csv")


def test_column_names_of_a_header_longer_than_the_first_block(tmp_path: Path) -> None:
    """``csv_columns`` tries a small block first: a header row longer than it is still read whole (the full
    block), and a short header gives the names the batches are read with."""
    from pipeline.io.batches import HEADER_BYTES, columns_of, iter_batches

    names = [f"列_{i:06d}_" + "あ" * 20 for i in range(HEADER_BYTES // 40)]
    path = tmp_path / "wide.csv"
    path.write_text(",".join(names) + "\n" + ",".join("x" for _ in names) + "\n", encoding="cp932")
    assert len(",".join(names).encode("utf-8")) > HEADER_BYTES
    assert columns_of(path) == names
    assert list(next(iter_batches(path)).columns) == names
    short = tmp_path / "short.csv"
    short.write_text('"a","b ","c"\n1,2,3\n', encoding="utf-8")
    assert columns_of(short) == ["a", "b ", "c"] == list(next(iter_batches(short)).columns)
