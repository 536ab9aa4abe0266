# ruff: noqa: F811  (pytest fixtures imported from tests.hostile._release_fixtures)
"""Kills at chosen steps of ``anonymize run`` (issue 11 point 7): after any of them the state is consistent
and the next run (or ``anonymize register --repair``) brings it back to "no release, no leftover" or
"release in place with its created line".

The steps are armed with ``APPI_TEST_KILL_AT`` (``pipeline.release.faults``, test-only); one case sends a real
SIGTERM from outside while the run writes.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline.release.register import read_register
from tests.hostile._release_fixtures import (  # noqa: F401 (fixtures)
    ROOT,
    Result,
    assert_no_personal_value,
    assert_one_error_line,
    cli,
    events,
    inproc,
    leftovers,
    pii,
    run_args,
    small_extract,
    world,
)

pytestmark = pytest.mark.slow


def _killed(
    extract: dict[str, Path], tmp: Path, step: str, sig: str = "KILL"
) -> subprocess.CompletedProcess[str]:
    return cli(*run_args(extract, tmp / "rel", tmp / "register.jsonl"),
               env={"APPI_TEST_KILL_AT": step, "APPI_TEST_KILL_SIGNAL": sig})


def _cheap_next_run(extract: dict[str, Path], tmp: Path) -> Result:
    """A next run (in this process) that fails at once on a missing input (exit 4): it still sweeps first."""
    bad = {**extract, "claims": tmp / "no-such-claims.csv"}
    return inproc(*run_args(bad, tmp / "next", tmp / "register.jsonl"))


def test_kill9_while_writing_leaves_a_dead_staging_folder_the_next_run_removes(small_extract, pii, tmp_path):
    proc = _killed(small_extract, tmp_path, "writing")
    assert proc.returncode == -signal.SIGKILL
    assert not (tmp_path / "rel").exists()
    assert len(leftovers(tmp_path)) == 2  # the staging folder and its lock file
    assert not (tmp_path / "register.jsonl").exists()
    nxt = _cheap_next_run(small_extract, tmp_path)
    assert nxt.code == 4 and "no-such-claims.csv" in assert_one_error_line(nxt.err)
    assert leftovers(tmp_path) == [] and not (tmp_path / "next").exists()
    assert_no_personal_value(pii, streams=(proc.stdout, proc.stderr, nxt.out, nxt.err), roots=(tmp_path,))


def test_kill9_after_pending_is_closed_by_register_repair(small_extract, pii, tmp_path):
    reg = tmp_path / "register.jsonl"
    proc = _killed(small_extract, tmp_path, "pending")
    assert proc.returncode == -signal.SIGKILL
    assert events(reg) == ["pending"] and not (tmp_path / "rel").exists()
    check = inproc("register", "--register", reg, "--check")
    assert check.code == 9 and "dead run" in assert_one_error_line(check.err)
    repair = inproc("register", "--register", reg, "--repair")
    assert repair.code == 0 and "abandoned" in repair.out
    assert events(reg) == ["pending", "abandoned"]
    assert read_register(reg)[1]["removed"] == ["staging_dir"]
    assert leftovers(tmp_path) == []
    assert inproc("register", "--register", reg, "--check").code == 0
    streams = (proc.stdout, proc.stderr, check.out, repair.out)
    assert_no_personal_value(pii, streams=streams, roots=(tmp_path,))


def test_kill9_between_rename_and_created_is_rolled_back_by_the_next_run(small_extract, pii, tmp_path):
    reg = tmp_path / "register.jsonl"
    proc = _killed(small_extract, tmp_path, "renamed")
    assert proc.returncode == -signal.SIGKILL
    assert (tmp_path / "rel" / "manifest.json").is_file()  # a complete release without its created line
    assert events(reg) == ["pending"]
    nxt = inproc(*run_args(small_extract, tmp_path / "rel2", reg))
    assert nxt.code == 0, nxt.err[-2000:]
    assert nxt.err.strip() == "" and "recovered: closed the pending register line 1" in nxt.out
    assert not (tmp_path / "rel").exists()  # the dead run's release went with its pending line
    assert events(reg) == ["pending", "abandoned", "pending", "created"]
    assert read_register(reg)[1]["removed"] == ["release_dir"]
    assert leftovers(tmp_path) == [] and (tmp_path / "rel2" / "manifest.json").is_file()
    assert inproc("register", "--register", reg, "--check").code == 0
    assert_no_personal_value(pii, streams=(proc.stdout, proc.stderr, nxt.out), roots=(tmp_path,))


def test_kill9_after_created_keeps_the_release_and_its_stale_lock_is_swept(small_extract, pii, tmp_path):
    reg = tmp_path / "register.jsonl"
    proc = _killed(small_extract, tmp_path, "created")
    assert proc.returncode == -signal.SIGKILL
    assert events(reg) == ["pending", "created"] and (tmp_path / "rel" / "manifest.json").is_file()
    assert [n for n in leftovers(tmp_path) if n.endswith(".lock")]  # only the lock file of the dead run
    assert inproc("register", "--register", reg, "--check").code == 0
    nxt = _cheap_next_run(small_extract, tmp_path)
    assert nxt.code == 4 and leftovers(tmp_path) == []
    assert events(reg) == ["pending", "created"]  # nothing to recover: the release is committed
    assert_no_personal_value(pii, streams=(proc.stdout, proc.stderr, nxt.err), roots=(tmp_path,))


@pytest.mark.parametrize(
    ("step", "sig", "code", "kinds"),
    [
        ("writing", "TERM", 143, []),
        ("renamed", "TERM", 143, ["pending", "abandoned"]),
        ("writing", "INT", 130, []),
    ],
)
def test_sigterm_and_sigint_roll_back_whatever_the_step(small_extract, pii, tmp_path, step, sig, code, kinds):
    reg = tmp_path / "register.jsonl"
    proc = _killed(small_extract, tmp_path, step, sig)
    assert proc.returncode == code
    line = assert_one_error_line(proc.stderr)
    assert f"SIG{sig}" in line
    assert not (tmp_path / "rel").exists() and leftovers(tmp_path) == []
    assert (events(reg) if reg.exists() else []) == kinds
    assert_no_personal_value(pii, streams=(proc.stdout, proc.stderr), roots=(tmp_path,))


def test_kill9_mid_append_tears_the_register_and_repair_cuts_it(world, small_extract, pii, tmp_path):
    """A crash half-way through writing a line (here publish's, the cheapest command that appends)."""
    reg = Path(shutil.copy(world.register, tmp_path / "register.jsonl"))
    before = reg.read_bytes()
    kill = {"APPI_TEST_KILL_AT": "append-torn"}
    proc = cli("publish", "--site", tmp_path / "site", "--register", reg, env=kill)
    assert proc.returncode == -signal.SIGKILL
    torn = reg.read_bytes()
    assert torn.startswith(before) and len(torn) > len(before) and not torn.endswith(b"\n")
    nxt = _cheap_next_run(small_extract, tmp_path)  # a run refuses to append after a torn line
    assert nxt.code == 9 and "incomplete" in assert_one_error_line(nxt.err) and reg.read_bytes() == torn
    repair = inproc("register", "--register", reg, "--repair")
    assert repair.code == 0 and "cut off a torn last line" in repair.out
    assert reg.read_bytes() == before and list(tmp_path.glob("register.jsonl.torn-*"))
    again = inproc("publish", "--site", tmp_path / "site", "--register", reg)
    assert again.code == 0 and events(reg)[-2:] == ["published", "published"]
    assert inproc("register", "--register", reg, "--check", "--site", tmp_path / "site").code == 0
    assert leftovers(tmp_path) == []
    assert_no_personal_value(pii, streams=(proc.stderr, nxt.err, repair.out), roots=(tmp_path,))


def test_a_real_sigterm_while_writing_leaves_nothing(small_extract, pii, tmp_path):
    """No hook: the signal comes from outside, as ``kill PID`` or a scheduler's timeout sends it."""
    reg = tmp_path / "register.jsonl"
    env = {**os.environ, "CI": "true", "PYTHONWARNINGS": "ignore"}
    proc = subprocess.Popen([sys.executable, "-m", "pipeline.cli.main",
                             *map(str, run_args(small_extract, tmp_path / "rel", reg))],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 300
    while not leftovers(tmp_path) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert proc.poll() is None, "the run ended before it started writing"
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 143, err[-2000:]  # the tool's own lines: no personal value (asserted below)
    assert "SIGTERM" in assert_one_error_line(err)
    assert not (tmp_path / "rel").exists() and leftovers(tmp_path) == []
    assert (events(reg) if reg.exists() else []) in ([], ["pending", "abandoned"])
    assert_no_personal_value(pii, streams=(out, err), roots=(tmp_path,))
