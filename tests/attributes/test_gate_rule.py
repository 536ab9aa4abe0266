"""The gate's rule on risk over all released columns: bound only under ``attribute_risk: fail``, on each table
and on the joined view (which then carries the other table's attributes too)."""

from __future__ import annotations

import pandas as pd

from pipeline.identifiers.surrogate import SurrogateSpace
from pipeline.validation.rules import rules_from_manifest
from pipeline.validation.runner import run_suites
from pipeline.validation.suite import build_suites, load_profile
from pipeline.validation.summary import summarise

RULE = "expect_few_rows_unique_over_released_columns"
POLICIES = pd.Series([f"KZ{i:08d}" for i in range(6)])


def _tables(premium: list[str], policy: str, threshold: float = 0.0) -> dict:  # type: ignore[type-arg]
    keys = SurrogateSpace([POLICIES]).replace(POLICIES).tolist()
    ph = pd.DataFrame({"key": keys, "性別": ["男"] * 3 + ["女"] * 3, "保険料": premium})
    cl = pd.DataFrame({"key": keys, "請求日": ["2024"] * 6, "支払額": ["10万円台"] * 6})
    risk = {"policy": policy, "threshold": threshold}
    ph_entry = {"rows": 6, "quasi_identifiers": ["性別"], "attributes": ["保険料"], "person_key": "key",
                "k": 3, "columns": ["key", "性別", "保険料"], "attribute_risk": risk}
    cl_entry = {"rows": 6, "quasi_identifiers": ["請求日"], "attributes": ["支払額"], "person_key": "key",
                "k": 3, "columns": ["key", "請求日", "支払額"],
                "linked_quasi_identifiers": {"policyholders.性別": 0},
                "attribute_risk": {**risk, "joined": {"columns": ["請求日", "支払額", "policyholders.性別",
                                                                  "policyholders.保険料"]}}}
    return {"policyholders": (ph, rules_from_manifest("policyholders", ph_entry)),
            "claims": (cl, rules_from_manifest("claims", cl_entry))}


def _failed(tables: dict) -> dict[str, int]:  # type: ignore[type-arg]
    suites = build_suites(load_profile("third_party"), tables)
    bound = {name: sum(e.expectation_type == RULE for e in suite.expectations)
             for name, (_, suite) in suites.items()}
    summary = summarise(run_suites(suites))
    failed = [f for f in summary["failed"] if f.get("expectation") == RULE or RULE in str(f)]
    return {"bound": sum(bound.values()), "failed": len(failed),
            "joined_bound": bound.get("claims_joined", 0)}


def test_unique_premium_fails_the_gate_on_the_table_and_the_joined_view() -> None:
    result = _failed(_tables(["1000", "1000", "2000", "3000", "3000", "3000"], "fail"))
    assert result["bound"] == 3 and result["joined_bound"] == 1
    assert result["failed"] == 2  # policyholders (one man pays 2000) and claims_joined (the same person)


def test_banded_premium_passes_and_warn_binds_nothing() -> None:
    assert _failed(_tables(["1000円台"] * 6, "fail"))["failed"] == 0
    assert _failed(_tables(["1000", "1000", "2000", "3000", "3000", "3000"], "warn"))["bound"] == 0


def test_threshold_allows_a_share_of_unique_rows() -> None:
    # one row in six is unique (1/6 ≈ 0.167): allowed at 0.2, not at 0.1
    premium = ["1000", "1000", "2000", "3000", "3000", "3000"]
    assert _failed(_tables(premium, "fail", 0.2))["failed"] == 0
    assert _failed(_tables(premium, "fail", 0.1))["failed"] == 2
