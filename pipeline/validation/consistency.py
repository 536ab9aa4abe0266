"""What ``verify`` can prove from a release's files alone beyond checksums and the suite: that the manifest
agrees with itself, with the gate's recorded results, and that linked tables link.

Why: the checksums only prove the files match *a* manifest, and the suite is bound from that manifest, so a
forger who lowers ``k`` and rewrites the checksums gets a suite that checks the lowered ``k``. These checks
catch the forgeries that do not also rewrite everything else consistently:

- every table's ``k`` equals the release's ``privacy.k`` (one k per release), its smallest class is at least
  k, and ``rows_in - suppressed_rows == rows``;
- ``validation/results.json`` (written by the gate at creation) names this release and the manifest's
  audience, and every k-anonymity expectation it ran used the manifest's k;
- every table that links quasi-identifiers of an earlier table (claims → policyholders) links: its distinct
  person keys missing from that table are exactly the count the manifest recorded at creation
  (``linked_persons``, persons the earlier table suppressed or never held). A table swapped in from another
  release, whose keys match no policyholder, fails, whatever its checksums say. A manifest from before
  ``linked_persons`` is held to the bound the data allows: no more missing persons than the earlier table
  suppressed rows.

A forger who rewrites all of it consistently is only caught against the register (``verify --register``,
:mod:`pipeline.validation.against_register`): the register holds the manifest's SHA-256.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from pipeline.release.manifest import Manifest, linked_persons
from pipeline.validation.gate import RESULTS

K_EXPECTATION = "expect_classes_to_have_k_persons"


def _release_k(manifest: Manifest) -> int | None:
    return manifest.privacy.k if manifest.privacy is not None else None


def manifest_problems(manifest: Manifest) -> list[str]:
    problems = []
    k = _release_k(manifest)
    if k is None or k < 2:
        problems.append("manifest.json: privacy.k is missing or below 2")
    for name, entry in manifest.tables.items():
        tk, smallest = entry.k, entry.min_class_size
        if k is not None and tk != k:
            problems.append(f"manifest.json: table {name} declares k={tk}, the release's privacy.k is {k}")
        if smallest is not None and smallest < tk:
            problems.append(f"manifest.json: table {name}: smallest class {smallest} is below k={tk}")
        rows, rows_in, suppressed = entry.rows, entry.rows_in, entry.suppressed_rows
        if rows_in is not None and suppressed is not None and rows_in - suppressed != rows:
            problems.append(f"manifest.json: table {name}: rows_in - suppressed_rows ≠ rows")
    return problems


def results_problems(release_dir: Path, manifest: Manifest) -> list[str]:
    """``validation/results.json`` against the manifest (missing file: the checksum check reports it)."""
    try:
        doc = json.loads((release_dir / RESULTS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    problems = []
    if doc.get("release_id") != manifest.release_id:
        problems.append(f"{RESULTS.as_posix()}: names another release than manifest.json")
    if manifest.audience and doc.get("profile") != manifest.audience:
        problems.append(
            f"{RESULTS.as_posix()}: the gate ran profile {doc.get('profile')}, manifest.json says "
            f"audience {manifest.audience}"
        )
    k = _release_k(manifest)
    used = set()
    for suite in doc.get("validations") or []:
        for result in suite.get("results") or []:
            config = result.get("expectation_config") or {}
            if config.get("type") == K_EXPECTATION:
                used.add((config.get("kwargs") or {}).get("k"))
    if k is not None and used and used != {k}:
        problems.append(
            f"{RESULTS.as_posix()}: the gate checked k={', '.join(map(str, sorted(used, key=str)))} "
            f"at creation, manifest.json declares k={k}"
        )
    return problems


def linked_problems(tables: dict[str, pd.DataFrame], manifest: Manifest) -> list[str]:
    """Persons of linking tables missing from the table they link to, against the recorded count."""
    entries = manifest.tables
    problems = []
    for name, entry in entries.items():
        sources = sorted({q.split(".", 1)[0] for q in entry.linked_names if "." in q})
        for source in sources:
            other = entries.get(source)
            key, other_key = entry.person_key, other.person_key if other is not None else None
            if other is None or not key or not other_key or name not in tables or source not in tables:
                continue  # the suite reports a table it cannot read or join
            data, src = tables[name], tables[source]
            if key not in data.columns or other_key not in src.columns:
                continue
            figures = linked_persons(data, key, src, other_key)
            absent, persons = figures["absent"], figures["persons"]
            recorded = entry.linked_persons.get(source)
            if recorded is not None:
                if absent != recorded.absent:
                    problems.append(
                        f"table {name}: {absent} of its {persons} persons are not in table {source}, the "
                        f"manifest recorded {recorded.absent} at creation (a table was replaced?)"
                    )
            elif absent > (other.suppressed_rows or 0):
                problems.append(
                    f"table {name}: {absent} of its {persons} persons are not in table {source}, more than "
                    f"the {other.suppressed_rows} rows it suppressed (a table was replaced?)"
                )
    return problems
