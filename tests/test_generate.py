"""Synthetic extracts: deterministic, the agreed columns, valid My Numbers, messy like a real export."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from stdnum.jp import in_ as my_number

from pipeline.cli.main import main
from pipeline.generate import (
    DISEASES,
    HIERARCHY_FILES,
    OCCUPATIONS,
    RARE_DISEASES,
    REFERENCE_DATE,
    generate_extracts,
    hierarchy_rows,
    write_hierarchy_files,
)
from pipeline.generate.geography import PREFECTURES
from pipeline.generate.pools import _name_pool, cp932_ok
from pipeline.hierarchies.base import Hierarchy

ROOT = Path(__file__).resolve().parents[1]
POLICY_COLUMNS = [
    "証券番号", "氏名", "カナ", "生年月日", "性別", "郵便番号", "住所", "電話", "e-mail", "個人番号",
    "職業", "保険種類", "保険料", "保険金額", "契約日", "代理店コード", "備考",
]  # fmt: skip
CLAIM_COLUMNS = ["請求番号", "証券番号", "請求日", "傷病名", "入院日数", "支払額", "担当者メモ"]
ROWS = 3000
WAREKI = re.compile(r"^(?:大正|昭和|平成|令和|[TSHR]\d)")
FULLWIDTH_DIGIT = re.compile(r"[０-９]")
MY_NUMBER_IN_TEXT = re.compile(
    r"(?<![0-9０-９])[0-9０-９]{4}[ 　\-－]?[0-9０-９]{4}[ 　\-－]?[0-9０-９]{4}(?![0-9０-９])"
)


def nfkc(s: str) -> str:
    return unicodedata.normalize("NFKC", s)


def read(path: Path, encoding: str = "utf-8") -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding=encoding)


@pytest.fixture(scope="module")
def utf8(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return generate_extracts(tmp_path_factory.mktemp("gen_utf8"), ROWS, seed=7)


@pytest.fixture(scope="module")
def cp932(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return generate_extracts(tmp_path_factory.mktemp("gen_cp932"), ROWS, seed=7, encoding="cp932")


@pytest.fixture(scope="module")
def policies(utf8: dict[str, Path]) -> pd.DataFrame:
    return read(utf8["policyholders"])


@pytest.fixture(scope="module")
def claims(utf8: dict[str, Path]) -> pd.DataFrame:
    return read(utf8["claims"])


def test_same_seed_same_bytes_other_seed_other_data(tmp_path: Path) -> None:
    a = generate_extracts(tmp_path / "a", 400, seed=3)
    b = generate_extracts(tmp_path / "b", 400, seed=3)
    c = generate_extracts(tmp_path / "c", 400, seed=4)
    for table in ("policyholders", "claims"):
        assert a[table].read_bytes() == b[table].read_bytes()
        assert a[table].read_bytes() != c[table].read_bytes()


def test_same_seed_same_bytes_in_another_process(tmp_path: Path) -> None:
    """The demo must be reproducible: nothing may depend on hash randomisation or process state."""
    here = generate_extracts(tmp_path / "here", 300, seed=12)
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    cmd = ["generate", "--rows", "300", "--seed", "12", "--out", str(tmp_path / "there")]
    subprocess.run([sys.executable, "-m", "pipeline.cli.main", "-q", *cmd], check=True, env=env, timeout=120)
    for table, path in here.items():
        assert (tmp_path / "there" / path.name).read_bytes() == path.read_bytes(), table


def test_columns_and_files(utf8: dict[str, Path], policies: pd.DataFrame, claims: pd.DataFrame) -> None:
    assert {k: p.name for k, p in utf8.items()} == {
        "policyholders": "policyholders.csv",
        "claims": "claims.csv",
    }
    assert list(policies.columns) == POLICY_COLUMNS
    assert list(claims.columns) == CLAIM_COLUMNS
    assert len(policies) == ROWS
    assert not utf8["policyholders"].read_bytes().startswith(b"\xef\xbb\xbf")


def test_cp932_is_cp932_not_utf8_and_holds_the_same_data(
    utf8: dict[str, Path], cp932: dict[str, Path]
) -> None:
    for table in ("policyholders", "claims"):
        raw = cp932[table].read_bytes()
        with pytest.raises(UnicodeDecodeError):
            raw.decode("utf-8")
        assert raw.decode("cp932").replace("\r\n", "\n") == utf8[table].read_text(encoding="utf-8")


def test_utf8_sig_has_bom_and_parquet_is_all_strings(tmp_path: Path) -> None:
    sig = generate_extracts(tmp_path / "sig", 200, seed=1, encoding="utf-8-sig")
    assert sig["policyholders"].read_bytes().startswith(b"\xef\xbb\xbf")
    assert list(read(sig["policyholders"], "utf-8-sig").columns) == POLICY_COLUMNS
    pq_paths = generate_extracts(tmp_path / "pq", 200, seed=1, fmt="parquet")
    table = pq.read_table(pq_paths["policyholders"])
    assert pq_paths["policyholders"].suffix == ".parquet"
    assert table.column_names == POLICY_COLUMNS
    assert {str(t) for t in table.schema.types} == {"string"}
    assert table.num_rows == 200


def test_a_single_policy_is_a_valid_extract(tmp_path: Path) -> None:
    paths = generate_extracts(tmp_path, 1, seed=2)
    assert len(read(paths["policyholders"])) == 1
    assert list(read(paths["claims"]).columns) == CLAIM_COLUMNS  # header even when no claim was drawn


def test_every_my_number_is_valid_in_several_spellings(policies: pd.DataFrame, claims: pd.DataFrame) -> None:
    given = policies.loc[policies["個人番号"] != "", "個人番号"]
    assert 0.4 * ROWS < len(given) < 0.8 * ROWS  # not every customer has handed in a My Number
    compact = given.map(lambda s: re.sub(r"[\s\-]", "", nfkc(s)))
    assert compact.str.fullmatch(r"\d{12}").all()
    assert compact.map(my_number.is_valid).all()
    assert given.str.contains(" ").any() and given.str.contains("-").any()
    assert given.str.contains(FULLWIDTH_DIGIT).any() and given.str.fullmatch(r"\d{12}").any()
    in_memos = [
        m
        for text in pd.concat([policies["備考"], claims["担当者メモ"]])
        for m in MY_NUMBER_IN_TEXT.findall(text)
    ]
    assert len(in_memos) >= 10
    assert all(my_number.is_valid(re.sub(r"[\s\-]", "", nfkc(m))) for m in in_memos)


def test_keys_unique_and_claims_link_to_policies(policies: pd.DataFrame, claims: pd.DataFrame) -> None:
    assert policies["証券番号"].str.fullmatch(r"KZ\d{8}").all() and policies["証券番号"].is_unique
    assert claims["請求番号"].str.fullmatch(r"CL\d{8}").all() and claims["請求番号"].is_unique
    assert claims["証券番号"].isin(policies["証券番号"]).all()
    assert 0.45 < len(claims) / len(policies) < 0.75
    per_policy = claims["証券番号"].value_counts()
    assert per_policy.max() > 3  # heavy claimants exist
    assert policies["証券番号"].isin(per_policy.index).mean() < 0.5  # most policies never claim


def test_values_parse_with_the_pipeline_normalisers(policies: pd.DataFrame, claims: pd.DataFrame) -> None:
    """The generator's contract with its consumer: every spelling is one the normalisers accept."""
    from pipeline.normalise.amounts import parse_amount, parse_integer
    from pipeline.normalise.dates import parse_date
    from pipeline.normalise.sex import parse_sex

    def parsed(series: pd.Series, parse) -> pd.Series:
        uniq = pd.Series(series.unique())
        return series.map(dict(zip(uniq, uniq.map(lambda v: parse(nfkc(v))), strict=True)))

    birth = parsed(policies["生年月日"], parse_date)
    contract = parsed(policies["契約日"], parse_date)
    assert contract.min().year == 2015 and contract.max() < REFERENCE_DATE
    age = birth.map(
        lambda d: (
            REFERENCE_DATE.year - d.year - ((REFERENCE_DATE.month, REFERENCE_DATE.day) < (d.month, d.day))
        )
    )
    assert age.min() >= 18 and age.between(18, 95).mean() > 0.98
    assert (age > 100).sum() >= 1  # an idiosyncratic centenarian (born 1918-1925)
    claim_day = parsed(claims["請求日"], parse_date)
    by_policy = dict(zip(policies["証券番号"], contract, strict=True))
    assert (claim_day > claims["証券番号"].map(by_policy)).all()
    assert claim_day.max() < REFERENCE_DATE
    assert set(parsed(policies["性別"], parse_sex)) == {"男", "女"}
    for series in (policies["保険料"], policies["保険金額"], claims["支払額"]):
        assert (parsed(series, parse_amount) > 0).all()
    assert parsed(claims["入院日数"], parse_integer).between(0, 180).all()


