"""Bad input ends with a clear error that names file, column and counts, never a value."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pipeline.errors import HierarchyError, PrivacyError
from pipeline.hierarchies.base import Hierarchy
from pipeline.hierarchies.builtin import load_hierarchy_file
from pipeline.privacy import DistinctLDiversity, EqualDistanceTCloseness, KAnonymity
from pipeline.search.engine import QuasiIdentifier, SensitiveColumn, search


def test_hierarchy_file_missing_values_names_file_column_and_count(tmp_path) -> None:
    path = tmp_path / "occupation.csv"
    path.write_text("Sales;White;*\nClerk;White;*\n", encoding="utf-8")
    h = load_hierarchy_file("occupation", path)
    values = pd.Series(["Sales", "Ninja-Secret-7", "Ninja-Secret-7", "Pirate-X"])
    with pytest.raises(HierarchyError) as err:
        h.encode(values, table="adult")
    msg = str(err.value)
    assert "occupation.csv" in msg and "occupation" in msg and "misses 2 distinct values" in msg
    assert "Ninja" not in msg and "Pirate" not in msg


def test_duplicate_leaves(tmp_path) -> None:
    path = tmp_path / "h.csv"
    path.write_text("a;x;*\nb;x;*\na;y;*\n", encoding="utf-8")
    with pytest.raises(HierarchyError, match=r"h\.csv.*1 duplicate leaves"):
        load_hierarchy_file("col", path)


def test_uneven_depths(tmp_path) -> None:
    path = tmp_path / "h.csv"
    path.write_text("a;x;*\nb;*\n", encoding="utf-8")
    with pytest.raises(HierarchyError, match=r"col.*h\.csv.*uneven depth"):
        load_hierarchy_file("col", path)


def _table(n: int = 20):
    h = Hierarchy.from_rows("v", [[str(i), "lo" if i < 5 else "hi", "*"] for i in range(10)])
    codes = h.encode(pd.Series([str(i % 10) for i in range(n)]))
    return [QuasiIdentifier("v", codes, h)], [SensitiveColumn("s", np.zeros(n, dtype=np.int32), 1)]


def test_k_larger_than_persons() -> None:
    qis, sens = _table()
    person = np.repeat(np.arange(5), 4)
    with pytest.raises(PrivacyError, match="k = 6 is larger than the number of persons in the table \\(5\\)"):
        search(qis, sens, person, [KAnonymity(6)], 0.0)


def test_model_unreachable_even_at_the_top() -> None:
    qis, sens = _table()  # a single sensitive value: no class can hold 2 of them
    with pytest.raises(PrivacyError) as err:
        search(qis, sens, None, [DistinctLDiversity("s", 2)], 0.1)
    msg = str(err.value)
    assert "distinct-2-diversity(s)" in msg and "20 of 20 rows fail" in msg and "10.0%" in msg


def test_t_closeness_unreachable_within_limit() -> None:
    h = Hierarchy.from_rows("v", [["a", "*"], ["b", "*"]])
    qis = [QuasiIdentifier("v", h.encode(pd.Series(["a", "b"] * 10)), h)]
    # fixed column splits the data into two classes with disjoint sensitive values
    f = Hierarchy.from_rows("f", [["x", "*"], ["y", "*"]])
    fixed = [QuasiIdentifier("f", f.encode(pd.Series(["x"] * 10 + ["y"] * 10)), f)]
    sens = [SensitiveColumn("s", np.array([0] * 10 + [1] * 10, dtype=np.int32), 2)]
    with pytest.raises(PrivacyError, match=r"0\.1-closeness"):
        search(qis, sens, None, [EqualDistanceTCloseness("s", 0.1)], 0.2, fixed=fixed)


def test_model_on_unknown_column() -> None:
    qis, sens = _table()
    with pytest.raises(PrivacyError, match="column other is not a sensitive column"):
        search(qis, sens, None, [DistinctLDiversity("other", 2)], 0.0)
