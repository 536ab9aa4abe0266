"""Uniqueness by combination of quasi-identifiers on a generated extract (real read + normalise)."""

from __future__ import annotations

import pytest

from pipeline.errors import ConfigError
from pipeline.explore import uniqueness


@pytest.fixture(scope="module")
def raw(prepared):
    return uniqueness(prepared, "policyholders")


def test_every_combination_once(prepared, raw):
    n = len(prepared.tables["policyholders"].spec.by_role("quasi_identifier"))
    assert len(raw) == 2**n - 1
    assert raw["quasi_identifiers"].is_unique
    assert (raw["persons"] == raw["persons"].iloc[0]).all()


def test_adding_a_quasi_identifier_never_lowers_uniqueness(raw):
    by_set = {frozenset(c.split(" × ")): u for c, u in zip(raw["quasi_identifiers"], raw["sample_uniques"],
                                                              strict=True)}
    for combo, u in by_set.items():
        for other, v in by_set.items():
            if combo < other:
                assert v >= u, (sorted(combo), sorted(other))


def test_raw_extract_is_identifying_and_generalising_helps(prepared, raw):
    full = raw.loc[raw["size"].idxmax()]
    assert full["sample_uniques"] > 0.5  # age x sex x address x occupation singles most people out
    table = prepared.tables["policyholders"]
    tops = {c.output_name: table.leaves[c.name][1].height - 1 for c in table.spec.by_role("quasi_identifier")}
    root = uniqueness(prepared, "policyholders", levels=tops)
    assert (root["sample_uniques"] == 0).all() and (root["classes"] == 1).all()


def test_unknown_table(prepared):
    with pytest.raises(ConfigError, match="unknown table"):
        uniqueness(prepared, "nope")