def test_messy_spellings_are_present(policies: pd.DataFrame, claims: pd.DataFrame) -> None:
    birth = policies["生年月日"]
    assert birth.str.contains(WAREKI).mean() > 0.1
    assert birth.str.contains(FULLWIDTH_DIGIT).any() and birth.str.fullmatch(r"\d{4}-\d{2}-\d{2}").any()
    assert birth.str.contains("年").any() and birth.str.fullmatch(r"\d{8}").any()
    assert set(policies["性別"]) >= {"男", "女", "男性", "女性", "M", "F", "1", "2"}
    postal = policies["郵便番号"]
    assert postal.str.startswith("〒").any() and postal.str.fullmatch(r"\d{7}").any()
    assert postal.str.fullmatch(r"\d{3}-\d{4}").any() and postal.str.contains(FULLWIDTH_DIGIT).any()
    phone = policies["電話"]
    assert (
        phone.str.fullmatch(r"0[789]0-\d{4}-\d{4}").any() and phone.str.fullmatch(r"\(0\d+\)\d+-\d{4}").any()
    )
    assert phone.str.fullmatch(r"\d{10,11}").any() and phone.str.contains(FULLWIDTH_DIGIT).any()
    assert phone.str.startswith("050").any()
    amounts = pd.concat([policies["保険料"], claims["支払額"]])
    for mark in (",", "￥", "円", "，"):
        assert amounts.str.contains(mark).any(), mark
    assert claims["入院日数"].str.contains(FULLWIDTH_DIGIT).any()
    assert policies["カナ"].str.contains(r"[ｦ-ﾟ]").any()  # half-width kana, as bank-style systems keep it


