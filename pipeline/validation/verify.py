"""``anonymize verify``: a recipient's or auditor's check of a release directory or provision bundle.

1. Integrity: every file except ``manifest.json`` is listed in the manifest's ``files`` map with its
   SHA-256, each digest matches, and no unlisted file exists. A folder holding ``SHA256SUMS`` is a bundle
   (:mod:`pipeline.publication.bundle`): also every file against ``SHA256SUMS``, and the files a bundle
   withholds (``report.html``) may be absent.
2. Consistency (:mod:`pipeline.validation.consistency`): the manifest's k everywhere, the gate's recorded
   results, the persons of linked tables present in the table they link to.
3. The suite: re-bound from ``manifest.json`` (profile = the manifest's audience, else the profile recorded
   in ``validation/results.json``, else the stricter ``third_party``) and re-run on ``data/*.parquet``.
   The expected columns are the published items (``published_items.json``, the release's legal
   statement of its contents) when that file exists, else the manifest's ``columns``.
4. With ``--register``, the release against its register lines (:mod:`pipeline.validation.against_register`).
5. Classes (``pipeline.validation.classes``): k persons per class of equal released labels, on each table
   and joined view, recounted with plain pandas (independent of the suite and the engine).
Problems are returned as sentences naming files, tables and columns, never values.

The manifest is read once into the typed :class:`~pipeline.release.manifest.Manifest` (a malformed or forged
key is one problem naming it, exit 8) and every check takes that object: each reads fields whose type the
reading proved, so no check guards its own ``.get()`` chain or trips over a value of the wrong type.
"""

from __future__ import annotations

import json
from pathlib import Path, PurePosixPath

import pandas as pd
import pyarrow as pa

from pipeline.checksum import sha256_file
from pipeline.errors import PipelineError
from pipeline.progress import phase
from pipeline.publication.bundle import SUMS, check_bundle
from pipeline.release.compact import read_compact
from pipeline.release.manifest import Manifest, TableEntry, read_manifest_json
from pipeline.stream.memory import release
from pipeline.validation.against_register import register_problems
from pipeline.validation.classes import check_classes
from pipeline.validation.consistency import linked_problems, manifest_problems, results_problems
from pipeline.validation.gate import RESULTS
from pipeline.validation.rules import rules_for
from pipeline.validation.runner import run_suites
from pipeline.validation.suite import PROFILES, build_suites, load_profile
from pipeline.validation.summary import describe_failure, summarise

ITEMS = "published_items.json"


def check_files(release_dir: Path, manifest: Manifest) -> list[str]:
    files = manifest.files
    if not files:
        return ["manifest.json: no 'files' map of relative path → sha256"]
    problems = []
    for rel, expected in sorted(files.items()):
        parts = PurePosixPath(rel).parts
        if PurePosixPath(rel).is_absolute() or ".." in parts:
            problems.append(f"manifest.json: file path {rel} leaves the release directory")
            continue
        path = release_dir.joinpath(*parts)
        if not path.is_file():
            problems.append(f"{rel}: listed in manifest.json but missing")
        elif sha256_file(path) != expected:
            problems.append(f"{rel}: SHA-256 does not match manifest.json (the file was changed)")
    on_disk = {p.relative_to(release_dir).as_posix() for p in release_dir.rglob("*") if p.is_file()}
    for rel in sorted(on_disk - set(files) - {"manifest.json"}):
        problems.append(f"{rel}: file not listed in manifest.json")
    return problems


def _profile_name(release_dir: Path, manifest: Manifest) -> str:
    if manifest.audience in PROFILES:
        return manifest.audience
    try:
        recorded = json.loads((release_dir / RESULTS).read_text(encoding="utf-8")).get("profile")
    except (OSError, ValueError):
        recorded = None
    return str(recorded) if recorded in PROFILES else "third_party"


def published_columns(release_dir: Path) -> dict[str, list[str]]:
    """Table → columns listed in ``published_items.json`` (empty when the file is absent or unreadable)."""
    try:
        doc = json.loads((release_dir / ITEMS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    out: dict[str, list[str]] = {}
    for item in doc.get("items", []):
        out.setdefault(str(item.get("table")), []).append(str(item.get("column")))
    return out


def _table_file(release_dir: Path, name: str, entry: TableEntry) -> Path:
    rel = entry.file or f"data/{name}.parquet"
    path = release_dir / rel
    return path if path.is_file() else release_dir / "data" / Path(rel).name


def check_suite(release_dir: Path, manifest: Manifest) -> list[str]:
    problems, tables = _suite(release_dir, manifest)
    with phase("linked persons"):
        return problems + linked_problems(tables, manifest)


def _suite(release_dir: Path, manifest: Manifest) -> tuple[list[str], dict[str, pd.DataFrame]]:
    entries = manifest.tables
    if not entries:
        return ["manifest.json: no 'tables'"], {}
    profile = load_profile(_profile_name(release_dir, manifest))
    problems: list[str] = []
    tables = {}
    published = published_columns(release_dir)
    for name, entry in entries.items():
        path = _table_file(release_dir, name, entry)
        try:
            rules = rules_for(name, entry, tuple(published[name]) if name in published else None)
        except PipelineError as exc:
            problems.append(str(exc))
            continue
        try:
            with phase(f"read {name}"):
                data = read_compact(path, rules.linking_codes)  # the linking codes and the person key
        except (OSError, ValueError, pa.ArrowException) as exc:
            problems.append(f"table {name}: cannot read {path.name} ({type(exc).__name__})")
            continue
        tables[name] = (data, rules)
    listed = {_table_file(release_dir, n, e).resolve() for n, e in entries.items()}
    for extra in sorted((release_dir / "data").glob("*.parquet")):
        if extra.resolve() not in listed:
            problems.append(f"data/{extra.name}: a data file with no table in manifest.json")
    frames = {name: data for name, (data, _rules) in tables.items()}
    if tables:
        try:
            with phase("suites"):
                suites = build_suites(profile, tables)
        except PipelineError as exc:
            return [*problems, str(exc)], frames
        summary = summarise(run_suites(suites))
        problems += [describe_failure(f) for f in summary["failed"]]
    return problems, frames


def is_bundle(release_dir: Path) -> bool:
    return (release_dir / SUMS).is_file()


def verify_release(release_dir: Path, register: Path | None = None) -> list[str]:
    """Every problem found in ``release_dir`` (empty: the release is intact and passes its suite)."""
    release_dir = Path(release_dir)
    if not release_dir.is_dir():
        return [f"{release_dir}: not a directory"]
    try:
        doc = read_manifest_json(release_dir)
        if not isinstance(doc, dict):
            return [f"{release_dir}/manifest.json: not a JSON object"]
        manifest = Manifest.from_json(doc)  # every key this tool writes has its type, or one clear error
    except PipelineError as exc:
        return [str(exc)]
    bundle = is_bundle(release_dir)
    with phase("checksums"):
        files = (check_bundle(release_dir, manifest, sha256_file) if bundle
                 else check_files(release_dir, manifest))
    problems = files + manifest_problems(manifest) + results_problems(release_dir, manifest)
    problems += check_suite(release_dir, manifest)
    release()  # the suite's frames are gone: their memory back before the recount reads the tables again
    with phase("classes (independent recount)"):
        problems += check_classes(release_dir, manifest)
    if register is not None:
        problems += register_problems(release_dir, manifest, register, sha256_file, bundle)
    return problems
