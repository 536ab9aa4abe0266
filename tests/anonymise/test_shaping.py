"""The joined view's shaping under local recoding (``pipeline.anonymise.shaping``): the model accepts a class
with no person of the later table or with at least k of them, the flags mark each such person once, and a
linked column held at each person's released label never moves (``linked.fixed_per_row``)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline.anonymise.linked import fixed_per_row
from pipeline.anonymise.shaping import FLAG, JoinedPersons, later_flags
from pipeline.hierarchies.base import Hierarchy
from pipeline.privacy.base import ClassStats, SensitivePairs


def _stats(linked_per_class: list[int], others_per_class: list[int]) -> ClassStats:
    cls, value, count = [], [], []
    for c, (a, b) in enumerate(zip(linked_per_class, others_per_class, strict=True)):
        for v, n in ((0, b), (1, a)):
            if n:
                cls.append(c)
                value.append(v)
                count.append(n)
    n = len(linked_per_class)
    rows = np.array(linked_per_class) + np.array(others_per_class)
    pairs = SensitivePairs(np.array(cls), np.array(value), np.array(count), 2, False, np.array([0.5, 0.5]))
    return ClassStats(n, rows, rows, {FLAG: pairs})


def test_a_class_holds_no_claimant_or_at_least_k() -> None:
    model = JoinedPersons(FLAG, 3)
    ok = model.satisfied(_stats([0, 1, 2, 3, 7], [9, 9, 9, 0, 1]))
    assert ok.tolist() == [True, False, False, True, True]


def test_flags_mark_the_first_row_of_each_person_with_later_rows(prepared) -> None:
    from pipeline.identifiers.surrogate import SurrogateSpace

    ph, cl = prepared.tables["policyholders"], prepared.tables["claims"]
    surrogates = {"証券番号": SurrogateSpace([ph.values["証券番号"], cl.values["証券番号"]])}
    flags = later_flags(prepared, surrogates, "policyholders")
    assert flags is not None and flags.dtype == np.int32
    keys = ph.values["証券番号"]
    expected = keys.isin(set(cl.values["証券番号"].dropna())) & ~keys.duplicated()
    assert flags.sum() == int(expected.sum()) > 0
    assert (flags.astype(bool) == expected.to_numpy()).all()
    assert later_flags(prepared, surrogates, "claims") is None  # no table after it
    for s in surrogates.values():
        s.discard()


def test_fixed_per_row_holds_each_label_and_merges_equal_labels_across_levels() -> None:
    h = Hierarchy.from_rows("居住地", [["札幌市", "北海道", "北海道", "*"],
                                     ["函館市", "北海道", "北海道", "*"],
                                     ["新宿区", "東京都", "関東", "*"],
                                     ["横浜市", "神奈川県", "関東", "*"]])
    codes = h.encode(pd.Series(["札幌市", "函館市", "新宿区", "横浜市", "新宿区", None], dtype=object))
    levels = np.array([1, 2, 0, 2, 3, 0])
    q = fixed_per_row("居住地", h, codes, levels)
    assert q.hierarchy.height == 1  # the search cannot move it
    labels = q.hierarchy.labels[0][np.asarray(q.codes)]
    # 北海道 at level 1 and at level 2 is one released label; the root and a null leaf are the null value
    assert labels[0] == labels[1] == "北海道"
    assert labels[2] == "新宿区" and labels[3] == "関東"
    assert q.codes[4] == q.codes[5] == q.hierarchy.n_leaves


def test_when_the_held_joined_search_is_infeasible_persons_are_raised_and_k_still_holds(
        prepared, monkeypatch) -> None:
    """Step 3 of the joined view (``joined.py``): if the claims cannot be placed with the policyholders'
    labels held, the free search raises those persons' policyholder rows; the release still has k persons per
    joined class, and the manifest counts the rounds that needed it."""
    from pipeline.anonymise import anonymise_prepared, joined
    from pipeline.anonymise.recoding import with_recoding
    from pipeline.errors import PrivacyError

    real = joined.search_table
    calls = {"held": 0}

    def held_fails(config, t, surrogates, k, limit, linked, min_levels, linked_fixed, *rest):
        if linked_fixed and t.spec.name == "claims" and calls["held"] == 0:
            calls["held"] += 1
            raise PrivacyError("forced: the held joined search is infeasible")
        return real(config, t, surrogates, k, limit, linked, min_levels, linked_fixed, *rest)

    monkeypatch.setattr(joined, "search_table", held_fails)
    results = anonymise_prepared(with_recoding(prepared, "local"))
    assert calls["held"] == 1
    view = results["claims"].metrics["search"]["joined_view"]
    assert view["earlier_levels_freed"] == 1
    ph, cl = results["policyholders"], results["claims"]
    key = ph.person_key
    linked = [q.split(".", 1)[1] for q in cl.metrics["linked_quasi_identifiers"]]
    frame = cl.data.merge(ph.data[[key, *linked]], on=key, how="left")
    columns = list(cl.quasi_identifiers) + linked
    keyed = frame[columns].astype("string").fillna("<NA>")
    assert frame.groupby([keyed[c] for c in columns])[key].nunique().min() >= ph.k
