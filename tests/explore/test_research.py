"""Research helpers: claim rates and mixes on hand-made released tables (figures known by hand)."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline.errors import InputError
from pipeline.explore import claim_rates, load_release, mix

POLICIES = pd.DataFrame({
    "key": ["a", "b", "c", "d", "e", "f"],
    "年齢": ["20-29歳", "20-29歳", "20-29歳", "30-39歳", "30-39歳", "40-49歳"],
    "保険種類": ["医療", "医療", "がん", "医療", "がん", "がん"],
})
CLAIMS = pd.DataFrame({"key": ["a", "a", "c", "d", "zz"]})  # zz: a claim whose policy was suppressed


def test_claim_rates():
    out = claim_rates(POLICIES, CLAIMS, by=["年齢"], key="key", min_persons=1).set_index("年齢")
    assert out.loc["20-29歳", ["persons", "claimants", "claims"]].tolist() == [3, 2, 3]
    assert out.loc["20-29歳", "claim_rate"] == pytest.approx(2 / 3)
    assert out.loc["30-39歳", "claims_per_1000"] == pytest.approx(500)
    assert out.loc["40-49歳", "claimants"] == 0


def test_claim_rates_drop_small_groups():
    out = claim_rates(POLICIES, CLAIMS, by=["年齢"], key="key", min_persons=2)
    assert set(out["年齢"]) == {"20-29歳", "30-39歳"}


def test_mix_overall_and_within_groups():
    overall = mix(POLICIES, "保険種類", key="key").set_index("保険種類")
    assert overall["count"].to_dict() == {"医療": 3, "がん": 3}
    assert overall["share"].sum() == pytest.approx(1.0)
    within = mix(POLICIES, "保険種類", by="年齢", min_persons=2)
    assert set(within["年齢"]) == {"20-29歳", "30-39歳"}
    assert within.groupby("年齢")["share"].sum().tolist() == pytest.approx([1.0, 1.0])


def test_load_release_needs_a_manifest(tmp_path):
    with pytest.raises(InputError, match="not a release directory"):
        load_release(tmp_path)
