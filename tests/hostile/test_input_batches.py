"""Catalogue, again in many small batches: ``anonymize run`` reads its inputs batch by batch (issue 17), so
every bad value and broken file of ``test_input_values`` / ``test_input_files`` is run once more with batches
of 1 KiB (about eight rows) and a decode chunk of 64 bytes (characters and lines split across chunks): the
same error line as with the default sizes, and the same contract (one line, no value, nothing written). A bad
value is also planted in the last batch (row 55 of 60) instead of the first.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

import pipeline.io.batches as batches
from tests.hostile.conftest import HEADER, Case, Result, assert_failed_cleanly, digest, rows, write_csv
from tests.hostile.test_input_files import BROKEN_FILES
from tests.hostile.test_input_values import BAD_VALUES


def _small(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(batches, "BATCH_BYTES", 1 << 10)
    monkeypatch.setattr(batches, "_CHUNK", 64)


@pytest.mark.parametrize(("column", "value", "words"), [b[1:] for b in BAD_VALUES],
                         ids=[b[0] for b in BAD_VALUES])
@pytest.mark.parametrize("row", [1, 55])
def test_bad_value_in_small_batches(case: Case, cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch,
                                    column: str, value: str, words: tuple[str, ...], row: int) -> None:
    data = rows()
    data[row - 1][HEADER.index(column)] = value
    write_csv(case.csv, data=data)
    default = assert_failed_cleanly(cli(*case.run_args()), 4, case, digest(case.register))
    _small(monkeypatch)
    line = assert_failed_cleanly(cli(*case.run_args()), 4, case, digest(case.register))
    assert line == default
    for w in words:  # (the file's path, which holds the test's name, left out)
        assert w.replace("row 1", f"row {row}") in line.replace(str(case.csv), "FILE"), line


@pytest.mark.parametrize(("make", "code"), [b[1:3] for b in BROKEN_FILES], ids=[b[0] for b in BROKEN_FILES])
def test_broken_file_in_small_batches(case: Case, cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch,
                                      make: Callable[[], bytes], code: int) -> None:
    """The words are ``test_input_files``' to check; here the line must not change with the sizes."""
    case.csv.write_bytes(make())
    default = assert_failed_cleanly(cli(*case.run_args()), code, case, digest(case.register))
    _small(monkeypatch)
    line = assert_failed_cleanly(cli(*case.run_args()), code, case, digest(case.register))
    assert line == default


def test_cr_only_file_with_a_bad_row_in_the_last_batch(case: Case, cli: Callable[..., Result],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    data = rows()
    data[54][HEADER.index("生年月日")] = "1000-01-01"
    write_csv(case.csv, data=data, newline="\r")
    _small(monkeypatch)
    line = assert_failed_cleanly(cli(*case.run_args()), 4, case, digest(case.register))
    assert "row 55, column 生年月日" in line


def test_small_batches_give_the_same_release(case: Case, cli: Callable[..., Result],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """The good extract in small batches: a release, with the same rows and levels as in one batch."""
    import json

    first = cli(*case.run_args())
    assert first.code == 0, first.err
    manifest = json.loads((case.out / "manifest.json").read_text(encoding="utf-8"))
    _small(monkeypatch)
    again = cli("run", str(case.config), "--out", str(case.root / "rel" / "again"), "--register",
                str(case.register), f"--input=policyholders={case.csv}")
    assert again.code == 0, again.err
    other = json.loads((case.root / "rel" / "again" / "manifest.json").read_text(encoding="utf-8"))
    for key in ("rows", "rows_in", "suppressed_rows", "levels", "k"):
        assert other["tables"]["policyholders"][key] == manifest["tables"]["policyholders"][key], key
