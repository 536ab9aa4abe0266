"""Catalogue: configs that are ambiguous, malformed or hostile (issue 11 points 4, 6, 8).

Each case breaks one thing in the good config of ``conftest.CONFIG`` and runs ``anonymize run``: exit 3, one
line naming the file and where in it, nothing written, the register untouched, no personal value anywhere.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.hostile.conftest import CONFIG, Case, Result, assert_failed_cleanly, digest

#: (case id, text replaced in the good config, replacement, words the error line must hold)
BROKEN: list[tuple[str, str, str, tuple[str, ...]]] = [
    ("privacy block twice", "detection:\n", "privacy:\n  k: 2\n  suppression_limit: 0.5\n"
     "  reference_date: 2026-04-01\ndetection:\n", ("line 7", "'privacy' given twice", "first on line 3")),
    ("column classified twice", "      保険種類: {role: attribute}\n",
     "      保険種類: {role: attribute}\n      氏名: {role: attribute}\n", ("'氏名' given twice",)),
    ("key twice in a flow mapping", "{role: attribute}", "{role: attribute, role: identifier}",
     ("'role' given twice",)),
    ("nested date_levels", "hierarchy: {kind: age, bands: [10, 20], top_code: 80, bottom_code: 20}",
     "hierarchy: {kind: date, date_levels: [[day], month]}", ("date_levels", "flat list")),
    ("date_levels repeated", "hierarchy: {kind: age, bands: [10, 20], top_code: 80, bottom_code: 20}",
     "hierarchy: {kind: date, date_levels: [month, month]}", ("date_levels", "at most once")),
    ("kept column released as 氏名", "{role: attribute}", "{role: attribute, output: 氏名}",
     ("tables.policyholders.columns.保険種類.output", "deleted column")),
    ("kept column released as 個人番号", "output: 居住地", "output: 個人番号",
     ("columns.住所.output", "'個人番号'", "deleted column")),
    ("two outputs collide", "output: 居住地", "output: 保険種類", ("share the output name '保険種類'",)),
    ("table name escapes", "  policyholders:\n", "  ../../escaped:\n", ("'../../escaped'", "path separator")),
    ("table name with a slash", "  policyholders:\n", "  a/b:\n", ("'a/b'", "path separator")),
    ("table name hidden", "  policyholders:\n", "  .hidden:\n",
     ("'.hidden'", "start with a letter or digit")),
    ("table name a device", "  policyholders:\n", "  CON:\n", ("'CON'", "reserved device name")),
    ("table name too long", "  policyholders:\n", "  " + "表" * 65 + ":\n", ("longer than 64",)),
    ("table name not text", "  policyholders:\n", "  [1, 2]:\n", ("not valid UTF-8 YAML",)),
    ("output with a path", "output: 居住地", "output: ../居住地",
     ("output name '../居住地'", "path separator")),
    ("output with a control character", "output: 居住地", 'output: "居住\\u0000地"', ("output name",)),
    ("output with a space", "output: 居住地", "output: 居住 地", ("output name '居住 地'",)),
    ("unknown key (typo)", "  suppression_limit:", "  suppresion_limit:",
     ("did you mean 'suppression_limit'",)),
    ("a list item among keys", "release:\n", "- release:\n", ("line 3", "not valid UTF-8 YAML")),
    ("a list, not a mapping", CONFIG, "- release\n- tables\n", ("<top>", "expected a mapping")),
    ("tab indentation", "  k: 2\n", "\tk: 2\n", ("not valid UTF-8 YAML",)),
    ("k below 2", "  k: 2\n", "  k: 1\n", ("k must be at least 2",)),
]


@pytest.mark.parametrize(("old", "new", "words"), [b[1:] for b in BROKEN], ids=[b[0] for b in BROKEN])
def test_broken_config(case: Case, cli: Callable[..., Result], old: str, new: str,
                       words: tuple[str, ...]) -> None:
    assert old in CONFIG
    case.config.write_text(CONFIG.replace(old, new, 1), encoding="utf-8")
    before = digest(case.register)
    line = assert_failed_cleanly(cli(*case.run_args()), 3, case, before)
    assert str(case.config) in line
    for w in words:
        assert w in line, line


def test_tables_differing_only_in_case(case: Case, cli: Callable[..., Result]) -> None:
    text = CONFIG.replace("  policyholders:\n", "  Claims:\n    columns: {x: {role: identifier}}\n"
                          "  claims:\n    columns: {y: {role: identifier}}\n  policyholders:\n", 1)
    case.config.write_text(text, encoding="utf-8")
    line = assert_failed_cleanly(cli(*case.run_args()), 3, case, digest(case.register))
    assert "differ only in case" in line


@pytest.mark.parametrize("what", ["binary", "directory", "missing"])
def test_unreadable_config(case: Case, cli: Callable[..., Result], what: str) -> None:
    if what == "binary":
        case.config.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe")
    elif what == "directory":
        case.config.unlink()
        case.config.mkdir()
    else:
        case.config.unlink()
    assert_failed_cleanly(cli(*case.run_args()), 3, case, digest(case.register))
