"""Atomic release directories: built in a hidden staging directory beside the target, renamed at the end.

A release appears whole or not at all: any exception while writing (a signal included: the CLI turns
SIGTERM into an exception like SIGINT) removes the staging directory, and the final ``os.rename`` is atomic
on one file system. An existing target is never overwritten.

What a crash (kill -9, power loss) leaves is found again: before the staging directory
``.<name>.partial-<hex>`` exists, its run creates the sibling lock file ``.<name>.partial-<hex>.lock``
(JSON: which staging directory, pid, host) and holds an ``flock`` on it until the end. The kernel releases
that lock when the process dies, so a lock file nobody holds belongs to a dead run: :func:`sweep_dead_staging`
(called by every ``anonymize run`` on the parent of its ``--out``) removes the staging directory the lock file
names, then the lock file. A directory is only removed when a dead lock file names it: nothing the tool did
not create is touched, and a live run's staging directory never is.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import secrets
import shutil
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import OutputError, ReleaseExistsError
from pipeline.interrupts import check_terminated


def inside(root: Path, rel: str) -> Path:
    """``root / rel``, checked to resolve inside ``root``: no file of a release is written elsewhere.

    Table names are validated identifiers already (pipeline.config.names); this is the second wall, at the
    point where a name becomes a path.
    """
    target = (root / rel).resolve()
    if not target.is_relative_to(root.resolve()) or target == root.resolve():
        raise OutputError(f"{rel!r} does not resolve inside the release directory; nothing was written")
    return target

_LOCK_NAME = re.compile(r"^(?P<staging>\..+\.partial-[0-9a-f]{8})\.lock$")


@dataclass(frozen=True)
class Staging:
    """A staging directory being written and the lock file that proves its run is alive."""

    dir: Path
    lock: Path


@contextlib.contextmanager
def staging(target: Path) -> Iterator[Path]:
    """Yield a fresh staging directory; on success the caller calls :func:`publish_dir`."""
    with staging_with_lock(target) as st:
        yield st.dir


@contextlib.contextmanager
def staging_with_lock(target: Path) -> Iterator[Staging]:
    """:func:`staging`, also giving the lock file (recorded in the register's ``pending`` event)."""
    target = Path(target)
    if target.exists():
        raise ReleaseExistsError(
            f"{target} already exists; releases are never overwritten, choose a new --out"
        )
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp, lock, fd = _locked_name(target)
    except OSError as exc:
        raise OutputError(f"{target}: cannot create the release directory ({os.strerror(exc.errno or 0)}; "
                          "is a parent a file, or the file system read-only?)") from None
    try:
        info = {"staging": tmp.name, "target": target.name, "pid": os.getpid(), "host": socket.gethostname()}
        os.write(fd, json.dumps(info).encode())
        tmp.mkdir()
        try:
            yield Staging(tmp, lock)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        if tmp.exists():  # the caller did not publish: nothing may remain
            shutil.rmtree(tmp, ignore_errors=True)
    finally:
        with contextlib.suppress(OSError):
            lock.unlink()
        os.close(fd)


def _locked_name(target: Path) -> tuple[Path, Path, int]:
    """Create and lock a fresh lock file. A sweeper may unlink a lock file in the instant between its
    creation and our ``flock``; the lock only counts if the path still names the file we locked."""
    for _ in range(5):
        tmp = target.parent / f".{target.name}.partial-{secrets.token_hex(4)}"
        lock = target.parent / f"{tmp.name}.lock"
        fd = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            if os.stat(lock).st_ino == os.fstat(fd).st_ino:
                return tmp, lock, fd
        except (BlockingIOError, FileNotFoundError):
            pass
        os.close(fd)
    raise OSError(f"{target.parent}: cannot create a staging lock file")


def lock_is_held(lock: Path) -> bool:
    """Whether a live process holds ``lock`` (a missing file is held by nobody)."""
    try:
        fd = os.open(lock, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


def sweep_dead_staging(parent: Path) -> list[str]:
    """Remove the staging directories of dead runs in ``parent`` (see the module docstring); their names."""
    removed: list[str] = []
    if not parent.is_dir():
        return removed
    for lock in sorted(parent.iterdir()):
        m = _LOCK_NAME.match(lock.name)
        if not m or not lock.is_file():
            continue
        with contextlib.suppress(OSError):
            fd = os.open(lock, os.O_RDWR)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue  # a live run
            try:
                tmp = parent / m.group("staging")
                if tmp.is_dir() and not tmp.is_symlink():
                    shutil.rmtree(tmp)
                    removed.append(tmp.name)
                lock.unlink()
            finally:
                os.close(fd)
    return removed


def publish_dir(tmp: Path, target: Path) -> None:
    check_terminated()  # a signal whose exception something swallowed still stops the release here
    if target.exists():
        raise ReleaseExistsError(f"{target} appeared while the release was written; nothing was replaced")
    for root, dirs, files in os.walk(tmp):
        links = [n for n in (*dirs, *files) if os.path.islink(os.path.join(root, n))]
        if links:  # a release holds its own files only: a link would make verify read from elsewhere
            raise OutputError(f"{target}: the staging directory holds a symbolic link; nothing was released")
        for f in files:
            fd = os.open(os.path.join(root, f), os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
    os.rename(tmp, target)
    with contextlib.suppress(OSError):
        fd = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
