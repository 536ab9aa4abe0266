"""The gate on a candidate: passes a k-anonymous release, blocks each kind of breach, writes results."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from pipeline.errors import ValidationFailed
from pipeline.validation.runner import scrub
from tests.validation.release_factory import candidate, frame, gate, make_release


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_release(tmp_path_factory.mktemp("gate") / "release")


def test_valid_release_passes_and_writes_results(release: Path) -> None:
    manifest = json.loads((release / "manifest.json").read_text(encoding="utf-8"))
    summary = manifest["validation"]
    assert summary["success"] is True and summary["failed"] == []
    assert summary["evaluated"] == summary["successful"] > 20
    results = json.loads((release / "validation" / "results.json").read_text(encoding="utf-8"))
    assert results["profile"] == "internal" and results["success"] is True
    types = {r["expectation_config"]["type"] for v in results["validations"] for r in v["results"]}
    assert {"expect_classes_to_have_k_persons", "expect_classes_to_have_l_distinct_sensitive_values",
            "expect_no_my_number", "expect_no_rare_values", "expect_columns_to_be_published_items",
            "expect_values_to_be_hierarchy_labels", "expect_values_within_codes",
            "expect_linking_code_to_be_surrogate", "expect_row_count_to_match_manifest"} <= types
    assert (release / "validation" / "docs" / "index.html").is_file()
    # GX's MD5 of the frame in memory is not taken (pipeline.validation.runner.no_frame_fingerprint) and
    # its switch is GX's again afterwards
    from great_expectations.execution_engine import pandas_execution_engine

    assert "pandas_data_fingerprint" not in json.dumps(results)
    assert pandas_execution_engine.HASH_THRESHOLD == 1e9


def test_gate_prints_nothing(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    """GX's progress bars and log lines stay out of the pipeline's output."""
    capfd.readouterr()
    c = candidate(frame())
    assert gate(c, tmp_path)["success"] is True
    out, err = capfd.readouterr()
    assert out == "" and err == ""


def test_docs_are_offline_and_relative(release: Path) -> None:
    """GX's pages whole (scripts included), every asset from the release (test_docs_assets.py: all of it)."""
    pages = list((release / "validation" / "docs").rglob("*.html"))
    assert len(pages) >= 3  # index, suite page, validation page
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert 'src="http' not in html and "<script" in html, page.name
        assert 'rel="stylesheet" href="http' not in html, page.name
        assert "/tmp/" not in html  # links are relative, no absolute path of the staging directory


def _gate(tmp_path: Path, df, audience: str = "internal") -> tuple[str, dict]:  # type: ignore[no-untyped-def]
    c = candidate(df, audience)
    with pytest.raises(ValidationFailed) as exc:
        gate(c, tmp_path)
    results = json.loads((tmp_path / "validation" / "results.json").read_text(encoding="utf-8"))
    return str(exc.value), results


def test_class_below_k_blocks_release(tmp_path: Path) -> None:
    df = frame()
    small = df["年齢"].eq("90歳以上") & df["性別"].eq("女")
    keep = df.loc[small, "契約キー"].drop_duplicates().iloc[:2]  # 2 persons < k=4
    df = df[~small | df["契約キー"].isin(keep)].reset_index(drop=True)
    message, results = _gate(tmp_path, df)
    assert "k-anonymity" in message and "table policyholders" in message and "failing_classes 1" in message
    assert results["success"] is False
    assert [f["expectation"] for f in results["failed"]] == ["expect_classes_to_have_k_persons"]


@pytest.mark.parametrize(
    ("cell", "rule"),
    [
        ("０９０－１２３４－５６７８", "expect_no_phone_number"),
        ("1234 5678 9012", "expect_no_my_number"),
        ("taro＠example.co.jp", "expect_no_email_address"),
        ("〒100-0001", "expect_no_postal_code"),
        ("山田 太郎", "expect_no_person_name"),
    ],
)
def test_pii_in_a_kept_column_blocks_release_without_echoing_it(tmp_path: Path, cell: str, rule: str) -> None:
    df = frame()
    df["保険種類"] = df["保険種類"].astype(object)
    df.loc[df.index[:8], "保険種類"] = cell  # frequent enough not to be 特異な記述 as well
    message, results = _gate(tmp_path, df)
    assert rule in message and "column 保険種類" in message
    assert rule in {f["expectation"] for f in results["failed"]}
    # the per-row condition GX keeps is sparse (pattern_over_distinct.condition): the count is still exact
    counts = [r["result"]["unexpected_count"] for v in results["validations"] for r in v["results"]
              if r["expectation_config"]["type"] == rule
              and r["expectation_config"]["kwargs"].get("column") == "保険種類"]
    assert counts == [8]
    written = (tmp_path / "validation" / "results.json").read_text(encoding="utf-8")
    docs = "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "validation" / "docs").rglob("*.html"))
    assert cell not in message and cell not in written and cell not in docs


