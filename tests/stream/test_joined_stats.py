"""The joined view from first passes (``pipeline.anonymise.streamed.search_stats_tables``): on the demo
extract (policyholders + claims linked by 証券番号), read in many small batches, the streaming search takes
the whole-table path's decision (``pipeline.anonymise.joined.search_tables``) under global recoding: the same
strategy and total loss, and per table the same levels, classes, smallest class and suppressed rows (those
removed with their person included); each kept claim's entry carries its policyholder's released tuple."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from pipeline.anonymise.joined import search_tables
from pipeline.anonymise.streamed import search_stats_tables
from pipeline.config import load_config
from pipeline.identifiers.surrogate import SurrogateSpace
from pipeline.prepare import prepare
from pipeline.stream.first_pass import first_pass
from pipeline.stream.links import LINK, person_links
from tests.conftest import DEMO_CONFIG


def _config(k: int, limit: float):
    config = load_config(DEMO_CONFIG)
    privacy = dataclasses.replace(config.privacy, k=k, suppression_limit=limit, recoding="global",
                                  attribute_risk=dataclasses.replace(config.privacy.attribute_risk,
                                                                     protect=False, policy="warn"))
    return dataclasses.replace(config, privacy=privacy)


def _whole(config, extract):
    prepared = prepare(config, extract)
    by_name: dict[str, list[pd.Series]] = {}
    for t in prepared.tables.values():
        for col in t.spec.by_role("linking_code"):
            by_name.setdefault(col.name, []).append(t.values[col.name])
    surrogates = {name: SurrogateSpace(cols) for name, cols in by_name.items()}
    return search_tables(config, prepared, surrogates, config.privacy.k, config.privacy.suppression_limit)


@pytest.mark.parametrize(("k", "limit"), [(2, 0.0), (25, 0.05), (100, 0.1)])
def test_streamed_joined_view_takes_the_whole_table_decision(extract_cp932, monkeypatch, k, limit) -> None:
    import pipeline.io.batches as batches

    config = _config(k, limit)
    want, want_view = _whole(config, extract_cp932)
    monkeypatch.setattr(batches, "BATCH_BYTES", 1 << 13)  # many batches
    got, got_view = search_stats_tables(config, first_pass(config, extract_cp932))
    assert want_view is not None and got_view is not None
    assert got_view["strategy"] == want_view["strategy"]
    for strategy, loss in want_view["total_lm"].items():
        assert got_view["total_lm"][strategy] == pytest.approx(loss), strategy
    for name, w in want.items():
        g = got[name]
        assert g.levels == {q: w.absolute[q] for q in w.own}, name
        assert {str(c): lv for c, lv in g.linked_levels.items()} == {
            str(c): lv for c, lv in w.linked_levels.items()}, name
        facts = ("classes", "min_class_size", "suppressed_rows", "removed_with_person")
        assert [getattr(g.result, f) for f in facts] == [getattr(w.result, f) for f in facts], name
        assert int(g.stats.histogram["rows"].to_numpy()[g.result.keep].sum()) == int(w.kept.sum()), name
    if k >= 40:  # the seeded demo extract suppresses policyholders, and their claims go with them
        assert got["claims"].result.removed_with_person > 0


def test_links_resolve_to_each_persons_first_kept_row() -> None:
    # person 1: tuples 2 (row 5) then 0 (row 9); person 2: tuple 1 only; person 3: 0 (row 1), 2 (row 3)
    pairs = pd.DataFrame({"t": [0, 2, 1, 0, 2], "p": np.array([1, 1, 2, 3, 3], dtype=np.uint64),
                          "row": [9, 5, 4, 1, 3]})
    links = person_links("earlier", "key", pairs, n_tuples=3)
    ids = links.lookup(np.array([1, 2, 3, 4], dtype=np.uint64))
    assert ids[3] == -1 and ids[1] == 1 and ids[0] >= 3 and ids[2] >= 3 and ids[0] != ids[2]
    everything = links.resolve(np.array([True, True, True]))
    assert everything[ids[:3]].tolist() == [2, 1, 0]
    without_2 = links.resolve(np.array([True, True, False]))
    assert without_2[ids[:3]].tolist() == [0, 1, 0]
    nothing = links.resolve(np.array([False, False, False]))
    assert (nothing[ids[:3]] == -1).all()


def test_each_claim_is_linked_to_its_policyholder(extract_cp932) -> None:
    config = _config(5, 0.02)
    fp = first_pass(config, extract_cp932)
    claims = fp.tables["claims"]
    assert claims.links is not None and LINK in claims.histogram.columns
    ph = pd.read_csv(extract_cp932["policyholders"], encoding="cp932", dtype=str)
    cl = pd.read_csv(extract_cp932["claims"], encoding="cp932", dtype=str)
    # claims whose policy is not among the policyholders carry -1, the others an id
    orphans = int((~cl["証券番号"].isin(ph["証券番号"])).sum())
    link = claims.histogram[LINK].to_numpy(dtype=np.int64)
    assert int(claims.histogram["rows"].to_numpy()[link < 0].sum()) == orphans
    assert (link < claims.links.n_ids).all()
