"""Analyst priorities in the config: ``weight`` and ``max_level`` of a quasi-identifier, checked at load."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.config import load_config
from pipeline.errors import ConfigError

BASE = """
release:
  dataset_name: テスト
privacy:
  k: 5
  suppression_limit: 0.02
  reference_date: 2026-04-01
tables:
  t:
    file: t.csv
    person_key: id
    columns:
      id: {role: linking_code, output: キー}
      dob: {role: quasi_identifier, type: date, output: 年齢, PRIO_AGE
            hierarchy: {kind: age, bands: [5, 10], top_code: 90}}
      addr: {role: quasi_identifier, output: 居住地, hierarchy: {kind: address}PRIO_ADDR}
      job: {role: quasi_identifier, hierarchy: {kind: file, path: occ.csv}PRIO_JOB}
      plan: {role: attribute PRIO_PLAN}
"""


def load(tmp_path: Path, age: str = "", addr: str = "", job: str = "", plan: str = ""):
    (tmp_path / "occ.csv").write_text("医師;医療;専門職;*\n教員;教育;専門職;*\n", encoding="utf-8")
    text = (BASE.replace("PRIO_AGE", f"{age}," if age else "")
            .replace("PRIO_ADDR", f", {addr}" if addr else "")
            .replace("PRIO_JOB", f", {job}" if job else "")
            .replace(" PRIO_PLAN", f", {plan}" if plan else ""))
    p = tmp_path / "c.yaml"
    p.write_text(text, encoding="utf-8")
    return load_config(p), p


def test_defaults_are_equal_weights_and_no_cap(tmp_path: Path) -> None:
    cfg, _ = load(tmp_path)
    for col in cfg.table("t").by_role("quasi_identifier"):
        assert (col.weight, col.max_level) == (1.0, None)


def test_levels_by_number_or_name(tmp_path: Path) -> None:
    cfg, _ = load(tmp_path, age="max_level: 2, weight: 3", addr="max_level: 都道府県, weight: 2.5",
                  job="max_level: 2")
    t = cfg.table("t")
    assert (t.column("dob").max_level, t.column("dob").weight) == (2, 3.0)
    assert (t.column("addr").max_level, t.column("addr").weight) == (1, 2.5)
    assert t.column("job").max_level == 2
    cfg, _ = load(tmp_path, age="max_level: '10'", addr="max_level: 地方")
    assert cfg.table("t").column("dob").max_level == 2 and cfg.table("t").column("addr").max_level == 2


@pytest.mark.parametrize(("kw", "expected"), [
    ({"age": "max_level: 4"},
     r"tables\.t\.columns\.dob\.max_level: 4 is outside the age hierarchy's levels 0\.\.3"),
    ({"addr": "max_level: 町名"},
     r"columns\.addr\.max_level: '町名' is not a level of this address hierarchy; "
     r"levels: 0 = 市区町村, 1 = 都道府県, 2 = 地方, 3 = \*"),
    ({"job": "max_level: 4"}, r"columns\.job\.max_level: 4 is outside the file hierarchy's levels 0\.\.3"),
    ({"age": "max_level: -1"}, r"columns\.dob\.max_level: -1 is outside"),
    ({"plan": "max_level: 1"}, r"columns\.plan\.max_level: only a quasi_identifier has a max_level "
                               r"\(this column's role is attribute\)"),
    ({"plan": "weight: 2"}, r"columns\.plan\.weight: only a quasi_identifier has a weight"),
    ({"addr": "weight: 0"}, r"columns\.addr\.weight: must be a positive number, found 0\.0"),
    ({"addr": "weight: -2"}, r"columns\.addr\.weight: must be a positive number"),
    ({"addr": "weight: high"}, r"columns\.addr\.weight: expected a number, found str"),
    ({"addr": "max_level: true"},
     r"columns\.addr\.max_level: expected an integer or a string, found a boolean"),
])
def test_bad_priorities_name_file_and_yaml_path(tmp_path: Path, kw: dict[str, str], expected: str) -> None:
    with pytest.raises(ConfigError, match=expected) as exc:
        load(tmp_path, **kw)
    assert str(tmp_path / "c.yaml") in str(exc.value)
