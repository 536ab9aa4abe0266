"""Catalogue: output and register paths that cannot be written (issue 11 points 4 and 6).

Read-only and full file systems are real tmpfs mounts (root only; skipped elsewhere). A path that cannot
work fails before the anonymisation; a disk that fills up during the write leaves nothing behind.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from pipeline.errors import OutputError
from pipeline.release.writer import inside
from tests.hostile.conftest import Case, Result, assert_one_line, digest, leaked


def test_out_whose_parent_is_a_file(case: Case, cli: Callable[..., Result]) -> None:
    case.out.parent.write_text("not a directory", encoding="utf-8")
    line = assert_one_line(cli(*case.run_args()), 11)
    assert "parent of --out is a file" in line
    assert case.out.parent.read_text(encoding="utf-8") == "not a directory"


def test_out_that_exists_is_never_touched(case: Case, cli: Callable[..., Result]) -> None:
    case.out.mkdir(parents=True)
    (case.out / "mine.txt").write_text("user data", encoding="utf-8")
    line = assert_one_line(result := cli(*case.run_args()), 10)
    assert "already exists" in line and not leaked([result.out, result.err])
    assert [p.name for p in case.out.iterdir()] == ["mine.txt"]


def test_register_that_is_a_directory(case: Case, cli: Callable[..., Result]) -> None:
    case.register.unlink()
    case.register.mkdir()
    line = assert_one_line(cli(*case.run_args()), 9)
    assert "not a regular file" in line and not case.out.exists()


def test_register_whose_parent_is_a_file(case: Case, cli: Callable[..., Result]) -> None:
    blocker = case.root / "blocker"
    blocker.write_text("x", encoding="utf-8")
    args = case.run_args()
    args[args.index(str(case.register))] = str(blocker / "register.jsonl")
    line = assert_one_line(cli(*args), 9)
    assert "parent of the register path is a file" in line and not case.out.exists()


def test_read_only_output(case: Case, cli: Callable[..., Result], tmpfs: Callable[..., Path]) -> None:
    ro = tmpfs("ro", read_only=True)
    args = case.run_args()
    args[args.index(str(case.out))] = str(ro / "release")
    line = assert_one_line(result := cli(*args), 11)
    assert "not writable" in line and not leaked([result.out, result.err])
    assert list(ro.iterdir()) == []


def test_a_written_path_must_stay_inside_the_release(tmp_path: Path) -> None:
    root = tmp_path / "staging"
    (root / "data").mkdir(parents=True)
    assert inside(root, "data/policyholders.parquet") == (root / "data" / "policyholders.parquet").resolve()
    for rel in ("../escaped.parquet", "data/../../escaped.parquet", "/etc/passwd", "."):
        with pytest.raises(OutputError, match="does not resolve inside the release"):
            inside(root, rel)
    os.symlink(tmp_path, root / "link")  # a symbolic link planted in the staging directory
    with pytest.raises(OutputError):
        inside(root, "link/escaped.parquet")


@pytest.mark.slow
def test_disk_full_while_writing_the_release(case: Case, cli: Callable[..., Result],
                                             tmpfs: Callable[..., Path]) -> None:
    """A 256 KiB file system: the Parquet fits, the report and Data Docs do not. ENOSPC, one line, nothing
    at --out, no staging directory, the register untouched."""
    small = tmpfs("full", size=256 * 1024)
    args = case.run_args()
    out = small / "release"
    args[args.index(str(case.out))] = str(out)
    before = digest(case.register)
    line = assert_one_line(result := cli(*args), 11)
    assert "ENOSPC" in line and "no release was written" in line
    assert list(small.iterdir()) == [], list(small.iterdir())
    assert digest(case.register) == before and not leaked([result.out, result.err])


@pytest.mark.slow
def test_disk_full_while_appending_to_the_register(case: Case, cli: Callable[..., Result],
                                                   tmpfs: Callable[..., Path]) -> None:
    """The register's file system is full: one line, exit 9, the register unchanged. (That the release then
    stays unregistered is issue 11 point 7, the register's own whole-or-nothing.)"""
    small = tmpfs("regfs", size=64 * 1024)
    register = small / "register.jsonl"
    register.write_bytes(b"")
    filler = small / "filler"
    with open(filler, "wb") as f, contextlib.suppress(OSError):
        f.write(b"\0" * (64 * 1024))
    args = case.run_args()
    args[args.index(str(case.register))] = str(register)
    line = assert_failed_cleanly_register(cli(*args), register)
    assert "ENOSPC" in line and "not registered" in line


def assert_failed_cleanly_register(result: Result, register: Path) -> str:
    line = assert_one_line(result, 9)
    assert register.read_bytes() == b"" and not leaked([result.out, result.err])
    return line
