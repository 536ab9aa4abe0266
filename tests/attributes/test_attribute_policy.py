"""Risk over all released columns, end to end through the CLI, pinned by an independent count: pandas
``groupby(...).nunique()`` of the person key on the written Parquet, over every released column except the
surrogate keys and sensitive values (issue 15)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import DEMO_CONFIG, anonymize

PROTECT = "  protect_attributes: true\n"


def config(tmp_path: Path, privacy: str) -> Path:
    """configs/demo.yaml with ``privacy`` in place of its protect_attributes line."""
    text = DEMO_CONFIG.read_text("utf-8")
    assert PROTECT in text
    text = text.replace(PROTECT, privacy)
    text = text.replace("hierarchies/", str(DEMO_CONFIG.parent / "hierarchies") + "/")
    path = tmp_path / "c.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def released_columns(manifest: dict, table: str) -> list[str]:
    entry = manifest["tables"][table]
    drop = set(entry["linking_codes"]) | set(entry["sensitive"])
    return [c for c in entry["columns"] if c not in drop]


def unique_rows(release: Path, table: str, joined: bool = False) -> tuple[int, int]:
    """(rows alone in their class, rows), counted on the Parquet files with pandas alone."""
    manifest = json.loads((release / "manifest.json").read_text("utf-8"))
    data = pd.read_parquet(release / manifest["tables"][table]["file"])
    key = manifest["tables"][table]["person_key"]
    columns = released_columns(manifest, table)
    if joined:  # claims joined to their policyholder through the surrogate key, as a recipient can
        ph = pd.read_parquet(release / manifest["tables"]["policyholders"]["file"])
        ph_cols = released_columns(manifest, "policyholders")
        ph = ph[[key, *ph_cols]].drop_duplicates(key).rename(columns={c: f"p.{c}" for c in ph_cols})
        data = data.merge(ph, on=key, how="left")
        columns += [f"p.{c}" for c in ph_cols]
    frame = data[columns].astype(object)
    frame = frame.where(frame.notna(), "<null>")
    persons = frame.assign(_k=data[key]).groupby(columns)["_k"].transform("nunique")
    return int((persons == 1).sum()), len(frame)


@pytest.mark.slow
def test_demo_release_has_no_row_unique_over_its_released_columns(release_cp932: Path) -> None:
    manifest = json.loads((release_cp932 / "manifest.json").read_text("utf-8"))
    for table, joined in (("policyholders", False), ("claims", False), ("claims", True)):
        unique, rows = unique_rows(release_cp932, table, joined)
        assert rows > 1000 and unique == 0, (table, joined, unique)
    ph = manifest["tables"]["policyholders"]
    assert ph["attribute_risk"]["unique_rows"] == 0 and ph["attribute_risk"]["min_class_size"] >= 5
    assert manifest["tables"]["claims"]["attribute_risk"]["joined"]["unique_rows"] == 0
    assert manifest["attribute_risk"]["status"] == "ok"
    assert "保険料" in manifest["attribute_risk"]["protected"]["policyholders"]
    assert "保険料" in ph["quasi_identifiers"]  # searched as a quasi-identifier, in bands
    results = json.loads((release_cp932 / "validation" / "results.json").read_text("utf-8"))
    assert "attribute-risk" in (release_cp932 / "report.html").read_text("utf-8")
    assert results["success"]


@pytest.mark.slow
def test_premium_to_the_yen_fails_under_fail_and_protect_fixes_it(tmp_path: Path,
                                                                  extract_cp932: dict[str, Path]) -> None:
    inputs = [f"--input={k}={v}" for k, v in extract_cp932.items()]
    out = tmp_path / "refused"
    proc = anonymize("run", str(config(tmp_path, "  attribute_risk: fail\n")), "--out", str(out), *inputs)
    assert proc.returncode == 6, proc.stderr[-2000:]
    line = proc.stderr.strip().splitlines()[-1]
    assert len(proc.stderr.strip().splitlines()) == 1
    assert "unique over all released columns" in line and "保険料" in line and "protect_attributes" in line
    assert not out.exists() and not any(tmp_path.glob(".*"))  # nothing half-written

    fixed = tmp_path / "fixed"
    proc = anonymize("run", str(config(tmp_path, "  attribute_risk: fail\n" + PROTECT)), "--out", str(fixed),
                     *inputs)
    assert proc.returncode == 0, proc.stderr[-2000:]
    for table, joined in (("policyholders", False), ("claims", False), ("claims", True)):
        assert unique_rows(fixed, table, joined)[0] == 0
    results = json.loads((fixed / "validation" / "results.json").read_text("utf-8"))
    checked = [v for v in results["validations"] if "unique_over" in json.dumps(v)]
    assert checked, "the gate binds the attribute-risk rule under fail"
    assert anonymize("verify", str(fixed)).returncode == 0


@pytest.mark.slow
@pytest.mark.slow
def test_warn_releases_with_the_warning_everywhere(tmp_path: Path, extract_cp932: dict[str, Path]) -> None:
    out = tmp_path / "warned"
    proc = anonymize("run", str(config(tmp_path, "  attribute_risk: warn\n")), "--out", str(out),
                     *[f"--input={k}={v}" for k, v in extract_cp932.items()])
    assert proc.returncode == 0, proc.stderr[-2000:]
    unique, rows = unique_rows(out, "policyholders")
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    assert unique > rows // 2  # premium to the yen: most rows alone
    assert manifest["tables"]["policyholders"]["attribute_risk"]["unique_rows"] == unique
    assert manifest["attribute_risk"]["status"] == "warn"
    assert "WARNING" in proc.stdout and "警告" in proc.stdout and "保険料" in proc.stdout
    report = (out / "report.html").read_text("utf-8")
    assert "保険料" in report and "protect_attributes" in report

