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
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from pipeline.release.manifest import Manifest, TableEntry

ROOT = "*"
#: labels compared as text, held by Arrow (what ``read_parquet(dtype_backend="pyarrow")`` gives text: the
#: cast is free): a Python string per cell is what made a 10M-policyholder release take 17.8 GB to verify
TEXT = pd.ArrowDtype(pa.large_string())


def smallest_class(frame: pd.DataFrame, columns: list[str], person: str | None) -> tuple[int, int]:
    """(persons in the smallest class of equal values of ``columns``, number of classes); (0, 0) if empty."""
    if frame.empty:
        return 0, 0
    if not columns:
        return (int(frame[person].nunique()) if person else len(frame)), 1
    groups = frame.astype({c: TEXT for c in columns}).fillna({c: ROOT for c in columns}).groupby(
        columns, sort=False, dropna=False)
    sizes = groups[person].nunique() if person else groups.size()
    return int(sizes.min()), len(sizes)


def check_classes(release_dir: Path, manifest: Manifest) -> list[str]:
    """Every table and joined view of ``release_dir`` whose smallest class holds fewer than k persons."""
    entries = manifest.tables
    wanted: dict[str, set[str]] = {}
    for name, entry in entries.items():
        wanted.setdefault(name, set()).update([*(entry.quasi_identifiers or ()), entry.person_key or ""])
        for qualified in entry.linked_names:
            source, _, column = qualified.partition(".")
            if source in entries:
                wanted.setdefault(source, set()).update([column, entries[source].person_key or ""])
    frames: dict[str, pd.DataFrame] = {}
    for name, entry in entries.items():
        path = release_dir / (entry.file or f"data/{name}.parquet")
        try:  # only the columns the classes are made of, text held by Arrow
            present = [f.name for f in pq.read_schema(path) if f.name in wanted[name]]
            frames[name] = pd.read_parquet(path, columns=present, dtype_backend="pyarrow")
        except (OSError, ValueError, pa.ArrowException):
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
    """The table with each linked column of its person (``source.column``) from the first row of that
    person in the source table, ``*`` where the source does not hold the person: one lookup per source
    on the person key (nulls meet nulls, as a recipient's join would).

    The first row of each person is found with Arrow's ``index_in`` (a hash table of the source's keys in
    C++), not with pandas' ``drop_duplicates`` and ``merge``: on the linking codes (Arrow text) those made a
    Python string per key and took 1.9 GiB at 10M policyholders, the peak of ``anonymize verify`` (issue 17).
    Still no engine code: the same join, by a different library's kernel."""
    view = frames[name].copy()
    by_source: dict[str, list[str]] = {}
    for qualified in linked:
        source, _, column = qualified.partition(".")
        by_source.setdefault(source, []).append(column)
    columns = []
    for source, wanted in by_source.items():
        src_key = entries[source].person_key if source in entries else None
        other = frames.get(source)
        missing = [c for c in wanted if other is None or c not in other.columns]
        if other is None or src_key not in other.columns or missing:
            problems.append(f"table {name}: cannot rebuild its joined view with "
                            f"{', '.join(f'{source}.{c}' for c in missing or wanted)}")
            return None, []
        # the row of each person's first appearance in the source (null: absent), by Arrow's index_in
        first = pc.index_in(_text(view[person]), value_set=_text(other[src_key]).combine_chunks(),
                            skip_nulls=False)
        for c in wanted:
            values = pc.fill_null(pc.take(_text(other[c]), first), ROOT)
            view[f"{source}.{c}"] = pd.Series(pd.arrays.ArrowExtensionArray(values), index=view.index)
            columns.append(f"{source}.{c}")
    return view, columns


def _text(series: pd.Series) -> pa.ChunkedArray:
    """A column's values as Arrow text (free for the Arrow-backed columns ``check_classes`` reads)."""
    return pa.chunked_array(pa.array(series.astype(TEXT)))
