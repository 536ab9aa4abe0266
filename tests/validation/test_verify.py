"""``verify`` on a release directory: intact passes; each kind of tampering is caught."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from pipeline.cli.main import main
from pipeline.validation.verify import verify_release
from tests.validation.release_factory import make_release, reseal


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_release(tmp_path_factory.mktemp("verify") / "release")


@pytest.fixture
def release(pristine: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(pristine, tmp_path / "release"))


def _data(release: Path) -> pd.DataFrame:
    return pd.read_parquet(release / "data" / "policyholders.parquet")


def _write(release: Path, df: pd.DataFrame) -> None:
    df.to_parquet(release / "data" / "policyholders.parquet", index=False)


def test_intact_release_verifies(pristine: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert verify_release(pristine) == []
    assert main(["verify", str(pristine)]) == 0
    assert "intact" in capsys.readouterr().out


def test_changed_cell_breaks_the_checksum(release: Path, capsys: pytest.CaptureFixture[str]) -> None:
    df = _data(release)
    df.loc[0, "保険料"] = int(df.loc[0, "保険料"]) + 1
    _write(release, df)
    problems = verify_release(release)
    assert problems == [
        "data/policyholders.parquet: SHA-256 does not match manifest.json (the file was changed)"
    ]
    assert main(["verify", str(release)]) == 8
    assert "SHA-256" in capsys.readouterr().err


def test_added_phone_column_is_caught_even_with_new_checksums(release: Path) -> None:
    df = _data(release)
    df["連絡先"] = "03-1234-5678"
    _write(release, df)
    reseal(release)
    problems = verify_release(release)
    assert not any("SHA-256" in p for p in problems)
    assert any("column 連絡先" in p and "expect_no_phone_number" in p for p in problems)
    assert any("expect_columns_to_be_published_items" in p for p in problems)
    assert all("1234-5678" not in p for p in problems)


def test_added_column_is_caught_against_the_published_items(release: Path) -> None:
    """Even when the tamperer also lists the column in the manifest: the published items did not."""
    df = _data(release)
    df["勤務先"] = "その他"
    _write(release, df)
    manifest = json.loads((release / "manifest.json").read_text(encoding="utf-8"))
    manifest["tables"]["policyholders"]["columns"].append("勤務先")
    reseal(release, manifest)
    problems = verify_release(release)
    assert len(problems) == 1 and "expect_columns_to_be_published_items" in problems[0], problems


def test_class_smaller_than_k_is_caught_even_with_new_checksums(release: Path) -> None:
    df = _data(release)
    cls = df["年齢"].eq("20-29歳") & df["性別"].eq("男")
    keep = df.loc[cls, "契約キー"].drop_duplicates().iloc[:1]
    df = df[~cls | df["契約キー"].isin(keep)].reset_index(drop=True)
    _write(release, df)
    manifest = json.loads((release / "manifest.json").read_text(encoding="utf-8"))
    manifest["tables"]["policyholders"]["rows"] = len(df)  # a consistent tamperer fixes the row count too
    manifest["tables"]["policyholders"]["rows_in"] = len(df)  # (and the count before suppression)
    reseal(release, manifest)
    problems = verify_release(release)
    # the suite's expectation and the independent recount (pipeline.validation.classes) both catch it
    assert len(problems) == 2 and "expect_classes_to_have_k_persons" in problems[0], problems
    assert "failing_classes 1" in problems[0]
    assert problems[1] == ("table policyholders: a class of equal quasi-identifiers (年齢, 性別) "
                           "holds 1 persons, fewer than k = 4")


def test_row_count_must_match_manifest(release: Path) -> None:
    df = _data(release)
    _write(release, pd.concat([df, df.iloc[:0]]).iloc[:-2])  # two rows silently dropped
    reseal(release)
    problems = verify_release(release)
    assert any("expect_row_count_to_match_manifest" in p for p in problems)


def test_a_table_the_suite_cannot_be_bound_to_or_read_is_one_problem(release: Path) -> None:
    """The rules are bound from the manifest entry before the table is read (they name the keys the read
    holds as Arrow strings): an entry without quasi-identifiers is its problem line, and so is a data file
    that is not Parquet, each without a traceback."""
    manifest = json.loads((release / "manifest.json").read_text(encoding="utf-8"))
    qis = manifest["tables"]["policyholders"].pop("quasi_identifiers")
    reseal(release, manifest)
    assert verify_release(release) == ["manifest.json, table policyholders: missing quasi_identifiers; "
                                       "the suite cannot be bound without them"]
    manifest["tables"]["policyholders"]["quasi_identifiers"] = qis
    (release / "data" / "policyholders.parquet").write_bytes(b"not parquet")
    reseal(release, manifest)
    problems = verify_release(release)
    assert problems == ["table policyholders: cannot read policyholders.parquet (ArrowInvalid)"]


def test_unlisted_and_missing_files_are_caught(release: Path) -> None:
    (release / "notes.txt").write_text("x", encoding="utf-8")
    (release / "validation" / "results.json").unlink()
    problems = verify_release(release)
    assert "notes.txt: file not listed in manifest.json" in problems
    assert "validation/results.json: listed in manifest.json but missing" in problems


def test_not_a_release(tmp_path: Path) -> None:
    assert verify_release(tmp_path / "nowhere") == [f"{tmp_path / 'nowhere'}: not a directory"]
    assert "manifest.json is missing" in verify_release(tmp_path)[0]