def test_memos_hide_personal_data_and_are_often_empty(policies: pd.DataFrame, claims: pd.DataFrame) -> None:
    notes, memos = policies["備考"], claims["担当者メモ"]
    assert 0.4 < (notes == "").mean() < 0.8 and 0.4 < (memos == "").mean() < 0.8
    both = pd.concat([notes, memos])
    assert both.str.contains("様").any() and both.str.contains("さん").any()
    assert both.str.contains(r"[\w.]+@[\w.]+\.(?:com|jp)").any()
    assert both.str.contains(r"0\d{1,3}-\d{2,4}-\d{4}").any()
    assert both.str.contains("書類不備のため再送依頼").any()
    assert both.str.contains(",").any() and both.str.contains('"').any()  # CSV quoting is exercised
    names_in_notes = [n for n in policies["氏名"].unique() if notes.str.contains(n, regex=False).any()]
    assert names_in_notes


def test_prefectures_skewed_like_the_population(policies: pd.DataFrame) -> None:
    names = [p.name for p in PREFECTURES]
    pref = policies["住所"].map(lambda a: next((n for n in names if a.startswith(n)), None))
    assert pref.notna().all()
    share = pref.value_counts(normalize=True)
    assert share.index[0] == "東京都"
    assert share[["東京都", "神奈川県", "大阪府", "愛知県"]].sum() > 0.25
    assert share.iloc[-1] < 0.01


