"""The joined view: claims carry their policyholder's released quasi-identifiers through the person key."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pipeline.identifiers.surrogate import SurrogateSpace
from pipeline.io.arrow import is_arrow_text
from pipeline.validation.joined import joined_view
from pipeline.validation.metrics.class_statistic import class_stats, persons_per_class
from pipeline.validation.rules import rules_from_manifest
from pipeline.validation.runner import as_categories, run_suites
from pipeline.validation.suite import build_suites, load_profile
from pipeline.validation.summary import summarise

K = 3
POLICIES = pd.Series([f"KZ{i:08d}" for i in range(6)])


def _tables(policy_sex: list[str], claim_year: list[str] | None = None) -> dict:  # type: ignore[type-arg]
    persons = SurrogateSpace([POLICIES]).replace(POLICIES).tolist()
    policy = pd.DataFrame({"key": persons, "性別": policy_sex})
    claims = pd.DataFrame({"key": persons, "請求日": claim_year or ["2024"] * 6, "傷病分類": ["A", "B"] * 3})
    policy_entry = {"rows": 6, "quasi_identifiers": ["性別"], "person_key": "key", "k": K,
                    "columns": ["key", "性別"]}
    claims_entry = {"rows": 6, "quasi_identifiers": ["請求日"], "person_key": "key", "k": K,
                    "sensitive": ["傷病分類"], "columns": ["key", "請求日", "傷病分類"],
                    "linked_quasi_identifiers": {"policyholders.性別": 0}}
    return {"policyholders": (policy, rules_from_manifest("policyholders", policy_entry)),
            "claims": (claims, rules_from_manifest("claims", claims_entry))}


def test_joined_frame_carries_the_linked_values() -> None:
    tables = _tables(["男", "男", "男", "女", "女", None])
    frame, rules = joined_view(tables["claims"][1], tables["claims"][0], tables)  # type: ignore[misc]
    assert rules.name == "claims_joined"
    assert rules.quasi_identifiers == ("請求日", "policyholders.性別")
    assert frame["policyholders.性別"].tolist() == ["男", "男", "男", "女", "女", "*"]


def _failed(tables: dict) -> list[tuple[str, str]]:  # type: ignore[type-arg]
    summary = summarise(run_suites(build_suites(load_profile("internal"), tables)))
    return [(f["table"], f["expectation"]) for f in summary["failed"]]


def test_a_class_that_only_the_join_reveals_is_caught() -> None:
    # each table alone is 3-anonymous (男 3 / 女 3; 2023 3 / 2024 3), but joined (2023, 男) holds 2 persons
    years = ["2023", "2023", "2024", "2023", "2024", "2024"]
    failed = _failed(_tables(["男", "男", "男", "女", "女", "女"], years))
    assert failed == [("claims_joined", "expect_classes_to_have_k_persons")]


def test_joined_view_passes_when_every_joined_class_has_k_persons() -> None:
    failed = _failed(_tables(["男", "男", "男", "女", "女", "女"]))
    assert not [f for f in failed if f[0] == "claims_joined"], failed


def _messy_tables(key_dtype: str) -> dict:  # type: ignore[type-arg]
    """Null person keys on both sides, a claim whose person is not in the policyholders, a person listed
    twice (the first row counts), null, full-width and literal '*' linked values, a numeric linked column."""
    policy = pd.DataFrame({
        "key": pd.Series(["a", "b", None, "c", "b", "ｄ", "e", None], dtype=key_dtype),
        "性別": pd.Series(["男", "女", "女", None, "男", "＊", "*", "男"], dtype=key_dtype),
        "保険料": pd.Series([1, 2, None, 3, 4, 5, 6, 7], dtype="Int64"),
    })
    claims = pd.DataFrame({
        "key": pd.Series(["b", "zz", None, "a", "c", "ｄ", "d", "e", "b"], dtype=key_dtype),
        "請求日": ["2024", "2023", None, "2024", "２０２４", "2024", "2023", "2024", "2024"],
        "傷病分類": ["A", "B", None, "A", "B", "A", "A", "B", "B"],
    })
    policy_entry = {"rows": len(policy), "quasi_identifiers": ["性別", "保険料"], "person_key": "key", "k": 1,
                    "columns": list(policy.columns)}
    claims_entry = {"rows": len(claims), "quasi_identifiers": ["請求日"], "person_key": "key", "k": 1,
                    "sensitive": ["傷病分類"], "columns": list(claims.columns),
                    "linked_quasi_identifiers": {"policyholders.性別": 0, "policyholders.保険料": 0}}
    return {"policyholders": (policy, rules_from_manifest("policyholders", policy_entry)),
            "claims": (claims, rules_from_manifest("claims", claims_entry))}


def _cells(series: pd.Series) -> list[object]:
    cells = series.astype(object)
    return [None if pd.isna(v) else float(v) if isinstance(v, int | float) else v for v in cells]


@pytest.mark.parametrize("keys_in_arrow", [False, True])
@pytest.mark.parametrize("key_dtype", ["object", "string"])
def test_joined_view_through_codes_equals_the_merge(key_dtype: str, keys_in_arrow: bool) -> None:
    """Built from the converted frames the gate passes (other text as categoricals; the person key as a
    categorical, or as the gate holds linking codes: Arrow strings, joined by Arrow's ``index_in``), the
    joined view holds the same cells row by row as the merge of the raw frames, and forms the same
    classes."""
    raw = _messy_tables(key_dtype)
    merged, merged_rules = joined_view(raw["claims"][1], raw["claims"][0], raw)  # type: ignore[misc]
    keys = ("key",) if keys_in_arrow else ()
    converted = {name: (as_categories(data, keys=keys), rules) for name, (data, rules) in raw.items()}
    assert is_arrow_text(converted["claims"][0]["key"]) == keys_in_arrow
    coded, coded_rules = joined_view(  # type: ignore[misc]
        converted["claims"][1], converted["claims"][0], converted
    )
    assert coded_rules == merged_rules
    assert list(coded.columns) == list(merged.columns)
    for column in merged.columns:
        assert _cells(coded[column]) == _cells(merged[column]), column
    qis = list(merged_rules.quasi_identifiers)
    before = as_categories(merged)
    assert persons_per_class(coded, qis, "key").tolist() == persons_per_class(before, qis, "key").tolist()
    assert persons_per_class(coded, qis, None).tolist() == persons_per_class(before, qis, None).tolist()
    a, b = class_stats(coded, qis, "key", "傷病分類"), class_stats(before, qis, "key", "傷病分類")
    pa_, pb = a.pairs("傷病分類"), b.pairs("傷病分類")
    for field in ("cls", "value", "count", "reference"):
        assert np.array_equal(getattr(pa_, field), getattr(pb, field)), field


def test_the_gate_lets_go_of_the_frames_it_checked() -> None:
    """GX's execution engine caches each batch's frame and its context is the process's project: the gate
    empties those caches, so no checked frame outlives ``run_suites`` (``verify`` reads the tables again
    after the suite; at 10M the frames left behind were 2.3 GiB)."""
    import gc
    import weakref

    suites = build_suites(load_profile("internal"), _tables(["男", "男", "男", "女", "女", "女"]))
    refs = [weakref.ref(frame) for frame, _suite in suites.values()]
    run_suites(suites)
    del suites
    gc.collect()
    assert refs and all(ref() is None for ref in refs)


def test_the_gate_lets_go_of_the_frames_when_a_suite_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    """The same when a suite raises (here the second table's frame cannot be handed to GX, after the first
    table was checked and cached): the error reaches the caller and the frames are let go all the same."""
    import gc
    import weakref

    from pipeline.validation import runner

    convert = runner.as_categories
    handed: list[str] = []

    def raising(data: pd.DataFrame, keys: tuple[str, ...] = ()) -> pd.DataFrame:
        handed.append("frame")
        if len(handed) == 2:
            raise RuntimeError("a suite that raises")
        return convert(data, keys)

    suites = build_suites(load_profile("internal"), _tables(["男", "男", "男", "女", "女", "女"]))
    refs = [weakref.ref(frame) for frame, _suite in suites.values()]
    monkeypatch.setattr(runner, "as_categories", raising)
    with pytest.raises(RuntimeError, match="a suite that raises"):
        run_suites(suites)
    del suites
    gc.collect()
    assert len(handed) == 2 and refs and all(ref() is None for ref in refs)


def test_first_rows_of_arrow_keys_in_several_chunks() -> None:
    """Keys and source keys as a release read back row group by row group (several Arrow chunks each, joined
    as they are): each row finds the first source row of its key, a null the first null, -1 when absent."""
    from pipeline.validation.joined import first_rows

    source = [None, "b", "a", "b", "c", None, "a"]
    keys = ["a", "z", None, "c", "b", "a"]
    text = "string[pyarrow]"
    chunked = [pd.concat([pd.Series(v[:3], dtype=text), pd.Series(v[3:], dtype=text)], ignore_index=True)
               for v in (keys, source)]
    assert all(c.array._pa_array.num_chunks == 2 for c in chunked)
    want = [source.index(k) if k in source else -1 for k in keys]
    assert first_rows(*chunked).tolist() == want == [2, -1, 0, 4, 1, 2]
