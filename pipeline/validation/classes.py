"""An independent re-check of k on the release alone: every class of rows equal on the released
quasi-identifier *labels* holds at least k persons, on each table and on each joined view.

Deliberately shares no code with the engine or the expectation suite: plain pandas on the Parquet files and
the manifest (``quasi_identifiers``, ``person_key``, ``k``, ``linked_quasi_identifiers``), so a bug in the
search, in local recoding (rows of one column at several levels) or in the suite cannot hide a small class.
The joined view is built as a recipient would: each row of a linking table gets its person's released
values from the source table (the first row of that person there; ``*`` when the person is absent).
Problems are sentences naming tables and columns, never values.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from pipeline.release.manifest import Manifest, TableEntry

ROOT = "*"


def smallest_class(frame: pd.DataFrame, columns: list[str], person: str | None) -> tuple[int, int]:
    """(persons in the smallest class of equal values of ``columns``, number of classes); (0, 0) if empty."""
    if frame.empty:
        return 0, 0
    if not columns:
        return (int(frame[person].nunique()) if person else len(frame)), 1
    groups = frame.astype({c: "string" for c in columns}).fillna({c: ROOT for c in columns}).groupby(
        columns, sort=False, dropna=False)
    sizes = groups[person].nunique() if person else groups.size()
    return int(sizes.min()), len(sizes)


def check_classes(release_dir: Path, manifest: Manifest) -> list[str]:
    """Every table and joined view of ``release_dir`` whose smallest class holds fewer than k persons."""
    entries = manifest.tables
    frames: dict[str, pd.DataFrame] = {}
    for name, entry in entries.items():
        path = release_dir / (entry.file or f"data/{name}.parquet")
        try:
            frames[name] = pd.read_parquet(path)
        except (OSError, ValueError):
            continue  # check_files / check_suite report unreadable files
    problems = []
    for name, entry in entries.items():
        if name not in frames:
            continue
        k = entry.k
        qis = [c for c in entry.quasi_identifiers or () if c in frames[name].columns]
        person = entry.person_key if entry.person_key in frames[name].columns else None
        least, _ = smallest_class(frames[name], qis, person)
        if frames[name].shape[0] and least < k:
            problems.append(f"table {name}: a class of equal quasi-identifiers ({', '.join(qis)}) holds "
                            f"{least} persons, fewer than k = {k}")
        linked = list(entry.linked_names)
        if linked and person:
            view, columns = _joined(name, frames, entries, person, linked, problems)
            if view is not None:
                least, _ = smallest_class(view, qis + columns, person)
                if least < k:
                    problems.append(f"table {name}, joined view ({', '.join(qis + columns)}): a class holds "
                                    f"{least} persons, fewer than k = {k}")
    return problems


def _joined(name: str, frames: dict[str, pd.DataFrame], entries: dict[str, TableEntry], person: str,
            linked: list[str], problems: list[str]) -> tuple[pd.DataFrame | None, list[str]]:
    view = frames[name].copy()
    columns = []
    for qualified in linked:
        source, _, column = qualified.partition(".")
        src_key = entries[source].person_key if source in entries else None
        other = frames.get(source)
        if other is None or src_key not in other.columns or column not in other.columns:
            problems.append(f"table {name}: cannot rebuild its joined view with {source}.{column}")
            return None, []
        per_person = other.drop_duplicates(src_key).set_index(src_key)[column].astype("string")
        view[qualified] = view[person].astype("string").map(per_person).fillna(ROOT)
        columns.append(qualified)
    return view, columns
