"""Residual-PII gate: the last check before a release is written (APPI.md §1 rows 1-2).

Why by content: column roles are only as good as the config; a My Number typed into 職業 or a phone number in
a kept memo must stop the release whatever the column is called. Every cell of every released column is
scanned (distinct values): pattern recognizers everywhere; GiNZA NER for names and places on text
columns (``free_text: scrub``), and for names only on every other released text column (``山田 太郎``
typed into 保険種類 is a name whatever the column is; a place is not reported there, because generalised
values such as ``東京都`` are places by design). Linking codes (and the person key) are left out of NER:
they are the release's own random letters, checked by their own rule, and a million of them would dominate
the time. Any finding at or above
``detection.score_threshold`` raises :class:`~pipeline.errors.ResidualPIIError` naming table, column, row
(0-based, of the released table) and entity type: never the value.
"""

from __future__ import annotations

import time
from typing import Any

import pandas as pd

from pipeline.detection.scan import iter_scans
from pipeline.errors import ResidualPIIError
from pipeline.progress import phase
from pipeline.release.candidate import ReleaseCandidate, TableResult

#: Findings listed in the error message; the total count is always given.
MAX_LISTED = 20


def text_columns(table: TableResult) -> tuple[str, ...]:
    """Output names of the free-text columns kept (scrubbed) in this table."""
    return tuple(c.output_name for c in table.spec.columns if c.role == "free_text" and c.kept)


def name_columns(table: TableResult) -> tuple[str, ...]:
    """Output names of the released text columns other than free text and linking codes: NER for names."""
    skip = {c.output_name for c in table.spec.columns if c.role in ("linking_code", "free_text")}
    if table.person_key:
        skip.add(table.person_key)
    return tuple(
        str(c) for c in table.data.columns
        if c not in skip and not pd.api.types.is_numeric_dtype(table.data[c])
    )


def check_candidate(candidate: ReleaseCandidate) -> dict[str, Any]:
    """Scan the candidate; raise on any residual finding, else return a summary for manifest and report."""
    detection = candidate.config.detection
    started = time.perf_counter()
    cells = distinct = 0
    problems: list[str] = []
    total = 0
    per_table: dict[str, dict[str, int]] = {}
    cleared: set[str] = set()  # values that failed the pre-filter, shared by the tables (surrogate keys)
    for name, table in candidate.tables.items():
        per_table[name] = {"cells": 0, "distinct_values": 0}
        with phase(f"table {name}"):
            scans = iter_scans(table.data, detection, text_columns(table), cleared, name_columns(table))
            for scan in scans:
                cells += scan.rows
                distinct += scan.distinct
                per_table[name]["cells"] += scan.rows
                per_table[name]["distinct_values"] += scan.distinct
                first = scan.first_rows()
                for code, found in scan.hits.items():
                    total += len(found)
                    for result in found:
                        if len(problems) < MAX_LISTED:
                            problems.append(f"table {name}, column {scan.column}, row {first[code]}: "
                                            f"{result.entity_type} (score {result.score:.2f})")
    seconds = time.perf_counter() - started
    if total:
        more = f"; and {total - len(problems)} more" if total > len(problems) else ""
        raise ResidualPIIError(
            f"residual personal data detected in the release candidate ({total} finding(s) at score >= "
            f"{detection.score_threshold}): " + "; ".join(problems) + more
            + ". No release was written: change the column's role (identifier / identification_code), "
            "scrub or delete the free text, or coarsen the column"
        )
    return {
        "cells_scanned": cells,
        "distinct_values": distinct,
        "seconds": round(seconds, 3),
        "findings": 0,
        "score_threshold": detection.score_threshold,
        "ner": detection.ner,
        "tables": per_table,
    }