def test_hierarchy_files_are_generated_and_cover_every_value(
    policies: pd.DataFrame, claims: pd.DataFrame, tmp_path: Path
) -> None:
    committed = ROOT / "configs" / "hierarchies"
    regenerated = write_hierarchy_files(tmp_path)
    for path in regenerated:  # drift guard: the committed files are exactly what the vocabularies give
        assert (committed / path.name).read_text(encoding="utf-8") == path.read_text(encoding="utf-8")
    for column, frame in (("職業", policies), ("傷病名", claims)):
        rows = [
            line.split(";") for line in (committed / HIERARCHY_FILES[column]).read_text("utf-8").splitlines()
        ]
        assert {len(r) for r in rows} == {3} and {r[-1] for r in rows} == {"*"}
        assert rows == hierarchy_rows(column)
        Hierarchy.from_rows(column, rows, source=HIERARCHY_FILES[column])  # nesting and duplicates validated
        assert set(frame[column]) <= {r[0] for r in rows}
    assert {o.name for o in OCCUPATIONS} == {r[0] for r in hierarchy_rows("職業")}
    assert {d.name for d in DISEASES} == {r[0] for r in hierarchy_rows("傷病名")}


def test_rare_diseases_occur_a_handful_of_times(claims: pd.DataFrame) -> None:
    counts = claims["傷病名"].value_counts()
    for disease in RARE_DISEASES:
        assert 1 <= counts.get(disease, 0) <= 5
    assert counts.iloc[0] > 30


def test_non_cp932_faker_values_are_dropped_from_pools() -> None:
    assert cp932_ok("髙橋") and not cp932_ok("𠮷田")
    draws = iter([("𠮷田", "ヨシダ", "Yoshida"), ("佐藤", "サトウ", "Sato"), ("吉田", "ヨシダ", "Yoshida")])
    pool = _name_pool(lambda: next(draws), 3)
    assert pool.kanji.to_pylist() == ["佐藤", "吉田"]
    assert pool.kana_half.to_pylist() == ["ｻﾄｳ", "ﾖｼﾀﾞ"]


def test_cli_generate_end_to_end(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "extract"
    args = ["generate", "--rows", "250", "--out", str(out), "--seed", "9", "--encoding", "cp932"]
    assert main(args) == 0
    assert "policyholders" in capsys.readouterr().out
    frame = read(out / "policyholders.csv", "cp932")
    assert len(frame) == 250 and list(frame.columns) == POLICY_COLUMNS
    assert list(read(out / "claims.csv", "cp932").columns) == CLAIM_COLUMNS
    with pytest.raises(SystemExit):
        main(["generate", "--rows", "0", "--out", str(tmp_path / "none")])
    assert not (tmp_path / "none").exists()
    assert main(["generate", "--rows", "50", "--out", str(tmp_path / "pq"), "--format", "parquet"]) == 0
    assert sorted(p.name for p in (tmp_path / "pq").iterdir()) == ["claims.parquet", "policyholders.parquet"]


def test_by_group_takes_chunked_parts() -> None:
    """At 10M rows pyarrow hands a group's strings back as a ChunkedArray (``generate --rows 10000000`` failed
    on the phone numbers); the groups are still put back in row order."""
    import numpy as np
    import pyarrow as pa

    from pipeline.generate.render import by_group

    groups = np.array([1, 0, 1, 0, 2])

    def build(group: int, idx: np.ndarray) -> pa.ChunkedArray:
        return pa.chunked_array([[f"{group}:{i}" for i in idx[:1]], [f"{group}:{i}" for i in idx[1:]]])

    assert by_group(groups, build).to_pylist() == ["1:0", "0:1", "1:2", "0:3", "2:4"]
