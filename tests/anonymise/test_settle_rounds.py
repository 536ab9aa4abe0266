"""``settle``'s round cap comes from the hierarchies (``joined.max_rounds``) and fails closed when reached."""

from __future__ import annotations

import pytest

from pipeline.anonymise import anonymise_prepared, joined
from pipeline.anonymise.recoding import with_recoding
from pipeline.errors import PrivacyError


def _force_a_second_round(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """The claims' held joined search fails once, so the policyholders are redone: two rounds at least."""
    real = joined.search_table
    calls = {"held": 0}

    def held_fails(config, t, surrogates, k, limit, linked, min_levels, linked_fixed, *rest):
        if linked_fixed and t.spec.name == "claims" and calls["held"] == 0:
            calls["held"] += 1
            raise PrivacyError("forced: the held joined search is infeasible")
        return real(config, t, surrogates, k, limit, linked, min_levels, linked_fixed, *rest)

    monkeypatch.setattr(joined, "search_table", held_fails)
    return calls


def test_the_cap_is_the_sum_of_the_heights(prepared) -> None:
    heights = {(name, col.output_name): t.leaves[col.name][1].height
               for name, t in prepared.tables.items() for col in t.spec.by_role("quasi_identifier")}
    assert len(heights) >= 4  # both tables' quasi-identifiers count, not only the linked ones
    assert joined.max_rounds(prepared) == sum(h - 1 for h in heights.values()) + 3


def test_a_run_that_needs_more_rounds_than_the_cap_fails_closed(prepared, monkeypatch) -> None:
    local = with_recoding(prepared, "local")
    _force_a_second_round(monkeypatch)
    monkeypatch.setattr(joined, "max_rounds", lambda p: 1)
    with pytest.raises(PrivacyError, match="did not settle"):
        anonymise_prepared(local)


def test_with_the_derived_cap_the_same_run_settles(prepared, monkeypatch) -> None:
    calls = _force_a_second_round(monkeypatch)
    results = anonymise_prepared(with_recoding(prepared, "local"))
    assert calls["held"] == 1
    assert results["claims"].metrics["search"]["joined_view"]["earlier_levels_freed"] == 1
