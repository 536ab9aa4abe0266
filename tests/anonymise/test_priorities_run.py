"""Analyst priorities through the CLI: an impossible ``max_level`` stops the run with one line naming the
constraint and how many persons could not be placed (exit 6, nothing written); a feasible one bounds every
released value of that column, on the table and through the joined view."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import DEMO_CONFIG, anonymize


def _config(tmp_path: Path, age: str, address: str) -> Path:
    text = DEMO_CONFIG.read_text(encoding="utf-8").replace("path: hierarchies/",
                                                            f"path: {DEMO_CONFIG.parent}/hierarchies/")
    text = text.replace("        weight: 4\n", f"        weight: 4\n        max_level: {age}\n", 1)
    text = text.replace("        weight: 20", f"        max_level: {address}\n        weight: 20", 1)
    assert text.count("max_level: ") == 2
    path = tmp_path / "priorities.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_an_impossible_max_level_is_a_privacy_error_naming_it(tmp_path, extract_utf8):
    out = tmp_path / "release"
    proc = anonymize("run", str(_config(tmp_path, "0", "市区町村")), "--out", str(out),
                     *[f"--input={k}={v}" for k, v in extract_utf8.items()])
    assert proc.returncode == 6, proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1
    assert "the analyst constraint" in lines[0] and "居住地 at most 居住地(市区町村) (max_level)" in lines[0]
    assert re.search(r"[\d,]+ persons could not be placed", lines[0])
    assert not out.exists()


@pytest.mark.slow
def test_a_max_level_bounds_every_released_value(tmp_path, extract_utf8):
    out = tmp_path / "release"
    anonymize("run", str(_config(tmp_path, "'10'", "地方")), "--out", str(out),
              *[f"--input={k}={v}" for k, v in extract_utf8.items()], check=True)
    ph = pd.read_parquet(out / "data" / "policyholders.parquet")
    ages = ph["年齢"].dropna().astype(str)
    # ten-year bands or finer: "40-49歳", "40-44歳", a single age, or the top / bottom codes; never "*"
    assert ages.str.fullmatch(r"\d+歳|(\d+)-(\d+)歳|90歳以上|20歳未満").all()
    widths = ages.str.extract(r"(\d+)-(\d+)歳").dropna().astype(int)
    assert ((widths[1] - widths[0]) <= 9).all()
    assert (ph["居住地"].astype(str) != "*").all()
