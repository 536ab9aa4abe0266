"""Atomic release directories: built in a hidden staging directory beside the target, renamed at the end.

A release appears whole or not at all: any exception while writing removes the staging directory, and the
final ``os.rename`` is atomic on one file system. An existing target is never overwritten.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path

from pipeline.errors import OutputError, ReleaseExistsError


def inside(root: Path, rel: str) -> Path:
    """``root / rel``, checked to resolve inside ``root``: no file of a release is written elsewhere.

    Table names are validated identifiers already (pipeline.config.names); this is the second wall, at the
    point where a name becomes a path.
    """
    target = (root / rel).resolve()
    if not target.is_relative_to(root.resolve()) or target == root.resolve():
        raise OutputError(f"{rel!r} does not resolve inside the release directory; nothing was written")
    return target


@contextlib.contextmanager
def staging(target: Path) -> Iterator[Path]:
    """Yield a fresh staging directory; on success the caller calls :func:`publish_dir`."""
    target = Path(target)
    if target.exists():
        raise ReleaseExistsError(
            f"{target} already exists; releases are never overwritten, choose a new --out"
        )
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.parent / f".{target.name}.partial-{secrets.token_hex(4)}"
        tmp.mkdir()
    except OSError as exc:
        raise OutputError(f"{target}: cannot create the release directory ({os.strerror(exc.errno or 0)}; "
                          "is a parent a file, or the file system read-only?)") from None
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if tmp.exists():  # the caller did not publish: nothing may remain
        shutil.rmtree(tmp, ignore_errors=True)


def publish_dir(tmp: Path, target: Path) -> None:
    if target.exists():
        raise ReleaseExistsError(f"{target} appeared while the release was written; nothing was replaced")
    for root, _dirs, files in os.walk(tmp):
        for f in files:
            fd = os.open(os.path.join(root, f), os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
    os.rename(tmp, target)
