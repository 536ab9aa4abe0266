"""The search on a histogram (``pipeline.search.weighted``) equals the search on the rows it summarises:
same levels, classes, suppressed rows, smallest class and loss, and the same rows kept (each row through its
entry), for every privacy model, with and without several rows per person, at three suppression limits and
three metrics."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from pipeline.errors import PrivacyError
from pipeline.search.engine import search
from pipeline.search.weighted import search_histogram
from tests.search.small_data import encode, frame
from tests.search.test_search_exact import CASES


def histogram(df: pd.DataFrame, qis, sens, per_person: bool):
    """What a streaming pass keeps: distinct (qi codes, sensitive codes) entries with rows, (entry, person)
    pairs; and each row's entry (only to compare per-row results)."""
    cols = {q.name: np.asarray(q.codes) for q in qis} | {s.name: np.asarray(s.codes) for s in sens}
    key = pd.DataFrame(cols)
    entry, _ = pd.factorize(pd.MultiIndex.from_frame(key))
    first = pd.Series(np.arange(len(df))).groupby(entry).first().to_numpy()
    rows = np.bincount(entry)
    h_qis = [replace(q, codes=np.asarray(q.codes)[first]) for q in qis]
    h_sens = [replace(s, codes=np.asarray(s.codes)[first]) for s in sens]
    pairs = None
    if per_person:
        # any entry of the person's qi tuple will do: pair each person with the tuple's first entry
        qi_tuple, _ = pd.factorize(pd.MultiIndex.from_frame(key[[q.name for q in qis]]))
        rep = pd.Series(entry).groupby(qi_tuple).first()
        pairs = (rep.reindex(qi_tuple).to_numpy(), df["person"].to_numpy())
    return h_qis, h_sens, rows, pairs, entry


@pytest.mark.parametrize("metric", ["loss", "discernibility"])
@pytest.mark.parametrize("limit", [0.0, 0.04, 0.15])
@pytest.mark.parametrize(("models", "per_person"), CASES, ids=[" + ".join(map(str, m)) for m, _ in CASES])
def test_histogram_search_equals_row_search(models, per_person, limit, metric) -> None:
    df = frame(rows=600, seed=5)
    qis, sens = encode(df)
    person = df["person"].to_numpy() if per_person else None
    h_qis, h_sens, rows, pairs, entry = histogram(df, qis, sens, per_person)
    assert len(rows) < len(df)  # a histogram, not the rows again
    try:
        want = search(qis, sens, person, models, limit, metric=metric)
    except PrivacyError as exc:
        with pytest.raises(PrivacyError) as got_exc:
            search_histogram(h_qis, h_sens, rows, pairs, models, limit, metric=metric)
        assert str(got_exc.value) == str(exc)
        return
    got = search_histogram(h_qis, h_sens, rows, pairs, models, limit, metric=metric)
    assert got.levels == want.levels
    assert (got.classes, got.min_class_size, got.suppressed_rows) == (want.classes, want.min_class_size,
                                                                      want.suppressed_rows)
    per = got.loss.pop("per_attribute"), want.loss.pop("per_attribute")
    assert got.loss == pytest.approx(want.loss) and per[0] == pytest.approx(per[1])
    assert (got.exact, got.nodes_evaluated) == (want.exact, want.nodes_evaluated)
    np.testing.assert_array_equal(got.keep[entry], want.keep)
    np.testing.assert_array_equal(got.class_id[entry], want.class_id)


@pytest.mark.parametrize(("models", "per_person"), CASES[:4],
                         ids=[" + ".join(map(str, m)) for m, _ in CASES[:4]])
def test_searching_some_entries_equals_searching_their_copy(models, per_person) -> None:
    """``entries`` (the streamed search leaves out the entries whose person an earlier table suppressed):
    the same result as the search of a copy of those entries, pairs renumbered."""
    df = frame(rows=600, seed=9)
    qis, sens = encode(df)
    h_qis, h_sens, rows, pairs, _ = histogram(df, qis, sens, per_person)
    at = np.flatnonzero(np.random.default_rng(3).random(len(rows)) < 0.8)
    new_index = np.full(len(rows), -1)
    new_index[at] = np.arange(len(at))
    sub_pairs = None
    if pairs is not None:
        mine = new_index[pairs[0]] >= 0
        sub_pairs = (new_index[pairs[0][mine]], pairs[1][mine])
    want = search_histogram([replace(q, codes=np.asarray(q.codes)[at]) for q in h_qis],
                            [replace(s, codes=np.asarray(s.codes)[at]) for s in h_sens], rows[at], sub_pairs,
                            models, 0.04)
    got = search_histogram(h_qis, h_sens, rows, pairs, models, 0.04, entries=at)
    assert (got.levels, got.classes, got.suppressed_rows, got.loss) == (want.levels, want.classes,
                                                                         want.suppressed_rows, want.loss)
    np.testing.assert_array_equal(got.keep, want.keep)
    np.testing.assert_array_equal(got.class_id, want.class_id)


def test_person_counts_come_from_the_pairs_not_the_rows() -> None:
    """Two rows of one person in one entry are one person: k = 2 fails there without suppression."""
    df = frame(rows=600, seed=5)
    qis, sens = encode(df)
    h_qis, h_sens, rows, pairs, _ = histogram(df, qis, sens, per_person=True)
    from pipeline.privacy import KAnonymity

    by_rows = search_histogram(h_qis, h_sens, rows, None, [KAnonymity(5)], 0.0)
    by_persons = search_histogram(h_qis, h_sens, rows, pairs, [KAnonymity(5)], 0.0)
    assert by_persons.min_class_size < by_rows.min_class_size or by_persons.levels != by_rows.levels


@pytest.mark.parametrize(("rows", "pairs", "match"), [
    (np.array([1, 0]), None, "at least one row"),
    (np.array([1]), None, "row counts for"),
    (np.array([1, 1]), (np.array([2]), np.array([0])), "names no histogram entry"),
])
def test_bad_histograms_are_refused(rows, pairs, match) -> None:
    df = frame(rows=40, seed=1).head(2)
    qis, sens = encode(df)
    from pipeline.privacy import KAnonymity

    with pytest.raises(ValueError, match=match):
        search_histogram(qis, sens, rows, pairs, [KAnonymity(1)], 0.0)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_persons_per_class_at_every_node_match_a_direct_count(seed: int) -> None:
    """The snapshot counts persons whose rows all fall in one base tuple as a weight and only the others as
    (class, person) pairs (``Snapshot.single``): at every node of the lattice each class's persons equal a
    direct count of distinct persons (pandas ``nunique``) on the rows generalised to that node."""
    import itertools

    from pipeline.histogram import base_snapshot
    from pipeline.search.engine import _space

    df = frame(rows=800, seed=seed)
    qis, _ = encode(df)
    heights = [q.hierarchy.height for q in qis]
    space = _space(qis, heights, [])
    cards = [space.cards[i][0] for i in range(len(qis))]
    base, row_class, space.n_persons = base_snapshot([np.asarray(q.codes) for q in qis], cards,
                                                     df["person"].to_numpy(), [], [])
    assert base.single is not None and base.person_pairs is not None  # both kinds of person present
    for node in itertools.product(*(range(h) for h in heights)):
        snap = space.roll_up(base, node, track_origin=True)
        cls = snap.origin[row_class]  # each row's class at this node
        direct = pd.Series(df["person"].to_numpy()).groupby(cls).nunique()
        np.testing.assert_array_equal(snap.persons, direct.reindex(np.arange(snap.n)).to_numpy())
