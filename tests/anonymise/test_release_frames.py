"""The streamed run's released tables in memory and on disk: read back with the labels as categoricals
(``streamed_release._read_back``, through ``pipeline.release.compact.read_compact``), written slice by slice
with categoricals as their values (``manifest._write_parquet``). The file must not depend on either: same
schema, metadata and rows as ``pq.write_table`` of the frame as text."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import pipeline.release.manifest as manifest
from pipeline.anonymise.streamed_release import _read_back
from pipeline.config import load_config
from pipeline.resources import project_dir

CONFIG = project_dir("configs") / "demo.yaml"


def _claims(n: int, rng: np.random.Generator) -> pd.DataFrame:
    return pd.DataFrame({
        "請求キー": pd.Series([f"C{i:07d}" for i in range(n)], dtype="string[pyarrow]"),
        "契約キー": pd.Series(rng.choice([f"K{i:05d}" for i in range(n // 3 + 1)], n),
                          dtype="string[pyarrow]"),
        "請求日": pd.Series(rng.choice(["2024-01", "2024-02", None], n), dtype="string[pyarrow]"),
        "傷病分類": pd.Series(rng.choice(["ｚ疾患", "A群", "循環器", None], n), dtype="string[pyarrow]"),
        "入院日数": pd.Series(rng.choice(["0-27", "28-55"], n), dtype="string[pyarrow]"),
        "支払額": pd.Series(rng.integers(0, 10**6, n), dtype="Int64").mask(rng.random(n) < 0.1),
    })


def test_read_back_holds_labels_as_sorted_categoricals_and_writes_the_same_file(tmp_path: Path,
                                                                                 monkeypatch) -> None:
    config = load_config(CONFIG)
    spec = config.table("claims")
    assert [c.output_name for c in spec.kept_columns] == list(_claims(3, np.random.default_rng(0)).columns)
    rng = np.random.default_rng(3)
    text = _claims(5000, rng)
    plain = tmp_path / "plain.parquet"
    # row groups of 700 rows: each with its own Parquet dictionary, read as chunks of differing dictionaries
    pq.write_table(pa.Table.from_pandas(text, preserve_index=False), plain, compression="zstd",
                   row_group_size=700)

    held = _read_back(config, "claims", plain)
    for name in ("請求日", "傷病分類", "入院日数"):
        assert isinstance(held[name].dtype, pd.CategoricalDtype)
        categories = held[name].cat.categories
        assert str(categories.dtype) == "string" and list(categories) == sorted(categories)
        pd.testing.assert_series_equal(held[name].astype("string[pyarrow]"), text[name])
    for name in ("請求キー", "契約キー"):  # distinct per row: Arrow strings, not categories
        assert str(held[name].dtype) == "string"
    assert str(held["支払額"].dtype) == "Int64"

    monkeypatch.setattr(manifest, "WRITE_ROWS", 700)  # several slices
    advanced: list[int] = []
    again = tmp_path / "again.parquet"
    manifest._write_parquet(held, again, advanced.append)
    assert sum(advanced) == len(text) and len(advanced) == 8
    a, b = pq.read_table(plain), pq.read_table(again)
    assert b.schema.equals(a.schema, check_metadata=True)
    assert b.equals(a)


def test_a_column_without_values_in_the_first_slice_is_typed_by_the_whole_frame(tmp_path: Path,
                                                                                 monkeypatch) -> None:
    frame = pd.DataFrame({"x": [None] * 10 + ["a", "b"], "n": np.arange(12)}, dtype=object)
    monkeypatch.setattr(manifest, "WRITE_ROWS", 4)
    out = tmp_path / "x.parquet"
    manifest._write_parquet(frame, out, lambda n: None)
    assert pq.read_schema(out).field("x").type == pa.string()
    assert pq.read_table(out).column("x").to_pylist()[-2:] == ["a", "b"]


@pytest.mark.parametrize("rows", [0, 1])
def test_tiny_frames_are_written(tmp_path: Path, rows: int) -> None:
    labels = pd.CategoricalDtype(pd.Index(["a"], dtype="string[pyarrow]"))  # as the read-back holds them
    frame = pd.DataFrame({"x": pd.Series(["a"] * rows, dtype=labels)})
    out = tmp_path / "t.parquet"
    manifest._write_parquet(frame, out, lambda n: None)
    assert pq.read_table(out).num_rows == rows
    assert pq.read_schema(out).field("x").type in (pa.string(), pa.large_string())
