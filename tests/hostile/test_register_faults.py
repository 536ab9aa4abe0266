# ruff: noqa: F811  (pytest fixtures imported from tests.hostile._release_fixtures)
"""Register faults (issue 11 point 7): full disk on append (a real tmpfs), two runs appending at once, a
register that is not a file, damage that is not a torn tail."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.release.register import read_register
from tests.hostile._release_fixtures import (  # noqa: F401 (fixtures)
    ROOT,
    assert_no_personal_value,
    assert_one_error_line,
    events,
    inproc,
    leftovers,
    pii,
    run_args,
    small_extract,
    world,
)

#: whole pipeline runs per case (make test-slow; CI runs it)
pytestmark = pytest.mark.slow


@pytest.fixture
def tiny_disk(tmp_path: Path):
    """A 64 KiB tmpfs (we are root in CI); skipped where mounting is not permitted."""
    mnt = tmp_path / "disk"
    mnt.mkdir()
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mnt)], capture_output=True)
    if proc.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (not root, or no mount permission)")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


def _fill(disk: Path, free_pages: int) -> Path:
    """Fill ``disk`` until exactly ``free_pages`` pages are free."""
    st = os.statvfs(disk)
    filler = disk / "filler"
    filler.write_bytes(b"\0" * ((st.f_bavail - free_pages) * st.f_bsize))
    assert os.statvfs(disk).f_bavail == free_pages
    return filler


@pytest.mark.slow
def test_full_disk_on_the_created_line_rolls_the_release_back(small_extract, pii, tmp_path, tiny_disk):
    reg = tiny_disk / "register.jsonl"
    _fill(tiny_disk, 1)  # room for the pending line's page, not for the created line's
    res = inproc(*run_args(small_extract, tmp_path / "rel", reg))
    assert res.code == 9
    line = assert_one_error_line(res.err)
    assert "cannot append the created event" in line and "removed again" in line
    assert not (tmp_path / "rel").exists() and leftovers(tmp_path) == []
    assert events(reg) == ["pending", "abandoned"]  # the abandoned line still fitted in the page
    assert inproc("register", "--register", reg, "--check").code == 0
    assert_no_personal_value(pii, streams=(res.out, res.err), roots=(tmp_path,))


@pytest.mark.slow
def test_full_disk_on_the_pending_line_writes_nothing(small_extract, pii, tmp_path, tiny_disk):
    """Not one page free: the first register line cannot be written, so the release is never renamed."""
    reg = tiny_disk / "register.jsonl"
    _fill(tiny_disk, 0)
    res = inproc(*run_args(small_extract, tmp_path / "rel", reg))
    assert res.code == 9
    line = assert_one_error_line(res.err)
    assert "cannot append the pending event" in line and "register is unchanged" in line
    assert not (tmp_path / "rel").exists() and leftovers(tmp_path) == []
    assert reg.read_bytes() == b""
    assert_no_personal_value(pii, streams=(res.out, res.err), roots=(tmp_path,))


@pytest.mark.slow
def test_two_runs_appending_to_one_register_at_once(small_extract, pii, tmp_path):
    reg = tmp_path / "register.jsonl"
    env = {**os.environ, "CI": "true", "PYTHONWARNINGS": "ignore"}
    procs = [subprocess.Popen([sys.executable, "-m", "pipeline.cli.main",
                               *map(str, run_args(small_extract, tmp_path / name, reg))],
                              cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for name in ("a", "b")]
    outputs = [p.communicate(timeout=900) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [err[-1000:] for _, err in outputs]
    lines = read_register(reg)  # every seal and the chain
    assert sorted(e["event"] for e in lines) == ["created", "created", "pending", "pending"]
    pending = {e["seq"]: e for e in lines if e["event"] == "pending"}
    for created in (e for e in lines if e["event"] == "created"):
        assert pending[created["pending_seq"]]["release_id"] == created["release_id"]
    assert {Path(e["release_dir"]).name for e in lines if e["event"] == "created"} == {"a", "b"}
    assert leftovers(tmp_path) == []
    assert inproc("register", "--register", reg, "--check").code == 0
    assert_no_personal_value(pii, streams=tuple(s for pair in outputs for s in pair), roots=(reg,))


def test_a_register_path_that_is_a_directory_stops_the_run_at_once(small_extract, pii, tmp_path):
    reg = tmp_path / "register.jsonl"
    reg.mkdir()
    res = inproc(*run_args(small_extract, tmp_path / "rel", reg))
    assert res.code == 9 and "not a regular file" in assert_one_error_line(res.err)
    assert not (tmp_path / "rel").exists() and leftovers(tmp_path) == []
    assert_no_personal_value(pii, streams=(res.out, res.err))


def test_damage_other_than_a_torn_tail_is_not_repaired(world, tmp_path):
    reg = tmp_path / "register.jsonl"
    lines = world.register.read_bytes().split(b"\n")
    lines[1] = lines[1].replace(b'"event":"created"', b'"event":"Created"')
    reg.write_bytes(b"\n".join(lines))
    before = reg.read_bytes()
    res = inproc("register", "--register", reg, "--repair")
    assert res.code == 9 and "line 2: checksum mismatch" in assert_one_error_line(res.err)
    assert reg.read_bytes() == before
