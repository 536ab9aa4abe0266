"""``privacy.max_search_nodes`` reaches the search of every table through ``anonymise_prepared``."""

from __future__ import annotations

from dataclasses import replace

from pipeline.anonymise import anonymise_prepared
from pipeline.prepare import Prepared


def _with_budget(prepared: Prepared, nodes: int) -> Prepared:
    config = replace(prepared.config, privacy=replace(prepared.config.privacy, max_search_nodes=nodes))
    return Prepared(config, prepared.tables)


def test_default_budget_proves_the_optimum(prepared):
    results = anonymise_prepared(prepared)
    for table in results.values():
        search = table.metrics["search"]
        assert search["exact"] is True and search["fallback"] is None
    assert results["claims"].metrics["search"]["nodes_evaluated"] > 2  # so a budget of 2 cuts it short


def test_a_tiny_budget_gives_a_heuristic_release_that_says_so(prepared):
    results = anonymise_prepared(_with_budget(prepared, 2))
    search = results["claims"].metrics["search"]
    assert search["exact"] is False
    assert "max_search_nodes = 2 nodes" in search["fallback"]
    for table in results.values():
        assert table.min_class_size >= table.k  # still k-anonymous: the greedy descent's node is valid
