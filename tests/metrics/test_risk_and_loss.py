"""Risk figures on hand-made classes, and the loss metrics' values and lower-bound property."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pipeline.hierarchies.base import Hierarchy
from pipeline.metrics.risk import risk_profile
from pipeline.privacy import KAnonymity
from pipeline.search.engine import QuasiIdentifier, search


def test_risk_per_record() -> None:
    # classes of 1, 2 and 4 records, plus two suppressed rows
    cid = np.array([0, 1, 1, 2, 2, 2, 2, -1, -1])
    r = risk_profile(cid, None, threshold=0.3)
    assert r["prosecutor_max"] == 1.0
    assert r["prosecutor_avg"] == pytest.approx((1 + 0.5 * 2 + 0.25 * 4) / 7)
    assert r["records_at_risk"] == pytest.approx(3 / 7)  # risk 1 and 0.5 exceed 0.3
    assert r["sample_uniques"] == pytest.approx(1 / 7)
    assert r["marketer"] == pytest.approx(3 / 7)
    assert r["records"] == 7 and r["classes"] == 3


def test_risk_per_person_counts_distinct_persons() -> None:
    cid = np.array([0, 0, 0, 1, 1])
    person = np.array([7, 7, 7, 8, 9])  # class 0 is one person with three rows
    r = risk_profile(cid, person, threshold=0.6)
    assert r["records"] == 3
    assert r["prosecutor_max"] == 1.0
    assert r["sample_uniques"] == pytest.approx(1 / 3)
    assert r["prosecutor_avg"] == pytest.approx((1 + 0.5 + 0.5) / 3)


def test_risk_of_empty_release() -> None:
    assert risk_profile(np.array([-1, -1]), None, 0.2)["prosecutor_max"] == 0.0


def _qi() -> QuasiIdentifier:
    rows = [[str(a), f"{a // 2 * 2}-{a // 2 * 2 + 1}", "*"] for a in range(6)]
    h = Hierarchy.from_rows("a", rows)
    return QuasiIdentifier("a", h.encode(pd.Series(["0", "1", "1", "2", "3", "4", "4", "5"])), h)


def test_lm_precision_discernibility_by_hand() -> None:
    q = _qi()
    # k=2 without suppression: level 1 (pairs {0,1},{2,3},{4,5}) -> sizes 3, 2, 3; each cell LM (2-1)/(6-1)
    r = search([q], [], None, [KAnonymity(2)], 0.0)
    assert r.levels == {"a": 1}
    assert r.loss["lm"] == pytest.approx(0.2)
    assert r.loss["precision"] == pytest.approx(0.5)
    assert r.loss["discernibility"] == 3 * 3 + 2 * 2 + 3 * 3
    assert r.loss["aecs"] == pytest.approx(8 / 3)
    assert 0.0 < r.loss["entropy"] < 1.0
    # with 25 % suppression level 0 keeps classes {1,1} and {4,4}: 4 rows suppressed > 2 allowed -> level 1
    r2 = search([q], [], None, [KAnonymity(2)], 0.25)
    assert r2.levels == {"a": 1}
    # 4 suppressed cells at level 0 (LM 0.5) cost more than generalising (0.2)
    assert search([q], [], None, [KAnonymity(2)], 0.5).levels == {"a": 1}


def test_suppression_pays_when_cheaper_than_generalising() -> None:
    q0 = _qi()
    q = QuasiIdentifier("a", q0.hierarchy.encode(pd.Series(["0", "0", "1", "1", "2", "2", "3", "5"])),
                        q0.hierarchy)
    # level 0: "3" and "5" suppressed (2 rows, LM 2/8); level 1: "5" suppressed, 7 cells at 0.2 (LM 0.3)
    r = search([q], [], None, [KAnonymity(2)], 0.25)
    assert r.levels == {"a": 0} and r.suppressed_rows == 2 and r.classes == 3
    assert r.loss["lm"] == pytest.approx(0.25)
    assert r.loss["discernibility"] == 3 * 4 + 2 * 8
    assert r.keep.tolist() == [True] * 6 + [False] * 2
    assert r.class_id[6:].tolist() == [-1, -1]


def test_entropy_objective_prefers_informative_levels() -> None:
    q = _qi()
    r = search([q], [], None, [KAnonymity(2)], 0.0, metric="entropy")
    assert r.loss["metric"] == "entropy" and r.levels == {"a": 1}
    top = search([q], [], None, [KAnonymity(8)], 0.0, metric="entropy")
    assert top.levels == {"a": 2} and top.loss["entropy"] == pytest.approx(1.0)
