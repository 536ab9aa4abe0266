"""Per-class statistics against the definitions, on a matrix small enough to compute by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from pipeline.privacy import (
    DistinctLDiversity,
    EntropyLDiversity,
    EqualDistanceTCloseness,
    OrderedDistanceTCloseness,
    RecursiveCLDiversity,
)
from pipeline.validation.metrics.class_statistic import class_stats, persons_per_class
from pipeline.validation.metrics.value_persons import persons_per_value

# class (a): values x,x,y ; class (b): values z,z,z,None. Table distribution over x,y,z: 2/6, 1/6, 3/6.
DF = pd.DataFrame({
    "q": ["a", "a", "a", "b", "b", "b", "b"],
    "s": ["x", "x", "y", "z", "z", "z", None],
    "p": ["1", "1", "2", "3", "4", "5", "6"],
})


def _counts(df: pd.DataFrame) -> list[list[int]]:
    """Non-null rows per (class, value) as a dense matrix, classes in their order of appearance."""
    stats = class_stats(df, ["q"], "p", "s")
    p = stats.pairs("s")
    m = np.zeros((stats.n_classes, p.n_values), dtype=int)
    m[p.cls, p.value] = p.count
    return m.tolist()


def test_values_are_sorted_and_nulls_are_no_value() -> None:
    assert _counts(DF) == [[2, 1, 0], [0, 0, 3]]
    s = class_stats(DF, ["q"], "p", "s")
    assert s.rows.tolist() == [3, 4]  # the null row is a row of its class, not a value
    assert s.values_per_class("s").tolist() == [3, 3]
    assert s.pairs("s").reference == pytest.approx([2 / 6, 1 / 6, 3 / 6])


def test_persons_not_rows() -> None:
    assert persons_per_class(DF, ["q"], "p").tolist() == [2, 4]
    assert persons_per_class(DF, ["q"], None).tolist() == [3, 4]
    assert class_stats(DF, ["q"], "p", None).persons.tolist() == [2, 4]
    assert sorted(persons_per_value(DF, "s", "p").tolist()) == [1, 1, 3]


def test_diversity_statistics() -> None:
    s = class_stats(DF, ["q"], "p", "s")
    assert DistinctLDiversity("s", 2).statistic(s).tolist() == [2, 1]
    h = -(2 / 3 * math.log(2 / 3) + 1 / 3 * math.log(1 / 3))
    assert EntropyLDiversity("s", 2).statistic(s) == pytest.approx([math.exp(h), 1.0])
    # r1 / (r2 + …); class b has one value
    assert RecursiveCLDiversity("s", 3, 2).statistic(s).tolist() == [2.0, math.inf]


def test_closeness_statistics() -> None:
    s = class_stats(DF, ["q"], "p", "s")
    p_a, p_b, q = np.array([2, 1, 0]) / 3, np.array([0, 0, 1.0]), np.array([2, 1, 3]) / 6
    assert EqualDistanceTCloseness("s", 0.5).statistic(s) == pytest.approx(
        [0.5 * abs(p_a - q).sum(), 0.5 * abs(p_b - q).sum()])
    expected = [abs(np.cumsum(p - q)).sum() / 2 for p in (p_a, p_b)]
    assert OrderedDistanceTCloseness("s", 0.5).statistic(s) == pytest.approx(expected)


def test_null_quasi_identifiers_form_one_class() -> None:
    df = pd.DataFrame({"q": ["a", None, None], "p": ["1", "2", "3"]})
    assert sorted(persons_per_class(df, ["q"], "p").tolist()) == [1, 2]


def test_categorical_columns_give_the_same_statistics() -> None:
    """The runner hands GX categoricals; unused categories must not count as classes or values."""
    cat = DF.astype("category")
    cat["s"] = cat["s"].cat.add_categories(["unused"])
    cat["q"] = cat["q"].cat.add_categories(["never"])
    assert persons_per_class(cat, ["q"], "p").tolist() == [2, 4]
    assert persons_per_class(cat, ["q"], None).tolist() == [3, 4]
    assert sorted(persons_per_value(cat, "s", None).tolist()) == [1, 2, 3]
    assert sorted(persons_per_value(cat, "s", "p").tolist()) == [1, 1, 3]
    assert _counts(cat) == [[2, 1, 0], [0, 0, 3]]
    # categories in another order than the values' own: the values are ranked, not the categories
    shuffled = DF.copy()
    shuffled["s"] = pd.Categorical(DF["s"], categories=["z", "unused", "y", "x"])
    assert _counts(shuffled) == [[2, 1, 0], [0, 0, 3]]
    nulls = pd.DataFrame({"q": ["a", None, None], "p": ["1", "2", "3"]}).astype("category")
    assert sorted(persons_per_class(nulls, ["q"], "p").tolist()) == [1, 2]


MESSY = pd.DataFrame({
    # full-width and half-width spellings stay different values; nulls of several kinds; a value held
    # only by rows without a person; mixed types in the person key (1, 1.0 and "1" as pandas compares them)
    "s": ["ＡＢＣ", "ABC", "ABC", None, "x", "x", np.nan, "only-null-persons", "ＡＢＣ", "x", "ｶﾅ", "カナ"],
    "p": [1, 1.0, "1", "2", None, np.nan, "3", None, "ｐ", "p", "p", "ｐ"],
}, dtype=object)


def _old_persons_per_value(df: pd.DataFrame, column: str, person_key: str | None) -> list[int]:
    present = df[column].notna()
    groups = df.loc[present].groupby(column, sort=False, observed=True)
    counts = groups.size() if person_key is None else groups[person_key].nunique()
    return sorted(counts.tolist())


@pytest.mark.parametrize("person_as_category", [False, True])
@pytest.mark.parametrize("rows", [slice(None), slice(1, 7), slice(3, 4), slice(0, 0)])
def test_persons_per_value_through_codes_equals_nunique(person_as_category: bool, rows: slice) -> None:
    """The categorical path (codes + bincount) counts what groupby().nunique() counts, on messy input."""
    df = MESSY.iloc[rows].copy()
    cat = df.copy()
    cat["s"] = cat["s"].astype("category").cat.add_categories(["unused"])
    if person_as_category:
        cat["p"] = cat["p"].astype("category")
    for key in ("p", None):
        expected = _old_persons_per_value(cat, "s", key)
        assert sorted(persons_per_value(cat, "s", key).tolist()) == expected
        assert sorted(persons_per_value(df, "s", key).tolist()) == expected


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_categorical_and_plain_columns_give_identical_class_statistics(seed: int) -> None:
    """The gate's fast paths (sensitive values coded through the categories; distinct persons by one sort)
    against the plain columns, with nulls in every column and categories some rows never use."""
    rng = np.random.default_rng(seed)
    n = 500
    df = pd.DataFrame({
        "q": rng.choice(["a", "b", "c", None], n),
        "s": rng.choice(["x", "ｘ", "y", "10", "9", None], n),
        "p": rng.choice([f"P{i}" for i in range(120)] + [None], n),
    }, dtype=object)
    cat = df.astype("category")
    cat["s"] = cat["s"].cat.add_categories(["unused"]).cat.reorder_categories(
        ["unused", *reversed(cat["s"].cat.categories.tolist())])
    for person in ("p", None):
        plain, coded = class_stats(df, ["q"], person, "s"), class_stats(cat, ["q"], person, "s")
        assert coded.n_classes == plain.n_classes
        np.testing.assert_array_equal(coded.rows, plain.rows)
        np.testing.assert_array_equal(coded.persons, plain.persons)
        a, b = plain.pairs("s"), coded.pairs("s")
        assert (a.n_values, a.null) == (b.n_values, b.null)
        for field in ("cls", "value", "count", "reference"):
            np.testing.assert_array_equal(getattr(b, field), getattr(a, field))
    # the person key as the gate holds linking codes (Arrow strings, coded by Arrow's hash once)
    arrow = cat.assign(p=pd.Series(df["p"], dtype="string[pyarrow]"))
    for sensitive in ("s", None):
        plain, coded = class_stats(df, ["q"], "p", sensitive), class_stats(arrow, ["q"], "p", sensitive)
        np.testing.assert_array_equal(coded.persons, plain.persons)
    assert sorted(persons_per_value(arrow, "s", "p").tolist()) == _old_persons_per_value(df, "s", "p")
    # the persons against a direct count
    direct = df.assign(q=df["q"].fillna("<null>"), p=df["p"].fillna("<null>")).groupby("q", sort=False)["p"]
    assert sorted(class_stats(cat, ["q"], "p", None).persons.tolist()) == sorted(direct.nunique().tolist())


def test_key_codes_of_arrow_strings_are_a_factorisation_kept_while_the_column_lives() -> None:
    """Equal codes exactly for equal keys (full width, case and empty text apart; -1 for a null), the same
    codes for a copy of the frame (GX copies it per metric) without hashing again, forgotten with the
    column."""
    import gc

    from pipeline.validation.metrics import keys as keys_module
    from pipeline.validation.metrics.keys import key_codes

    cells = ["abc", "ａｂｃ", "ABC", "", None, "abc", "", "x" * 40, None, "ABC"]
    # several chunks, as a release read back row group by row group: hashed as they are, one dictionary
    column = pd.concat([pd.Series(cells * 25, dtype="string[pyarrow]")] * 2, ignore_index=True)
    assert column.array._pa_array.num_chunks == 2
    codes, n = key_codes(column)
    want, uniques = pd.factorize(pd.Series(cells * 50, dtype=object))
    assert n == len(uniques) == 5
    assert ((codes >= 0) == (want >= 0)).all()
    pairs = set(zip(codes.tolist(), want.tolist(), strict=True))
    assert len(pairs) == 6 and len({a for a, _ in pairs}) == 6  # a bijection, nulls on -1
    frame = pd.DataFrame({"k": column})
    copied = frame.copy(deep=True)["k"]
    again, _ = key_codes(copied)
    assert again is codes  # the memo: a copy shares the Arrow column
    assert not again.flags.writeable
    entries = len(keys_module._MEMO)
    del column, frame, copied
    gc.collect()
    assert len(keys_module._MEMO) == entries - 1


@pytest.mark.parametrize("dtype", [object, "string[pyarrow]", "category"])
def test_person_codes_say_when_each_row_is_its_own_person(dtype: object) -> None:
    """``None`` for a distinct key per row and none null (the rules then count rows); one null key or one
    repeated key and the person key's :func:`key_codes` come back."""
    from pipeline.validation.metrics.keys import key_codes, person_codes

    keys = pd.Series([f"K{i:05d}" for i in range(6)], dtype=object)
    assert person_codes(keys.astype(dtype)) is None
    assert person_codes(keys.iloc[:0].astype(dtype)) is None
    for other in (keys.where(keys.index != 2, None), keys.where(keys.index != 2, "K00003")):
        held = other.astype(dtype)
        coded = person_codes(held)
        assert coded is not None
        codes, n = key_codes(held)
        np.testing.assert_array_equal(coded[0], codes)
        assert coded[1] == n == 5


