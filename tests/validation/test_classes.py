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



def test_joined_view_with_null_and_absent_persons_counts_as_the_map_did(tmp_path: Path) -> None:
    """The lean re-check (only the class columns, Arrow text, a merge for the joined view) finds the
    smallest class a value-by-value map finds: persons absent from the source are ``*``, a null person key
    meets the source's null key, the first row of a person repeated in the source counts."""
    from pipeline.validation.classes import ROOT, smallest_class

    ph = pd.DataFrame({"key": ["a", "b", None, "c", "b", "d", "e"],
                       "age": ["40-49", "50-59", "50-59", None, "40-49", "40-49", "40-49"],
                       "area": ["関東"] * 7})
    cl = pd.DataFrame({"key": ["b", "zz", None, "a", "c", "b", None, "d", "e", "yy"], "month": ["2025"] * 10})
    view = cl.copy()
    for column in ("age", "area"):
        per_person = ph.drop_duplicates("key").set_index("key")[column].astype("string")
        view[f"ph.{column}"] = view["key"].astype("string").map(per_person).fillna(ROOT)
    want, classes = smallest_class(view, ["month", "ph.age", "ph.area"], "key")
    assert classes > 2 and want >= 1
    joined = [p for p in check_classes(*_release(tmp_path, ph, cl, k=want + 1)) if "joined view" in p]
    assert len(joined) == 1 and f"holds {want} persons" in joined[0], joined
    again = tmp_path / "again"
    again.mkdir()
    assert not [p for p in check_classes(*_release(again, ph, cl, k=want)) if "joined view" in p]
