"""``anonymize verify RELEASE --register FILE``: the release (or bundle) against its register lines.

The register's ``created`` line was written by the run that made the release, and holds the SHA-256 of its
``manifest.json``, of its item list, of every other file (``outputs``) and the figures reached per table.
So a release whose manifest was edited (k lowered, a table swapped with rewritten checksums) fails here even
when it is internally consistent. For a bundle, the ``provided`` line also holds the SHA-256 of its
``SHA256SUMS``. The register itself is verified on reading (seals, chain, HMACs with the key), and the
manifest's register anchor must match the register (:mod:`pipeline.publication.anchors`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from pipeline.errors import RegisterError
from pipeline.publication.anchors import anchor_problem
from pipeline.publication.bundle import SUMS, in_bundle
from pipeline.release.manifest import Manifest, TableEntry
from pipeline.release.register import events_for, read_register, withdrawn

ITEMS = "published_items.json"


def register_problems(
    release_dir: Path,
    manifest: Manifest,
    register: Path,
    digest_of: Callable[[Path], str],
    bundle: bool,
) -> list[str]:
    if not Path(register).is_file():
        return [f"{register}: no such register"]
    try:
        events = read_register(register)
    except RegisterError as exc:
        return [str(exc)]
    rid = manifest.release_id
    created = events_for(events, rid, "created")
    if not created:
        return [
            f"{register}: no created line for release {rid}; it was not made by `anonymize run` with this "
            "register (or its line was removed)"
        ]
    if rid in withdrawn(events):
        return [f"{register}: release {rid} was abandoned (rolled back); it is not a release"]
    line = created[-1]
    problems = []
    if digest_of(release_dir / "manifest.json") != line.get("manifest_sha256"):
        problems.append(
            f"manifest.json: SHA-256 differs from the register's created line {line['seq']} "
            "(the manifest was changed)"
        )
        problems += _figure_differences(manifest, line)
    outputs: dict[str, str] = dict(line.get("outputs") or {})
    for rel, digest in sorted(outputs.items()):
        path = release_dir / rel
        if not path.is_file():
            if not (bundle and not in_bundle(rel)):
                problems.append(f"{rel}: recorded in the register, missing here")
        elif digest_of(path) != digest:
            problems.append(f"{rel}: SHA-256 differs from the register's created line {line['seq']}")
    listed = set(outputs) | {"manifest.json"} | ({SUMS} if bundle else set())
    for rel in sorted(
        {p.relative_to(release_dir).as_posix() for p in release_dir.rglob("*") if p.is_file()} - listed
    ):
        problems.append(f"{rel}: not a file of release {rid} in the register")
    items = (line.get("item_list") or {}).get("sha256")
    if items and (release_dir / ITEMS).is_file() and digest_of(release_dir / ITEMS) != items:
        problems.append(f"{ITEMS}: SHA-256 differs from the register's item list")
    problem = anchor_problem(events, manifest.register_anchor, "manifest.json")
    if problem and manifest.register_anchor is not None:  # a release from before anchors has none
        problems.append(problem)
    if bundle:
        provided = [
            e
            for e in events_for(events, rid, "provided")
            if e.get("sha256sums_sha256") == digest_of(release_dir / SUMS)
        ]
        if not provided:
            problems.append(f"{SUMS}: no provided line of release {rid} in the register has this {SUMS}")
    return problems


def _figure_differences(manifest: Manifest, line: dict[str, Any]) -> list[str]:
    out = []
    for name, recorded in (line.get("tables") or {}).items():
        entry = manifest.tables.get(name)
        if entry is None:
            out.append(f"manifest.json: table {name} of the register is missing")
            continue
        for key, value in _figures(entry).items():
            if key in recorded and value != recorded[key]:
                out.append(
                    f"manifest.json: table {name}: {key} is {value}, the register recorded {recorded[key]}"
                )
    return out


def _figures(entry: TableEntry) -> dict[str, int | None]:
    """Figures per table compared between manifest and register (to say *what* differs, not only that)."""
    return {"rows": entry.rows, "k": entry.k, "min_class_size": entry.min_class_size,
            "suppressed_rows": entry.suppressed_rows}
