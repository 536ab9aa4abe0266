"""A release and its register line are committed together, or neither is.

The protocol (``anonymize run`` with a register), every step durable (``fsync``) before the next:

1. the release is complete in its staging directory, whose run holds the staging lock
   (:mod:`pipeline.release.writer`);
2. ``pending`` is appended: release id, target and staging paths, the lock file, the manifest's SHA-256;
3. the staging directory is renamed to ``--out`` (atomic);
4. ``created`` is appended, naming the ``pending`` line it completes (``pending_seq``).

Any failure the process sees after step 2 (a full disk on the ``created`` append, SIGTERM, SIGINT) rolls
back: the release directory it renamed is removed again and ``abandoned`` is appended (best effort: when
the disk is full that line cannot be written either, and the ``pending`` line stays open). A crash it
cannot see (kill -9, power loss) leaves an open ``pending`` line whose lock nobody holds.

:func:`recover` closes such lines; every ``anonymize run`` calls it first, and ``anonymize register
--repair`` does too. An open ``pending`` line whose lock file is still held belongs to a live run and is
left alone (also one from another host: its lock cannot be judged from here). Otherwise the run is dead:
its release directory is removed if its ``manifest.json`` is the one the line recorded (so it is the
directory that run renamed, never anyone else's), its staging directory is removed, and ``abandoned`` is
appended. After any crash, then, the state is one of: no line and no directory; ``pending`` +
``abandoned`` and no directory; ``pending`` + ``created`` and the release in place.

Why roll back rather than complete a dead run's release: the run reported failure (or was killed) to
whoever started it; a release appearing afterwards would be a release nobody saw succeed.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pipeline.checksum import sha256_file
from pipeline.errors import PipelineError, RegisterError
from pipeline.release.faults import kill_point
from pipeline.release.register import append_event, locked
from pipeline.release.writer import Staging, lock_is_held, publish_dir

ABANDONED_BY_RUN = "the run failed after its pending line; the release it renamed was removed again"
ABANDONED_BY_RECOVERY = "the run died before its created line (crash or kill); cleaned up by a later run"


def _sha256(path: Path) -> str | None:
    try:
        return sha256_file(path)
    except OSError:
        return None


def commit_release(
    st: Staging, out: Path, register: Path | None, created: Callable[[Path], dict[str, Any]]
) -> dict[str, Any] | None:
    """Rename ``st.dir`` to ``out`` and, with a register, write ``pending`` / ``created`` around it.

    ``created(files_dir)`` builds the ``created`` event from the files in ``files_dir`` (the staging
    directory), recording ``out`` as the release's place. Returns the appended ``created`` event."""
    kill_point("staged")
    if register is None:
        publish_dir(st.dir, out)
        return None
    manifest_sha = _sha256(st.dir / "manifest.json")
    event = created(st.dir)
    pending = append_event(
        register,
        {
            "event": "pending",
            "release_id": event["release_id"],
            "release_dir": str(out),
            "staging_dir": str(st.dir),
            "lock": str(st.lock),
            "manifest_sha256": manifest_sha,
            "host": socket.gethostname(),
            "pid": os.getpid(),
        },
    )
    kill_point("pending")
    try:
        publish_dir(st.dir, out)
        kill_point("renamed")
        done = append_event(register, {**event, "pending_seq": pending["seq"]})
    except BaseException as exc:
        removed = _roll_back(register, pending, out, manifest_sha)
        if isinstance(exc, RegisterError):
            where = "the release directory was removed again" if removed else "no release directory was made"
            raise RegisterError(f"{exc}; {where}, nothing was released") from None
        raise
    kill_point("created")
    return done


def _roll_back(register: Path, pending: dict[str, Any], out: Path, manifest_sha: str | None) -> bool:
    removed = _remove_if_ours(out, manifest_sha)
    with contextlib.suppress(
        PipelineError, OSError
    ):  # the next run's recover() closes the line if this fails
        append_event(
            register,
            {
                "event": "abandoned",
                "release_id": pending["release_id"],
                "pending_seq": pending["seq"],
                "reason": ABANDONED_BY_RUN,
                "removed": ["release_dir"] if removed else [],
            },
        )
    return removed


def _remove_if_ours(directory: Path, manifest_sha: str | None) -> bool:
    """Remove ``directory`` only if its manifest is the one recorded (the directory this tool renamed)."""
    if (
        manifest_sha
        and directory.is_dir()
        and not directory.is_symlink()
        and _sha256(directory / "manifest.json") == manifest_sha
    ):
        shutil.rmtree(directory, ignore_errors=True)
        return not directory.exists()
    return False


def open_pending(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``pending`` lines no ``created`` or ``abandoned`` line closes."""
    closed = {e.get("pending_seq") for e in events if e.get("event") in ("created", "abandoned")}
    return [e for e in events if e.get("event") == "pending" and e.get("seq") not in closed]


def pending_is_live(p: dict[str, Any]) -> bool:
    """A pending run is live if its staging lock is held, or it ran on another host (cannot be judged)."""
    if p.get("host") and p.get("host") != socket.gethostname():
        return True
    return lock_is_held(Path(str(p.get("lock", ""))))


def recover(register: Path | str) -> list[dict[str, Any]]:
    """Close the open ``pending`` lines of dead runs (see the module docstring); the ``abandoned`` events."""
    if not Path(register).is_file():
        return []
    out: list[dict[str, Any]] = []
    with locked(register) as reg:
        for p in open_pending(reg.events):
            if pending_is_live(p):
                continue
            removed = []
            if _remove_if_ours(Path(str(p.get("release_dir", ""))), p.get("manifest_sha256")):
                removed.append("release_dir")
            staging = Path(str(p.get("staging_dir", "")))
            if staging.name and ".partial-" in staging.name and staging.is_dir() and not staging.is_symlink():
                shutil.rmtree(staging, ignore_errors=True)
                removed.append("staging_dir")
            with contextlib.suppress(OSError):
                Path(str(p.get("lock", ""))).unlink()
            out.append(
                reg.append(
                    {
                        "event": "abandoned",
                        "release_id": p["release_id"],
                        "pending_seq": p["seq"],
                        "reason": ABANDONED_BY_RECOVERY,
                        "removed": removed,
                    }
                )
            )
    return out


def repair(register: Path | str) -> dict[str, Any]:
    """``anonymize register --repair``: cut off a torn last line (its bytes kept beside the register as
    ``<name>.torn-<UTC time>``: it was never a committed event, but an auditor may want to see it), then
    :func:`recover`. Any other damage (an altered or missing line) is not repairable and still raises."""
    path = Path(register)
    cut = None
    try:
        fd = os.open(path, os.O_RDWR)
    except FileNotFoundError:
        return {"torn_bytes": 0, "side_file": None, "abandoned": []}
    except OSError as exc:
        raise RegisterError(f"{path}: cannot open the register ({exc.strerror})") from None
    try:
        from pipeline.release.register import _lock

        _lock(fd, path)
        data = os.pread(fd, os.fstat(fd).st_size, 0)
        if data and not data.endswith(b"\n"):
            keep = data.rfind(b"\n") + 1
            stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
            side = path.with_name(f"{path.name}.torn-{stamp}")
            side.write_bytes(data[keep:])
            os.ftruncate(fd, keep)
            os.fsync(fd)
            cut = (len(data) - keep, str(side))
    finally:
        os.close(fd)
    abandoned = recover(path)
    return {"torn_bytes": cut[0] if cut else 0, "side_file": cut[1] if cut else None, "abandoned": abandoned}
