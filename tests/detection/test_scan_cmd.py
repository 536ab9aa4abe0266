"""``anonymize scan`` end to end on real files: generated extracts (CP932 CSV), UTF-8 BOM CSV, Parquet."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import yaml
from stdnum.jp import in_
from wcwidth import wcswidth

from tests.conftest import anonymize, copy_extract

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
    filled = int(frame["個人番号"].notna().sum())
    assert filled < len(frame)  # shares are of the filled cells, not of all rows
    assert f"{filled} filled" in lines["個人番号"] and "JP_MY_NUMBER 100.0%" in lines["個人番号"]
    # one column each for names, filled, distinct and findings, although most names are double-width
    assert len({wcswidth(ln[: ln.index(" filled")]) for ln in lines.values()}) == 1
    assert len({wcswidth(ln[: ln.index(" distinct")]) for ln in lines.values()}) == 1


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


def test_shares_are_of_filled_cells_and_malformed_numbers_are_counted(tmp_path: Path) -> None:
    rows = 500
    frame = pd.DataFrame({
        "個人番号": [MYNUM if i % 5 < 3 else "" for i in range(rows)],   # 300 filled of 500, all My Numbers
        "備考": ["連絡先 62-6872-7483" if i % 10 == 0 else "特になし" for i in range(rows)],
    })
    path = tmp_path / "x.csv"
    frame.to_csv(path, index=False, encoding="cp932")
    out = anonymize("scan", str(path), "--no-ner", check=True).stdout
    lines = {ln.split()[0]: ln for ln in out.splitlines()[1:]}
    assert "300 filled" in lines["個人番号"] and "JP_MY_NUMBER 100.0%" in lines["個人番号"]
    assert "JP_CONTACT_NUMBER 10.0%" in lines["備考"]
    assert "62-6872" not in out and MYNUM not in out


def test_ner_sample_is_stated_with_its_interval(tmp_path: Path) -> None:
    names = ["山田 太郎", "佐藤 花子", "鈴木 一郎", "田中 美咲", "高橋 健一", "伊藤 直子"]
    frame = pd.DataFrame({"氏名": [f"{names[i % 6]}{'' if i < 6 else i}" for i in range(300)]})
    path = tmp_path / "n.csv"
    frame.to_csv(path, index=False, encoding="utf-8")
    out = anonymize("scan", str(path), "--ner-sample", "50", check=True).stdout
    assert "sample of up to 50 filled cells" in out
    line = next(ln for ln in out.splitlines() if ln.startswith("氏名"))
    assert "PERSON ~" in line and "95% CI" in line
    assert not any(n in out for n in names)
    full = anonymize("scan", str(path), "--full", check=True).stdout
    assert "NER every cell" in full and "95% CI" not in full


@pytest.mark.slow
def test_suggested_config_loads_and_runs(tmp_path: Path, extract_cp932: dict[str, Path]) -> None:
    files = copy_extract(extract_cp932, tmp_path / "extract")
    target = tmp_path / "suggested.yaml"
    anonymize("scan", str(files["policyholders"]), str(files["claims"]), "--suggest-config", str(target),
              check=True)
    text = target.read_text("utf-8")
    assert "# JP_MY_NUMBER in 100.0%" in text
    config = yaml.safe_load(text)
    ph = config["tables"]["policyholders"]["columns"]
    assert ph["個人番号"]["role"] == "identification_code" and ph["電話"]["role"] == "identifier"
    assert ph["生年月日"]["hierarchy"]["kind"] == "age" and ph["住所"]["hierarchy"]["kind"] == "address"
    assert config["tables"]["claims"]["person_key"] == "証券番号"
    frame = pd.read_csv(files["policyholders"], encoding="cp932", dtype=str)
    assert not any(str(v) in text for v in frame["電話"].dropna().head(50))  # counts, never values
    proc = anonymize("run", str(target), "--out", str(tmp_path / "release"),
                     "--register", str(tmp_path / "reg.jsonl"))
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert (tmp_path / "release" / "manifest.json").is_file()
    again = anonymize("scan", str(files["claims"]), "--suggest-config", str(target))
    assert again.returncode == 10 and "already exists" in again.stderr
