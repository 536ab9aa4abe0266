"""Local recoding on a histogram (``local_recoding.local_recoding_histogram``) equals local recoding on the
rows it summarises: the same classes, smallest class, suppressed rows, loss and level shares, and every row
released at its entry's levels in its entry's class, for every privacy model, with and without several rows
per person and with floors (the joined view's), at three suppression limits. The building block of a
streamed local recoding (issue 17): the first pass accumulates exactly these entries."""

from __future__ import annotations

import numpy as np
import pytest

from pipeline.errors import PrivacyError
from pipeline.search.local_recoding import local_recoding, local_recoding_histogram
from tests.search.small_data import encode, frame
from tests.search.test_search_exact import CASES
from tests.search.test_weighted import histogram


@pytest.mark.parametrize("floored", [False, True], ids=["no floors", "floors"])
@pytest.mark.parametrize("limit", [0.0, 0.04, 0.15])
@pytest.mark.parametrize(("models", "per_person"), CASES, ids=[" + ".join(map(str, m)) for m, _ in CASES])
def test_local_histogram_equals_local_rows(models, per_person, limit, floored) -> None:
    df = frame(rows=600, seed=5)
    qis, sens = encode(df)
    person = df["person"].to_numpy() if per_person else None
    h_qis, h_sens, rows, pairs, entry = histogram(df, qis, sens, per_person)
    assert len(rows) < len(df)  # a histogram, not the rows again
    floors = h_floors = None
    if floored:  # a function of the tuple, as the joined view's floors are of a person's released label
        first = np.asarray(qis[0].codes) % 2
        floors = {qis[0].name: first}
        h_floors = {qis[0].name: np.asarray(h_qis[0].codes) % 2}
    try:
        want = local_recoding(qis, sens, person, models, limit, floors=floors)
    except PrivacyError as exc:
        with pytest.raises(PrivacyError) as got_exc:
            local_recoding_histogram(h_qis, h_sens, rows, pairs, models, limit, floors=h_floors)
        assert str(got_exc.value) == str(exc)
        return
    got = local_recoding_histogram(h_qis, h_sens, rows, pairs, models, limit, floors=h_floors)
    assert (got.classes, got.min_class_size, got.suppressed_rows, got.rounds) == (
        want.classes, want.min_class_size, want.suppressed_rows, want.rounds)
    assert got.loss["lm"] == pytest.approx(want.loss["lm"])
    assert got.loss["weighted"] == pytest.approx(want.loss["weighted"])
    for name, shares in want.level_shares.items():
        assert got.level_shares[name] == pytest.approx(shares), name
    # each row as its entry: kept, levels, class
    assert np.array_equal(got.keep[entry], want.keep)
    for name, levels in want.row_levels.items():
        assert np.array_equal(got.row_levels[name][entry], levels), name
    assert np.array_equal(got.class_id[entry], want.class_id)
    if floored:
        kept = want.keep
        assert (want.row_levels[qis[0].name][kept] >= first[kept]).all()
