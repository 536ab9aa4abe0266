"""The in-memory release candidate that every gate and writer receives.

Built by ``pipeline.run`` after anonymisation and before anything is written. It holds only what may be
released or published (generalised data, counts, levels) plus ``before`` frames that never leave memory:
the normalised quasi-identifier values at level 0, kept for risk-before figures and report distributions
(aggregate charts only; never written as values). No surrogate mapping, key or seed is in here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline.config.model import Config, TableSpec
from pipeline.hierarchies.base import Hierarchy


@dataclass
class TableResult:
    name: str
    spec: TableSpec
    #: The released table: output column names, rows shuffled, suppressed rows removed.
    data: pd.DataFrame
    #: Output column names by role.
    quasi_identifiers: tuple[str, ...]
    sensitive: tuple[str, ...]
    attributes: tuple[str, ...]
    person_key: str | None
    #: Output column name → chosen hierarchy level (quasi-identifiers; fixed level for sensitive/attributes).
    levels: dict[str, int]
    #: Output column name → hierarchy (every column released with a hierarchy).
    hierarchies: dict[str, Hierarchy]
    rows_in: int
    suppressed_rows: int
    #: Smallest equivalence class over the quasi-identifiers, in distinct persons.
    min_class_size: int
    classes: int
    k: int
    #: Information loss (``overall`` and ``per_attribute``), risk ``before``/``after``, search facts.
    metrics: dict[str, Any] = field(default_factory=dict)
    #: Output column → cells merged into the rare label or nulled (特異な記述), counts only.
    rare_values: dict[str, int] = field(default_factory=dict)
    #: Output column → cells nulled because the config said ``on_invalid: null``.
    invalid_nulled: dict[str, int] = field(default_factory=dict)
    #: Scrubbed free-text output column → ``tags_written`` (cells x tags) and ``whole_cells`` (cells replaced
    #: whole by ``<個人情報>``: the scrubber found no fixed point), counts only.
    scrubbed: dict[str, dict[str, int]] = field(default_factory=dict)
    #: Normalised level-0 values of the quasi-identifiers (and sensitive columns) before generalisation and
    #: suppression, original row order lost (shuffled). In memory only.
    before: pd.DataFrame | None = None
    #: Persons per row before anonymisation (for risk-before per person); in memory only.
    before_person: Any = None
    #: Local recoding: output quasi-identifier → {level: share of released rows}; empty for global
    #: recoding (every row at ``levels``).
    level_shares: dict[str, dict[int, float]] = field(default_factory=dict)
    #: The release's ``data/<table>.parquet`` when it is already written in its final form (the streamed
    #: run's second pass writes it into the staging folder, shuffled, as the writer would write ``data``);
    #: the writer then takes it as it is instead of writing the table a second time. None: write ``data``.
    file: Path | None = None


@dataclass
class ReleaseCandidate:
    release_id: str
    created_at: dt.datetime
    config: Config
    tables: dict[str, TableResult]
    #: Table name → {"file": name only, "sha256": digest of the input file}.
    inputs: dict[str, dict[str, str]]
    #: Risk over all released columns: policy, status, warnings, protected attributes
    #: (``pipeline.attributes``).
    attribute_risk: dict[str, Any] = field(default_factory=dict)
    #: Filled by the writer: path of the staging directory while the release is being written.
    staging_dir: Path | None = None
