"""Names wherever they hide (issue 11 point 1): the gate reads every released text column for names, end to
end through the CLI, and the kept categories of the demo release do not trip it."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from pipeline.config.model import DetectionSpec
from pipeline.detection.scan import NAME_ENTITIES, analyze_distinct
from tests.conftest import anonymize, copy_extract, edited_demo_config

NAME = "山田 太郎"


def test_a_name_typed_into_a_kept_attribute_stops_the_release(tmp_path: Path,
                                                               extract_cp932: dict[str, Path]) -> None:
    files = copy_extract(extract_cp932, tmp_path / "extract")
    frame = pd.read_csv(files["policyholders"], encoding="cp932", dtype=str, keep_default_na=False)
    frame.loc[frame.index[:40], "保険種類"] = NAME
    frame.to_csv(files["policyholders"], index=False, encoding="cp932")
    # the demo config promotes 保険種類 to a quasi-identifier (protect_attributes), which would generalise
    # the name away; the gate is what is tested here, so the column is released as a kept attribute
    config = edited_demo_config(tmp_path, "protect_attributes: true", "protect_attributes: false")
    out = tmp_path / "release"
    proc = anonymize("run", str(config), "--out", str(out), "--register", str(tmp_path / "reg.jsonl"),
                     *[f"--input={k}={v}" for k, v in files.items()])
    assert proc.returncode == 7, proc.stderr[-2000:]
    assert "column 保険種類" in proc.stderr and "PERSON" in proc.stderr
    assert "山田" not in proc.stderr + proc.stdout
    assert not out.exists()


def test_the_demo_release_passes_with_names_looked_for_in_every_column(release_cp932: Path) -> None:
    manifest = json.loads((release_cp932 / "manifest.json").read_text("utf-8"))
    assert manifest["residual_pii_scan"]["findings"] == 0
    released = pd.read_parquet(release_cp932 / "data" / "policyholders.parquet")
    text = [c for c in released.columns
            if not pd.api.types.is_numeric_dtype(released[c]) and released[c].astype(str).nunique() >= 2]
    assert text  # released text columns with several values are really there and were scanned


@pytest.mark.parametrize("value", ["保育士", "会社員", "クロイツフェルト・ヤコブ病", "東京都千代田区",
                                   "大阪府", "がん保険", "代理店A", "30-34歳", "関東地方", "その他"])
def test_kept_categories_are_not_names(value: str) -> None:
    assert analyze_distinct([value], DetectionSpec(), ner_entities=NAME_ENTITIES, confirmed_names=True) == {}


@pytest.mark.parametrize("value", [NAME, "佐藤花子", "ヤマダ タロウ", "鈴木"])
def test_names_in_a_category_column_are_found(value: str) -> None:
    (found,) = analyze_distinct([value], DetectionSpec(), ner_entities=NAME_ENTITIES,
                                confirmed_names=True).values()
    assert [r.entity_type for r in found] == ["PERSON"]


@pytest.mark.slow
def test_verify_fails_on_a_release_with_a_name_in_a_kept_category(tmp_path: Path,
                                                                  release_cp932: Path) -> None:
    """A forged release (checksums rewritten) with a name in 保険種類: ``verify`` must refuse it."""
    import hashlib
    import shutil

    forged = tmp_path / "forged"
    shutil.copytree(release_cp932, forged)
    path = forged / "data" / "policyholders.parquet"
    data = pd.read_parquet(path)
    data.loc[data.index[:40], "保険種類"] = NAME
    data.to_parquet(path, index=False)
    manifest = json.loads((forged / "manifest.json").read_text("utf-8"))
    manifest["files"]["data/policyholders.parquet"] = hashlib.sha256(path.read_bytes()).hexdigest()
    (forged / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), "utf-8")
    proc = anonymize("verify", str(forged))
    assert proc.returncode != 0
    output = proc.stdout + proc.stderr
    assert "保険種類" in output and "person's name" in output
    assert "山田" not in output
