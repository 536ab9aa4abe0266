"""The joined view: claims carry their policyholder's released quasi-identifiers through the person key."""

from __future__ import annotations

import pandas as pd

from pipeline.identifiers.surrogate import SurrogateSpace
from pipeline.validation.joined import joined_view
from pipeline.validation.rules import rules_from_manifest
from pipeline.validation.runner import run_suites
from pipeline.validation.suite import build_suites, load_profile
from pipeline.validation.summary import summarise

K = 3
POLICIES = pd.Series([f"KZ{i:08d}" for i in range(6)])


def _tables(policy_sex: list[str], claim_year: list[str] | None = None) -> dict:  # type: ignore[type-arg]
    persons = SurrogateSpace([POLICIES]).replace(POLICIES).tolist()
    policy = pd.DataFrame({"key": persons, "性別": policy_sex})
    claims = pd.DataFrame({"key": persons, "請求日": claim_year or ["2024"] * 6, "傷病分類": ["A", "B"] * 3})
    policy_entry = {"rows": 6, "quasi_identifiers": ["性別"], "person_key": "key", "k": K,
                    "columns": ["key", "性別"]}
    claims_entry = {"rows": 6, "quasi_identifiers": ["請求日"], "person_key": "key", "k": K,
                    "sensitive": ["傷病分類"], "columns": ["key", "請求日", "傷病分類"],
                    "linked_quasi_identifiers": {"policyholders.性別": 0}}
    return {"policyholders": (policy, rules_from_manifest("policyholders", policy_entry)),
            "claims": (claims, rules_from_manifest("claims", claims_entry))}


def test_joined_frame_carries_the_linked_values() -> None:
    tables = _tables(["男", "男", "男", "女", "女", None])
    frame, rules = joined_view(tables["claims"][1], tables["claims"][0], tables)  # type: ignore[misc]
    assert rules.name == "claims_joined"
    assert rules.quasi_identifiers == ("請求日", "policyholders.性別")
    assert frame["policyholders.性別"].tolist() == ["男", "男", "男", "女", "女", "*"]


def _failed(tables: dict) -> list[tuple[str, str]]:  # type: ignore[type-arg]
    summary = summarise(run_suites(build_suites(load_profile("internal"), tables)))
    return [(f["table"], f["expectation"]) for f in summary["failed"]]


def test_a_class_that_only_the_join_reveals_is_caught() -> None:
    # each table alone is 3-anonymous (男 3 / 女 3; 2023 3 / 2024 3), but joined (2023, 男) holds 2 persons
    years = ["2023", "2023", "2024", "2023", "2024", "2024"]
    failed = _failed(_tables(["男", "男", "男", "女", "女", "女"], years))
    assert failed == [("claims_joined", "expect_classes_to_have_k_persons")]


def test_joined_view_passes_when_every_joined_class_has_k_persons() -> None:
    failed = _failed(_tables(["男", "男", "男", "女", "女", "女"]))
    assert not [f for f in failed if f[0] == "claims_joined"], failed