@pytest.mark.parametrize("key", ["KZ00000001", "ａｂｃｄｅｆｇｈｉｊｋｌｍｎ", "Abcdefghijklmn",
                                 "abcdefghijklm"])
def test_a_linking_code_that_is_not_a_surrogate_blocks_release(tmp_path: Path, key: str) -> None:
    """A source policy number, a full-width look-alike, an upper-case or a short token: each is matched as it
    is (no NFKC) against the surrogate format, once per distinct value, and named without its value."""
    df = frame()
    df["契約キー"] = df["契約キー"].astype(object)
    df.loc[df["契約キー"] == df.loc[0, "契約キー"], "契約キー"] = key  # one person's rows, k still holds
    message, results = _gate(tmp_path, df)
    assert "expect_linking_code_to_be_surrogate" in message and "column 契約キー" in message
    assert "expect_linking_code_to_be_surrogate" in {f["expectation"] for f in results["failed"]}
    assert key not in message


def test_an_amount_beyond_its_top_code_blocks_release(tmp_path: Path) -> None:
    """Nullable integers reach GX as float64 (its vectorised path): the bounds still hold, nulls pass."""
    df = frame()
    df["保険料"] = df["保険料"].astype("Int64")
    df.loc[1, "保険料"] = None
    c = candidate(df)
    assert gate(c, tmp_path / "ok")["success"]
    df.loc[0, "保険料"] = 10**7
    _, results = _gate(tmp_path / "bad", df)
    assert {("expect_values_within_codes", "column 保険料")} <= {(f["expectation"], f["target"])
                                                            for f in results["failed"]}


def test_extra_column_and_raw_value_and_rare_value_are_named(tmp_path: Path) -> None:
    df = frame()
    df["氏名"] = "山田太郎"  # an identifier column that slipped through
    df["年齢"] = df["年齢"].astype(object)
    df.loc[0, "年齢"] = "34"  # a raw age, not a label of the released level
    df["保険種類"] = df["保険種類"].astype(object)
    df.loc[1, "保険種類"] = "ペット"  # one person: 特異な記述
    message, results = _gate(tmp_path, df)
    failed = {(f["expectation"], f["target"]) for f in results["failed"]}
    assert ("expect_columns_to_be_published_items", "the table") in failed
    assert ("expect_values_to_be_hierarchy_labels", "column 年齢") in failed
    assert ("expect_no_rare_values", "column 保険種類") in failed
    assert "山田太郎" not in message and "ペット" not in message


def test_third_party_profile_requires_diversity_of_sensitive_values(tmp_path: Path) -> None:
    df = frame()
    df["傷病分類"] = df["年齢"].map(dict(zip(["20-29歳", "30-39歳", "40-49歳", "90歳以上"],
                                            ["循環器", "呼吸器", "消化器", "循環器"], strict=True)))
    c = candidate(df, "third_party")
    c.tables["policyholders"].metrics["models"] = [{"name": "k-anonymity", "k": 4}]  # no l-diversity model
    with pytest.raises(ValidationFailed, match="distinct l-diversity"):
        gate(c, tmp_path)
    # the same data passes the internal profile, which leaves diversity to the configured models
    internal = tmp_path / "internal"
    c2 = candidate(df, "internal")
    c2.tables["policyholders"].metrics["models"] = [{"name": "k-anonymity", "k": 4}]
    assert gate(c2, internal)["success"] is True
    shutil.rmtree(internal)


def test_scrub_keeps_counts_and_exception_types_only() -> None:
    raw = {"results": [{
        "exception_info": {"raised_exception": True, "exception_message": "cannot parse 山田花子",
                           "exception_traceback": "Traceback (most recent call last):\nValueError: 山田花子"},
        "result": {"unexpected_count": 2, "partial_unexpected_list": ["山田花子"], "unexpected_list": ["x"]},
    }]}
    clean = scrub(raw)
    assert "山田花子" not in json.dumps(clean, ensure_ascii=False)
    assert clean["results"][0] == {
        "exception_info": {"raised_exception": True, "exception_type": "ValueError"},
        "result": {"unexpected_count": 2},
    }


