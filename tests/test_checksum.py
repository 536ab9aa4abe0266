"""One SHA-256 of a file for the whole package (``pipeline/checksum.py``)."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

from pipeline.checksum import sha256_file

PACKAGE = Path(__file__).resolve().parents[1] / "pipeline"
#: Modules that hash bytes which are not a file's: the config's bytes as parsed (read once, so the digest
#: is of exactly what was loaded), a register event's canonical JSON, a GX identifier's UUID text, and a
#: linking code under the run's surrogate key (keyed BLAKE2b, the PRF of the surrogates).
NOT_FILES = {"checksum.py", "config/loader.py", "release/register.py", "validation/ids.py",
             "identifiers/surrogate.py"}


@pytest.mark.parametrize("size", [0, 1, (1 << 20) + 7])
def test_equals_hashlib_on_the_bytes(tmp_path: Path, size: int) -> None:
    data = bytes(range(256)) * (size // 256) + bytes(size % 256)
    path = tmp_path / "f.bin"
    path.write_bytes(data)
    assert sha256_file(path) == hashlib.sha256(data).hexdigest()
    assert sha256_file(str(path)) == sha256_file(path)


def test_missing_file_raises(tmp_path: Path) -> None:
    with pytest.raises(OSError):
        sha256_file(tmp_path / "absent")


def test_no_other_file_hashing_in_the_package() -> None:
    users = {p.relative_to(PACKAGE).as_posix() for p in PACKAGE.rglob("*.py")
             if re.search(r"\bhashlib\b", p.read_text(encoding="utf-8"))}
    assert users <= NOT_FILES, f"hash files with pipeline.checksum.sha256_file: {sorted(users - NOT_FILES)}"
