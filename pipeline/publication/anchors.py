"""Anchors: copies of the register's head kept outside the register, and ``anonymize register --check``.

The register's hash chain proves each line follows the one before; it cannot prove that nobody deleted a line
and recomputed every seal after it. Anchors make that detectable. An anchor is ``{"seq", "checksum"}`` of the
register's last line at some moment, written where the register's writer cannot quietly change it again:

- every release's ``manifest.json`` (``register_anchor``), which goes to analysts and, inside the bundle, to
  recipients;
- the published site (``register-head.json`` and the index page's footer), which is public (公表): the
  insurer's web server, web archives, the regulator's copy.

A rewritten register (a line deleted, altered or inserted before the anchored line, every seal after it
recomputed) no longer has the anchored checksum at the anchored line: :func:`check` reports it. What anchors
cannot catch (README, "Register and verify"): a rewrite of lines after the newest anchor that anyone still
holds, or a forger who rewrites the register *and* every copy of every anchor. The optional register key
(``ANONYMIZE_REGISTER_KEY``, :mod:`pipeline.release.register`) closes that gap for anyone without the key.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.errors import RegisterError
from pipeline.publication.site import SITE_HEAD
from pipeline.release.manifest import Manifest, ManifestError
from pipeline.release.register import head, read_register, withdrawn


def register_anchor(register: Path | str) -> dict[str, Any]:
    """The anchor a new release records: the register's file name and current head."""
    return {"file": Path(register).name, **head(read_register(register))}


def anchor_problem(events: list[dict[str, Any]], anchor: Any, where: str) -> str | None:
    """Why ``anchor`` (read from ``where``) does not fit the register, or ``None`` when it does."""
    if not isinstance(anchor, dict) or not isinstance(anchor.get("seq"), int):
        return f"{where}: no register anchor (made before anchors, or the anchor was removed)"
    seq, checksum = anchor["seq"], anchor.get("checksum")
    if seq == 0:
        return None
    if seq > len(events):
        return (
            f"{where}: records register line {seq}, but the register has {len(events)} lines "
            "(lines were removed)"
        )
    if events[seq - 1]["checksum"] != checksum:
        return (
            f"{where}: records register line {seq} with another checksum than the register's line {seq} "
            "(the register was rewritten up to that line)"
        )
    return None


def _manifest(directory: Path) -> Manifest | None:
    """``directory``'s typed manifest; ``None`` when there is no readable JSON object (the caller says
    what that means there). A JSON object of the wrong shape raises :class:`ManifestError` naming the
    file and the key: a problem to report, not a release to pass over."""
    try:
        doc = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(doc, dict):
        return None
    try:
        return Manifest.from_json(doc)
    except ManifestError as exc:  # its message starts with "manifest.json: "
        raise ManifestError(f"{directory}/{exc}") from None


@dataclass
class CheckResult:
    notes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def _where(events: list[dict[str, Any]], rid: str, created: dict[str, Any]) -> Path:
    moved = [e for e in events if e.get("event") == "moved" and e.get("release_id") == rid]
    return Path(str((moved[-1] if moved else created).get("release_dir", "")))


def check(register: Path | str, releases: Sequence[Path] = (), sites: Sequence[Path] = ()) -> CheckResult:
    """``anonymize register --check``: the chain (and HMACs with the key), open pending lines, and every
    anchor reachable: each registered release still in place, each ``releases`` folder (a release or a
    bundle, e.g. a recipient's copy), each published ``sites`` folder."""
    from pipeline.publication.releases import sha256_file
    from pipeline.release.commit import open_pending, pending_is_live

    result = CheckResult()
    try:
        events = read_register(register, require_signed=True)
    except RegisterError as exc:
        result.problems.append(str(exc))
        return result
    result.notes.append(f"{register}: {len(events)} lines, chain intact")
    for p in open_pending(events):
        if pending_is_live(p):
            result.notes.append(f"line {p['seq']}: release {p['release_id']} is being created by a live run")
        else:
            result.problems.append(
                f"line {p['seq']}: pending release {p['release_id']} of a dead run; "
                "`anonymize register --repair` closes it"
            )
    gone = withdrawn(events)
    for created in (e for e in events if e.get("event") == "created"):
        rid = str(created["release_id"])
        if rid in gone:
            continue
        where = _where(events, rid, created)
        try:
            manifest = _manifest(where)
        except ManifestError as exc:
            result.problems.append(f"release {rid}: {exc}")
            continue
        if manifest is None:
            result.notes.append(f"release {rid}: not reachable at {where}; its anchor is not checked")
            continue
        if sha256_file(where / "manifest.json") != created.get("manifest_sha256"):
            result.problems.append(
                f"release {rid}: {where}/manifest.json differs from the register's line {created['seq']}"
            )
        problem = anchor_problem(events, manifest.register_anchor, f"release {rid} ({where})")
        if problem:
            result.problems.append(problem)
    for directory in releases:
        _check_copy(events, Path(directory), result)
    for site in sites:
        _check_site(events, Path(site), result)
    return result


def _check_copy(events: list[dict[str, Any]], directory: Path, result: CheckResult) -> None:
    from pipeline.publication.releases import sha256_file

    try:
        manifest = _manifest(directory)
    except ManifestError as exc:
        result.problems.append(str(exc))
        return
    if manifest is None:
        result.problems.append(f"{directory}: no readable manifest.json")
        return
    rid = manifest.release_id
    digest = sha256_file(directory / "manifest.json")
    if not [
        e
        for e in events
        if e.get("event") == "created" and e.get("release_id") == rid and e.get("manifest_sha256") == digest
    ]:
        result.problems.append(
            f"{directory}: the register has no created line for release {rid} with this "
            "manifest (the line was removed, or the manifest was changed)"
        )
    problem = anchor_problem(events, manifest.register_anchor, str(directory))
    if problem:
        result.problems.append(problem)


def _check_site(events: list[dict[str, Any]], site: Path, result: CheckResult) -> None:
    try:
        anchor = json.loads((site / SITE_HEAD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        result.problems.append(f"{site}: no readable {SITE_HEAD}; not a site made by `anonymize publish`")
        return
    problem = anchor_problem(events, anchor, f"site {site}")
    if problem:
        result.problems.append(problem)
