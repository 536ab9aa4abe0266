"""Letters-only ids in what Great Expectations writes into a release (issue 11).

GX gives every expectation, suite and validation result a random UUID (``9b26b8db-2332-4096-8325-…``).
A UUID's middle groups are decimal digits often enough that a release of a million rows once held
``2332-4096-8325``, which passes the My Number check digit: a recipient's DLP scanner flags the release.
Dropping the ids would break the links of the Data Docs, so each UUID is replaced, in every file under
``validation/`` and in file names, by a token of 26 lowercase letters derived from it (SHA-256, so the same
UUID gets the same token in every file and links still resolve). The tokens carry no digit at all.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_TEXT_SUFFIXES = {".json", ".html", ".htm", ".js", ".css", ".md", ".txt", ".svg", ".xml"}


def letters(uuid: str) -> str:
    """26 lowercase letters from the UUID's SHA-256 (deterministic)."""
    digest = hashlib.sha256(uuid.lower().encode()).digest()
    return "".join(chr(ord("a") + b % 26) for b in digest[:26])


def replace_ids(text: str) -> str:
    return UUID.sub(lambda m: letters(m.group()), text)


def letters_only_ids(root: Path) -> int:
    """Replace every UUID under ``root`` (text files' contents, and names); return how many files changed."""
    changed = 0
    for path in sorted(root.rglob("*"), key=lambda p: len(p.parts), reverse=True):  # deepest first
        if path.is_file() and path.suffix.lower() in _TEXT_SUFFIXES:
            text = path.read_text(encoding="utf-8")
            new = replace_ids(text)
            if new != text:
                path.write_text(new, encoding="utf-8")
                changed += 1
        if UUID.search(path.name):
            path.rename(path.with_name(replace_ids(path.name)))
            changed += 1
    return changed
