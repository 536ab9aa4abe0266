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

from pipeline.errors import ReleaseExistsError


@contextlib.contextmanager
def staging(target: Path) -> Iterator[Path]:
    """Yield a fresh staging directory; on success the caller calls :func:`publish_dir`."""
    target = Path(target)
    if target.exists():
        raise ReleaseExistsError(
            f"{target} already exists; releases are never overwritten, choose a new --out"
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.parent / f".{target.name}.partial-{secrets.token_hex(4)}"
    tmp.mkdir()
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
