"""The provision bundle's format (what ``anonymize provide`` writes and ``anonymize verify`` accepts).

A bundle is the release folder, less what stays with the insurer, plus ``SHA256SUMS``:

- ``manifest.json``, the release's own, unchanged: its ``files`` map still lists every file of the release,
  so the recipient can check each file of the bundle against the manifest (and the manifest against the
  register's ``created`` line, when the insurer checks a bundle it sent);
- the files of :data:`BUNDLE_FILES` and the folders of :data:`BUNDLE_DIRS` (data, validation results and
  Data Docs), byte-identical to the release's;
- ``SHA256SUMS``, in the format of GNU ``sha256sum`` (``<hex>  <path>``), listing every other file of the
  bundle, ``manifest.json`` included, so ``sha256sum -c SHA256SUMS`` works without this tool.

Withheld on purpose: every file of the manifest outside :data:`BUNDLE_FILES` / :data:`BUNDLE_DIRS` (today
``report.html``, the analysts' report: it shows risk before anonymisation, which a recipient does not need).
``verify`` treats a folder holding ``SHA256SUMS`` as a bundle: a withheld file may be absent, any other file
of the manifest must be present and match, and nothing may be there that neither lists.
"""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath
from typing import Any

from pipeline.publication.dictionary import DICT_JSON, DICT_MD
from pipeline.publication.items import ITEMS_HTML, ITEMS_JSON, ITEMS_MD
from pipeline.publication.notice import NOTICE_MD
from pipeline.release.manifest import Manifest

SUMS = "SHA256SUMS"
BUNDLE_FILES = ("manifest.json", ITEMS_JSON, ITEMS_MD, ITEMS_HTML, DICT_JSON, DICT_MD, NOTICE_MD)
BUNDLE_DIRS = ("data", "validation")
_LINE = re.compile(r"^(?P<digest>[0-9a-f]{64}) [ *](?P<path>.+)$")


def in_bundle(rel: str) -> bool:
    """Whether the release file ``rel`` (POSIX, relative) goes into the bundle."""
    return rel in BUNDLE_FILES or PurePosixPath(rel).parts[0] in BUNDLE_DIRS


def write_sums(folder: Path, digests: dict[str, str]) -> None:
    (folder / SUMS).write_text(
        "".join(f"{d}  {rel}\n" for rel, d in sorted(digests.items())), encoding="utf-8"
    )


def read_sums(folder: Path) -> tuple[dict[str, str], list[str]]:
    """``SHA256SUMS`` as ``{path: digest}``, and the problems found reading it (malformed lines)."""
    sums: dict[str, str] = {}
    problems = []
    try:
        text = (folder / SUMS).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return {}, [f"{SUMS}: cannot be read"]
    for number, line in enumerate(text.splitlines(), start=1):
        m = _LINE.match(line)
        if not m:
            problems.append(f"{SUMS}: line {number} is not '<sha256>  <path>'")
            continue
        sums[m.group("path")] = m.group("digest")
    return sums, problems


def check_bundle(folder: Path, manifest: Manifest, digest_of: Any) -> list[str]:
    """Every problem of ``folder`` as a bundle of the release ``manifest`` (see the module docstring)."""
    files = manifest.files
    if not files:
        return ["manifest.json: no 'files' map of relative path → sha256"]
    sums, problems = read_sums(folder)
    on_disk = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()} - {SUMS}
    actual = {rel: digest_of(folder / rel) for rel in sorted(on_disk)}
    for rel in sorted(on_disk - set(sums)):
        problems.append(f"{rel}: file not listed in {SUMS}")
    for rel, digest in sorted(sums.items()):
        if rel not in actual:
            problems.append(f"{rel}: listed in {SUMS} but missing")
        elif actual[rel] != digest:
            problems.append(f"{rel}: SHA-256 does not match {SUMS} (the file was changed)")
    for rel, digest in sorted(files.items()):
        parts = PurePosixPath(rel).parts
        if PurePosixPath(rel).is_absolute() or ".." in parts:
            problems.append(f"manifest.json: file path {rel} leaves the release directory")
        elif rel not in actual:
            if in_bundle(rel):
                problems.append(f"{rel}: listed in manifest.json and part of a bundle, but missing")
        elif actual[rel] != digest:
            problems.append(f"{rel}: SHA-256 does not match manifest.json (the file was changed)")
    for rel in sorted(on_disk - set(files) - {"manifest.json"}):
        problems.append(f"{rel}: file not listed in manifest.json")
    return problems
