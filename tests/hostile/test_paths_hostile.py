"""Catalogue: output and register paths that cannot be written (issue 11 points 4 and 6).

Read-only and full file systems are real tmpfs mounts (root only; skipped elsewhere). A path that cannot
work fails before the anonymisation; a disk that fills up during the write leaves nothing behind.
"""

from __future__ import annotations

import contextlib
import os
import resource
import subprocess
import sys
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
                                             tmpfs: Callable[..., Path | None]) -> None:
    """A 256 KiB file system: the Parquet fits, the report and Data Docs do not. ENOSPC, one line, nothing
    at --out, no staging directory, the register untouched. Without root (no tmpfs), the same through a
    file-size limit (``RLIMIT_FSIZE``: writes past it fail with EFBIG) on a subprocess."""
    small = tmpfs("full", size=256 * 1024, skip=False)
    before = digest(case.register)
    args = case.run_args()
    if small is not None:
        out = small / "release"
        args[args.index(str(case.out))] = str(out)
        result, errno_name = cli(*args), "ENOSPC"
    else:
        out, errno_name = case.out, "EFBIG"
        result = _with_file_size_limit(args, 256 * 1024)
    line = assert_one_line(result, 11)
    assert errno_name in line and "no release was written" in line
    assert not out.exists() and not list(out.parent.glob(f".{out.name}.partial-*"))
    assert digest(case.register) == before and not leaked([result.out, result.err])


def _with_file_size_limit(args: list[str], limit: int) -> Result:
    def limit_files() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    proc = subprocess.run([sys.executable, "-m", "pipeline.cli.main", "--quiet", *args], capture_output=True,
                          text=True, env={**os.environ, "CI": "true"}, preexec_fn=limit_files, timeout=900)
    return Result(proc.returncode, proc.stdout, proc.stderr)


@pytest.mark.slow
def test_disk_full_while_appending_to_the_register(case: Case, cli: Callable[..., Result],
                                                   tmpfs: Callable[..., Path]) -> None:
    """The register's file system is full: one line, exit 9, the register unchanged, and no release either
    (the pending line comes before the rename: pipeline.release.commit)."""
    small = tmpfs("regfs", size=64 * 1024)
    register = small / "register.jsonl"
    register.write_bytes(b"")
    filler = small / "filler"
    with open(filler, "wb") as f, contextlib.suppress(OSError):
        f.write(b"\0" * (64 * 1024))
    args = case.run_args()
    args[args.index(str(case.register))] = str(register)
    line = assert_failed_cleanly_register(cli(*args), register)
    assert "No space left on device" in line and "register is unchanged" in line
    assert not case.out.exists()


def assert_failed_cleanly_register(result: Result, register: Path) -> str:
    line = assert_one_line(result, 9)
    assert register.read_bytes() == b"" and not leaked([result.out, result.err])
    return line


def test_a_release_with_a_symbolic_link_is_never_published(tmp_path: Path) -> None:
    from pipeline.release.writer import publish_dir, staging

    target = tmp_path / "release"
    with pytest.raises(OutputError, match="symbolic link"), staging(target) as tmp:
        (tmp / "data").mkdir()
        os.symlink(tmp_path, tmp / "data" / "elsewhere")
        publish_dir(tmp, target)
    assert not target.exists() and not list(tmp_path.glob(".release.partial-*"))
