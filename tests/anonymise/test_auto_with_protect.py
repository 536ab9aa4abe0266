"""``recoding: auto`` with ``protect_attributes``: the promotion rounds search global recoding only, ``auto``
chooses once on the promoted extract (reusing the last global search), so the local search runs once when
nothing more is promoted after the choice; the release is the one both searches in every round gave."""

from __future__ import annotations

from collections import Counter

import pytest

import pipeline.attributes.protect as protect
from pipeline.anonymise import anonymise_prepared
from pipeline.anonymise.recoding import with_recoding


def test_local_is_searched_once_and_global_once_per_round(prepared, monkeypatch: pytest.MonkeyPatch) -> None:
    assert prepared.config.privacy.recoding == "auto" and prepared.config.privacy.attribute_risk.protect
    searches: Counter[str] = Counter()

    def counting(p, *args, **kwargs):  # type: ignore[no-untyped-def]
        searches[p.config.privacy.recoding] += 1
        return anonymise_prepared(p, *args, **kwargs)

    monkeypatch.setattr(protect, "anonymise_prepared", counting)
    tables, final, assessment = protect.anonymise_with_attribute_policy(prepared)
    record = next(iter(tables.values())).metrics["search"]["recoding"]
    assert final.config.privacy.recoding == "auto"  # the manifest states what the config asked
    after_choice = assessment.rounds - searches["global"]  # rounds run under the chosen recoding
    assert searches["auto"] == 0 and searches["local"] == 1 + max(after_choice, 0)
    assert searches["global"] >= 1 and assessment.rounds >= searches["global"]
    # the same levels as auto searched in full on the final (promoted) extract
    again = anonymise_prepared(with_recoding(final, "auto"))
    assert next(iter(again.values())).metrics["search"]["recoding"]["chosen"] == record["chosen"]
    for name, t in tables.items():
        levels = t.metrics["utility"]["levels"]
        assert levels and levels == again[name].metrics["utility"]["levels"]
