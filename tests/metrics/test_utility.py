"""Utility figures: levels released per row and the research questions, against hand-made and independent
pandas references (the questions' input side from the raw CSV files, the release side from the data)."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from pipeline.hierarchies.base import Hierarchy
from pipeline.metrics.utility import compare, level_shares, share_at_most, up_to

H = Hierarchy.from_rows("area", [["札幌", "北海道", "北日本", "*"], ["仙台", "宮城", "北日本", "*"],
                                 ["東京", "東京都", "東日本", "*"], ["八王子", "東京都", "東日本", "*"]])


def test_level_shares_read_each_released_value_level_from_the_hierarchy():
    # mixed levels as local recoding produces them; the root counts as deleted; 2 rows suppressed
    values = pd.Series(["札幌", "東京都", "東京都", "北日本", "*", "八王子", "東日本", "東京"],
                       dtype="string")
    shares = level_shares(values, H, rows_in=10)
    assert [s["rows"] for s in shares] == [3, 2, 2, 1]
    assert [s["share"] for s in shares] == [0.3, 0.2, 0.2, 0.1]
    assert share_at_most(shares, 1) == pytest.approx(0.5)
    assert shares[3]["granularity"] == H.level_descriptions[3]


def test_up_to_places_finer_values_and_leaves_coarser_ones_out():
    values = pd.Series(["札幌", "東京都", "北日本", "*", "八王子"])
    assert up_to(values, H, 1).tolist() == ["北海道", "東京都", None, None, "東京都"]
    assert up_to(values, H, 2).tolist() == ["北日本", "東日本", "北日本", None, "東日本"]


def test_compare_weighs_groups_by_input_persons_and_counts_lost_groups_as_total_error():
    before = pd.DataFrame({"persons": [100, 50, 20], "rate": [0.2, 0.4, 0.5]}, index=["a", "b", "c"])
    after = pd.DataFrame({"persons": [90, 45], "rate": [0.25, 0.4]}, index=["a", "b"])
    got = compare(before, after)
    assert got["groups"] == 3 and got["groups_missing"] == 1
    assert got["mean_relative_error"] == pytest.approx((100 * 0.25 + 50 * 0 + 20 * 1.0) / 170)
    assert got["max_relative_error"] == pytest.approx(1.0)
    assert got["worst"][0]["group"] == "c" and got["worst"][0]["release"] is None


@pytest.fixture(scope="module")
def released(tmp_path_factory):
    from pipeline.anonymise import anonymise_prepared
    from pipeline.cli.demo_cmd import default_config
    from pipeline.config import load_config
    from pipeline.generate import generate_extracts
    from pipeline.prepare import prepare

    files = generate_extracts(tmp_path_factory.mktemp("extract"), rows=3000, seed=4)
    return files, anonymise_prepared(prepare(load_config(default_config()), files))


def test_claim_rate_by_area_matches_an_independent_computation(released):
    files, results = released
    q = next(q for q in results["policyholders"].metrics["utility"]["questions"]
             if q["question"] == "claim rate by 居住地")
    (level,) = q["levels"].values()
    regions = dict(line.split(";") for line in
                   (pd.io.common.Path(__file__).resolve().parents[2] / "pipeline" / "hierarchies" / "data"
                    / "prefectures.csv").read_text("utf-8").splitlines() if line)
    # input: straight from the CSV files (prefecture by a regex on the address, claimants by policy number)
    ph = pd.read_csv(files["policyholders"], encoding="utf-8", dtype=str)
    cl = pd.read_csv(files["claims"], encoding="utf-8", dtype=str)
    pref = ph["住所"].map(lambda a: re.match(r"^(北海道|東京都|大阪府|京都府|.{2,3}?県)", a).group(1))
    group = pref if level.endswith("(都道府県)") else pref.map(regions)
    claimant = ph["証券番号"].isin(cl["証券番号"])
    rate_in = claimant.groupby(group).mean()
    # release: from the released data
    rel = results["policyholders"].data
    claimant_out = rel["契約キー"].isin(results["claims"].data["契約キー"])
    rel_rate = claimant_out.groupby(rel["居住地"].astype(object)).mean()
    err = (rel_rate.reindex(rate_in.index) - rate_in).abs() / rate_in
    weights = group.value_counts().reindex(rate_in.index)
    assert q["mean_relative_error"] == pytest.approx(float(np.average(err.fillna(1.0), weights=weights)))
    assert q["groups"] == len(rate_in)


def test_no_released_claim_lacks_its_policyholder(released):
    """Issue 13 point 5: a person suppressed in the policyholder table is suppressed in the claims too."""
    _, results = released
    ph, cl = results["policyholders"], results["claims"]
    assert cl.data["契約キー"].isin(ph.data["契約キー"]).all()
    assert ph.suppressed_rows > 0  # so the rule had something to do
    assert 0 < cl.metrics["search"]["suppressed_with_person"] <= cl.suppressed_rows


@pytest.mark.parametrize("kind", ["surrogates", "chunked", "widths", "nulls", "objects"])
def test_first_rows_is_not_duplicated(kind):
    """The released persons' first rows: fixed-width keys by their packed bytes, anything else through
    pandas; always ``~duplicated()``."""
    import pyarrow as pa

    from pipeline.metrics.research_questions import first_rows

    rng = np.random.default_rng(11)
    letters = np.array(list("abcdefghijklmnopqrstuvwxyz"))
    pool = ["".join(rng.choice(letters, 14)) for _ in range(300)]
    pool += [pool[0][:13] + "z", "z" + pool[1][1:]]  # differ in the last / first byte only
    keys = [pool[i] for i in rng.integers(0, len(pool), 2000)]
    if kind == "widths":
        keys[5] = "short"
    if kind == "nulls":
        keys[7] = None
    series = pd.Series(keys, dtype="string[pyarrow]" if kind != "objects" else object)
    if kind == "chunked":
        chunks = pa.chunked_array([pa.array(keys[:700]), pa.array(keys[700:])])
        series = pd.Series(pd.arrays.ArrowStringArray(chunks))
    got = first_rows(series)
    assert np.array_equal(got, ~pd.Series(keys, dtype=object).duplicated().to_numpy())
    assert 0 < got.sum() < len(keys)
