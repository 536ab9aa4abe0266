"""The one SHA-256 of a file: manifests, the register, verify, published pages and input digests use it.

Streams the file (``hashlib.file_digest``), so a multi-gigabyte extract or Parquet file is never held in
memory for its digest. Returns lowercase hex, the form every manifest and register entry records.
"""

from __future__ import annotations

import hashlib
from pathlib import Path


def sha256_file(path: Path | str) -> str:
    """Hex SHA-256 of the file's bytes; raises ``OSError`` if it cannot be read."""
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()
