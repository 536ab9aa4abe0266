"""``anonymize scan`` end to end on real files: generated extracts (CP932 CSV), UTF-8 BOM CSV, Parquet."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from stdnum.jp import in_

from tests.conftest import anonymize

MYNUM = "11122233344" + in_.calc_check_digit("11122233344")


def test_profile_flags_identifier_columns_of_a_generated_extract(extract_cp932: dict[str, Path]) -> None:
    proc = anonymize("scan", str(extract_cp932["policyholders"]), "--no-ner", check=True)
    lines = {ln.split()[0]: ln for ln in proc.stdout.splitlines()[1:]}
    assert "JP_MY_NUMBER" in lines["個人番号"]
    assert "PHONE_NUMBER" in lines["電話"]
    assert "EMAIL_ADDRESS" in lines["e-mail"]
    assert "JP_POSTAL_CODE 100.0%" in lines["郵便番号"]
    assert lines["性別"].rstrip().endswith("-")
    frame = pd.read_csv(extract_cp932["policyholders"], encoding="cp932", dtype=str)
    share = 100 * frame["個人番号"].notna().mean()
    assert f"JP_MY_NUMBER {share:.1f}%" in lines["個人番号"]


@pytest.mark.parametrize("fmt", ["utf-8-sig", "parquet"])
def test_json_findings_name_cells_never_values(tmp_path: Path, fmt: str) -> None:
    frame = pd.DataFrame({
        "その他": ["特記事項なし", f"マイナンバー{MYNUM}", "なし", "山田太郎様より入電"],
        "職業": ["会社員", "自営業", "090-1234-5678", "学生"],
    })
    path = tmp_path / ("x.parquet" if fmt == "parquet" else "x.csv")
    if fmt == "parquet":
        frame.to_parquet(path)
    else:
        frame.to_csv(path, index=False, encoding=fmt)
    proc = anonymize("scan", str(path), "--json", check=True)
    findings = json.loads(proc.stdout)
    got = {(f["column"], f["row"], f["entity_type"]) for f in findings}
    assert ("その他", 1, "JP_MY_NUMBER") in got
    assert ("その他", 3, "PERSON") in got
    assert ("職業", 2, "PHONE_NUMBER") in got
    assert all(set(f) == {"column", "row", "entity_type", "start", "end", "score"} for f in findings)
    my = next(f for f in findings if f["entity_type"] == "JP_MY_NUMBER")
    assert frame.loc[1, "その他"][my["start"]:my["end"]] == MYNUM
    assert MYNUM not in proc.stdout + proc.stderr and "山田" not in proc.stdout


def test_sample_keeps_file_row_numbers(tmp_path: Path) -> None:
    rows = ["なし"] * 200
    rows[150] = f"個人番号 {MYNUM}"
    path = tmp_path / "s.csv"
    pd.DataFrame({"備考": rows}).to_csv(path, index=False, encoding="cp932")
    findings = json.loads(anonymize("scan", str(path), "--json", "--encoding", "cp932", "--sample", "199",
                                    "--no-ner", check=True).stdout)
    assert [f["row"] for f in findings] == [150]


def test_unreadable_file_is_one_line_error(tmp_path: Path) -> None:
    proc = anonymize("scan", str(tmp_path / "missing.csv"))
    assert proc.returncode == 4 and proc.stderr.startswith("error:")