@pytest.mark.parametrize("dtype", ["string", "string[pyarrow]", object])
def test_as_category_same_as_pandas_astype(dtype: object) -> None:
    """The Arrow-sorted categorical equals ``astype("category")``: values, codes, category order, dtype."""
    import numpy as np
    import pandas as pd

    from pipeline.validation.runner import as_categories, as_category

    cells = ["b", "a", "é", "あ", "A", "", None, "a", "𠀋", "ｚ", "Z", "10", "9", "ａ", "abc", "ab", None]
    values = pd.Series(cells * 3, dtype=dtype, name="列", index=np.arange(100, 100 + 3 * len(cells)))
    messy = [pd.Series([1, "a", None], dtype=object), pd.Series(["a", b"a", None], dtype=object),
             pd.Series(["a", np.nan, pd.NA, None, "ａ", "a"], dtype=object),
             pd.Series([None, np.nan], dtype=object), pd.Series(["x", 1.5, "x"], dtype=object)]
    for v in (values, values.iloc[:0], values.iloc[6:7], *messy):
        got, want = as_category(v), v.astype("category")
        assert got.dtype == want.dtype and got.equals(want) and got.index.equals(want.index)
        assert got.cat.codes.tolist() == want.cat.codes.tolist() and got.name == want.name
    ints = pd.array([*range(len(values) - 1), None], dtype="Int64")
    frame = pd.DataFrame({"s": values, "n": ints, "f": np.arange(len(values), dtype=np.float64)})
    got = as_categories(frame)
    if dtype == "string[pyarrow]":  # Arrow strings stay as they are (the gate's linking codes, free text)
        assert got["s"] is frame["s"] or got["s"].equals(frame["s"])
    else:
        assert got["s"].equals(frame["s"].astype("category"))
    assert as_categories(got)["s"].equals(got["s"])  # converting a converted frame changes nothing
    # nullable integers become float64 (GX's vectorised numeric path), same values, null as NaN
    assert got["n"].dtype == np.float64 and got["n"].isna().tolist() == frame["n"].isna().tolist()
    assert (got["n"].dropna() == frame["n"].dropna().astype(np.int64)).all()
    assert got["f"] is frame["f"] or got["f"].equals(frame["f"])
    assert frame["s"].dtype == values.dtype and frame["n"].dtype == "Int64"  # the caller's frame is unchanged


def test_as_categories_holds_linking_codes_as_arrow_strings() -> None:
    """A key column (a linking code) becomes Arrow strings with the same values and nulls, never a
    categorical of one category per row; a key that is not all text is left to pandas' categorical."""
    import pandas as pd

    from pipeline.io.arrow import is_arrow_text
    from pipeline.validation.runner import as_categories

    keys = pd.Series(["qwertyuiopasdf", None, "zxcvbnmasdfghj", "qwertyuiopasdf"], dtype=object)
    frame = pd.DataFrame({"key": keys, "label": ["a", "b", "a", None], "mixed": [b"x", "y", None, "y"]})
    got = as_categories(frame, keys=("key", "mixed"))
    assert is_arrow_text(got["key"]) and got["key"].isna().tolist() == [False, True, False, False]
    assert got["key"].astype(object).where(got["key"].notna(), None).tolist() == keys.tolist()
    assert isinstance(got["label"].dtype, pd.CategoricalDtype)
    assert isinstance(got["mixed"].dtype, pd.CategoricalDtype)
    assert got["mixed"].equals(frame["mixed"].astype("category"))


def test_verify_reads_a_table_into_the_frame_the_gate_checks(release: Path) -> None:
    """The compact read (:func:`~pipeline.release.compact.read_compact`: labels as categoricals of Arrow
    strings, linking codes as Arrow strings, never a Python string per cell) gives the suite the frame it
    gets from ``pd.read_parquet``: same columns, dtypes (a categorical's categories held as Arrow strings,
    not objects), categories in the same order, values and nulls; and the suite finds the same on both."""
    import pandas as pd

    from pipeline.io.arrow import is_arrow_text
    from pipeline.release.compact import read_compact
    from pipeline.release.manifest import read_manifest
    from pipeline.validation.rules import rules_for
    from pipeline.validation.runner import as_categories, run_suites
    from pipeline.validation.suite import build_suites, load_profile

    manifest = read_manifest(release)
    compact, plain = {}, {}
    for name, entry in manifest.tables.items():
        rules = rules_for(name, entry)
        keys = rules.linking_codes
        path = release / (entry.file or f"data/{name}.parquet")
        got = as_categories(read_compact(path, keys), keys=keys)
        want = as_categories(pd.read_parquet(path), keys=keys)
        assert list(got.columns) == list(want.columns) and len(got) == len(want) > 0
        for column in want.columns:
            a, b = got[column], want[column]
            if isinstance(b.dtype, pd.CategoricalDtype):
                assert isinstance(a.dtype, pd.CategoricalDtype), column
                assert is_arrow_text(pd.Series(a.cat.categories)), column
                assert a.cat.categories.tolist() == b.cat.categories.tolist(), column
            else:
                assert a.dtype == b.dtype, column
            assert a.isna().tolist() == b.isna().tolist(), column
            assert a.astype(object).where(a.notna(), None).tolist() == \
                b.astype(object).where(b.notna(), None).tolist(), column
        compact[name], plain[name] = (got, rules), (want, rules)

    def outcomes(tables: dict) -> list:  # type: ignore[type-arg]
        results = run_suites(build_suites(load_profile("third_party"), tables))
        return [(run["table"], r["expectation_config"]["type"], r["expectation_config"]["kwargs"],
                 r["success"], r.get("result")) for run in results["validations"] for r in run["results"]]

    assert outcomes(compact) == outcomes(plain)