@pytest.mark.parametrize("dtype", [object, "string[pyarrow]", "category"])
def test_a_person_per_row_counts_rows(dtype: object) -> None:
    """Keys all distinct and none null (a policyholders table): persons per class and per value are rows,
    as the sorted pairs count them; one null key or one repeated key and the pairs are counted again."""
    rng = np.random.default_rng(5)
    n = 400
    df = pd.DataFrame({"q": rng.choice(["a", "b", "c"], n), "s": rng.choice(["x", "y", None], n),
                       "p": [f"K{i:05d}" for i in range(n)]}, dtype=object)
    for keys in (df["p"], df["p"].where(df.index != 7, None), df["p"].where(df.index != 7, "K00008")):
        plain = df.assign(p=keys)
        held = plain.assign(p=plain["p"].astype(dtype))
        want = plain.assign(p=plain["p"].fillna("<null>")).groupby("q", sort=False)["p"].nunique()
        assert sorted(class_stats(held, ["q"], "p", None).persons.tolist()) == sorted(want.tolist())
        assert sorted(persons_per_value(held, "s", "p").tolist()) == _old_persons_per_value(plain, "s", "p")


def test_unused_categories_do_not_make_a_repeated_key_a_person_per_row() -> None:
    """A categorical person key with as many categories as rows, some unused, while a key repeats (or is
    null): persons are counted from the codes, not taken as one per row."""
    from pipeline.validation.metrics.keys import person_codes

    categories = [f"K{i:05d}" for i in range(4)]
    for keys in (["K00000", "K00000", "K00001", "K00002"], ["K00000", None, "K00001", "K00002"]):
        held = pd.Series(pd.Categorical(keys, categories=categories))
        coded = person_codes(held)
        assert coded is not None
        np.testing.assert_array_equal(coded[0], held.cat.codes.to_numpy())
    assert person_codes(pd.Series(pd.Categorical(categories, categories=categories))) is None
