"""``pipeline.validation.classes``: the release-only recount of k persons per class finds a small class on a
table and on a joined view, labels at mixed levels count as different values, and it names no value."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from pipeline.release.manifest import Manifest, TableEntry
from pipeline.validation.classes import check_classes


def _release(tmp_path: Path, ph: pd.DataFrame, cl: pd.DataFrame, k: int) -> tuple[Path, Manifest]:
    (tmp_path / "data").mkdir()
    ph.to_parquet(tmp_path / "data" / "ph.parquet")
    cl.to_parquet(tmp_path / "data" / "cl.parquet")
    manifest = Manifest(release_id="r", tables={
        "ph": TableEntry(rows=len(ph), k=k, file="data/ph.parquet", quasi_identifiers=("age", "area"),
                         person_key="key"),
        "cl": TableEntry(rows=len(cl), k=k, file="data/cl.parquet", quasi_identifiers=("month",),
                         person_key="key", linked_quasi_identifiers={"ph.age": 1, "ph.area": 1}),
    })
    return tmp_path, manifest


def test_passes_when_every_class_holds_k_persons(tmp_path: Path) -> None:
    ph = pd.DataFrame({"key": list("abcd"), "age": ["40-49"] * 4, "area": ["関東"] * 4})
    cl = pd.DataFrame({"key": list("aabcd"), "month": ["2025"] * 5})
    assert check_classes(*_release(tmp_path, ph, cl, k=4)) == []


def test_mixed_levels_are_different_classes(tmp_path: Path) -> None:
    # 40-44 is inside 40-49, but a released label is its own class (ARX's semantics): 2 + 2 persons
    ages = ["40-49", "40-49", "40-44", "40-44"]
    ph = pd.DataFrame({"key": list("abcd"), "age": ages, "area": ["関東"] * 4})
    cl = pd.DataFrame({"key": list("abcd"), "month": ["2025"] * 4})
    problems = check_classes(*_release(tmp_path, ph, cl, k=3))
    assert any(p.startswith("table ph:") and "holds 2 persons" in p for p in problems)
    assert not any("40-4" in p for p in problems)  # names columns, never values


def test_joined_view_counts_persons_not_rows(tmp_path: Path) -> None:
    ph = pd.DataFrame({"key": list("abcdef"), "age": ["40-49"] * 3 + ["50-59"] * 3, "area": ["関東"] * 6})
    # claims: person a three times (40-49), d, e, f once (50-59); the claims table alone holds 4 persons
    cl = pd.DataFrame({"key": ["a", "a", "a", "d", "e", "f"], "month": ["2025"] * 6})
    problems = check_classes(*_release(tmp_path, ph, cl, k=3))
    assert problems == ["table cl, joined view (month, ph.age, ph.area): a class holds 1 persons, "
                        "fewer than k = 3"]
