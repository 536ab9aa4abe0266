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
from typing import Any

import pandas as pd

from pipeline.release.manifest import linked_persons
from pipeline.validation.gate import RESULTS

K_EXPECTATION = "expect_classes_to_have_k_persons"


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def manifest_problems(manifest: dict[str, Any]) -> list[str]:
    problems = []
    k = _int((manifest.get("privacy") or {}).get("k"))
    if k is None or k < 2:
        problems.append("manifest.json: privacy.k is missing or below 2")
    for name, entry in (manifest.get("tables") or {}).items():
        tk, smallest = _int(entry.get("k")), _int(entry.get("min_class_size"))
        if k is not None and tk != k:
            problems.append(f"manifest.json: table {name} declares k={tk}, the release's privacy.k is {k}")
        if tk is not None and smallest is not None and smallest < tk:
            problems.append(f"manifest.json: table {name}: smallest class {smallest} is below k={tk}")
        rows, rows_in, suppressed = (_int(entry.get(key)) for key in ("rows", "rows_in", "suppressed_rows"))
        if None not in (rows, rows_in, suppressed) and rows_in - suppressed != rows:  # type: ignore[operator]
            problems.append(f"manifest.json: table {name}: rows_in - suppressed_rows ≠ rows")
    return problems


def results_problems(release_dir: Path, manifest: dict[str, Any]) -> list[str]:
    """``validation/results.json`` against the manifest (missing file: the checksum check reports it)."""
    try:
        doc = json.loads((release_dir / RESULTS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    problems = []
    if doc.get("release_id") != manifest.get("release_id"):
        problems.append(f"{RESULTS.as_posix()}: names another release than manifest.json")
    if manifest.get("audience") and doc.get("profile") != manifest.get("audience"):
        problems.append(
            f"{RESULTS.as_posix()}: the gate ran profile {doc.get('profile')}, manifest.json says "
            f"audience {manifest.get('audience')}"
        )
    k = (manifest.get("privacy") or {}).get("k")
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


def linked_problems(tables: dict[str, pd.DataFrame], manifest: dict[str, Any]) -> list[str]:
    """Persons of linking tables missing from the table they link to, against the recorded count."""
    entries = manifest.get("tables") or {}
    problems = []
    for name, entry in entries.items():
        linked = entry.get("linked_quasi_identifiers")
        sources = sorted({str(q).split(".", 1)[0] for q in linked or {} if "." in str(q)})
        for source in sources:
            other = entries.get(source) or {}
            key, other_key = entry.get("person_key"), other.get("person_key")
            if name not in tables or source not in tables or not key or not other_key:
                continue  # the suite reports a table it cannot read or join
            data, src = tables[name], tables[source]
            if key not in data.columns or other_key not in src.columns:
                continue
            figures = linked_persons(data, key, src, other_key)
            absent, persons = figures["absent"], figures["persons"]
            recorded = ((entry.get("linked_persons") or {}).get(source) or {}).get("absent")
            if isinstance(recorded, int):
                if absent != recorded:
                    problems.append(
                        f"table {name}: {absent} of its {persons} persons are not in table {source}, the "
                        f"manifest recorded {recorded} at creation (a table was replaced?)"
                    )
            elif absent > (_int(other.get("suppressed_rows")) or 0):
                problems.append(
                    f"table {name}: {absent} of its {persons} persons are not in table {source}, more than "
                    f"the {other.get('suppressed_rows')} rows it suppressed (a table was replaced?)"
                )
    return problems
