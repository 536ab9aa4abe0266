"""Gate two and preparation: read every input, check it against the config, normalise, build hierarchies.

``prepare`` does all the per-input work once (read, schema check, normalise, hierarchies, person ids), so
that the trade-off explorer can anonymise the same prepared extract for many parameters.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline import progress
from pipeline.checksum import sha256_file
from pipeline.config.model import ColumnSpec, Config, TableSpec
from pipeline.errors import InputError, PipelineError
from pipeline.hierarchies.base import Hierarchy
from pipeline.hierarchies.builtin import build_hierarchy, unknown_municipalities
from pipeline.inputs import check_header, input_overrides, input_path
from pipeline.stream.read import Normalised, read_normalised


@dataclass
class PreparedTable:
    spec: TableSpec
    file: Path
    sha256: str
    rows: int
    #: Normalised columns (input names), every kept or linking column; identifiers are already gone.
    values: dict[str, pd.Series]
    #: Column (input name) → (leaf labels per row, hierarchy) for columns with a hierarchy.
    leaves: dict[str, tuple[pd.Series, Hierarchy]]
    #: Person id per row (int64): distinct values of the person key, or the row number.
    person: np.ndarray
    invalid_nulled: dict[str, int] = field(default_factory=dict)
    #: Output column → rows whose address names no 市区町村 of the official list (leaf: the 都道府県).
    addresses_coarsened: dict[str, int] = field(default_factory=dict)
    #: Leaf codes already computed by :meth:`leaf_codes` (read-only arrays).
    _codes: dict[str, np.ndarray] = field(default_factory=dict, repr=False)

    def leaf_codes(self, column: str) -> np.ndarray:
        """Leaf codes of ``column`` under its hierarchy (:meth:`Hierarchy.encode`), computed once.

        Why: every joined-view round, every fixed-level column and every later table linked to this one needs
        the same codes; encoding a million labels costs about a second each time. The array is read-only so
        that no caller can change what the next one receives.
        """
        if column not in self._codes:
            leaves, h = self.leaves[column]
            codes = h.encode(leaves, self.spec.name)
            codes.flags.writeable = False
            self._codes[column] = codes
        return self._codes[column]


@dataclass
class Prepared:
    config: Config
    tables: dict[str, PreparedTable]


def read_table(spec: TableSpec, path: Path, on_batch: Callable[[int], None] | None = None) -> Normalised:
    """Gate two on one input, then its kept columns read and normalised batch by batch (``pipeline.stream``):
    identifiers are never materialised, each batch is normalised then dropped. The values' faults are left to
    :meth:`Normalised.column`, so that the caller raises them column by column."""
    check_header(spec, path)
    return read_normalised(spec, path, on_batch=on_batch)


def prepare_table(config: Config, spec: TableSpec, path: Path) -> PreparedTable:
    with progress.step(f"read {spec.name}") as bar, progress.phase(f"normalise {spec.name}"):
        normalised = read_table(spec, path, on_batch=bar.advance)
    values: dict[str, pd.Series] = {}
    leaves: dict[str, tuple[pd.Series, Hierarchy]] = {}
    nulled: dict[str, int] = {}
    coarsened: dict[str, int] = {}
    for col in spec.columns:
        if col.name not in normalised.columns:
            continue  # deleted: never parsed, never read beyond the parser
        series, n = normalised.column(col.name)
        if n:
            nulled[col.output_name] = n
        values[col.name] = series
        if col.hierarchy is not None:
            try:
                with progress.phase("hierarchies"):
                    leaves[col.name] = build_hierarchy(col.output_name, series, col.hierarchy,
                                                       config.privacy.reference_date, _item_name(col))
            except PipelineError as exc:
                raise type(exc)(f"table {spec.name}, file {path}: {exc}") from None
            if col.hierarchy.kind == "address" and unknown_municipalities(leaves[col.name][0]):
                coarsened[col.output_name] = unknown_municipalities(leaves[col.name][0])
    with progress.phase(f"person ids {spec.name}"):
        person = _person_ids(spec, values, normalised.rows, path)
    with progress.phase(f"checksum {spec.name}"):
        digest = sha256_file(path)
    return PreparedTable(spec, path, digest, normalised.rows, values, leaves, person, nulled, coarsened)


def _person_ids(spec: TableSpec, values: dict[str, pd.Series], rows: int, path: Path) -> np.ndarray:
    """Person id per row: the distinct values of the person key (fail closed on an empty key), or the row."""
    if spec.person_key is not None:
        person_codes, _ = pd.factorize(values[spec.person_key])
        if (person_codes < 0).any():
            row = int(np.flatnonzero(person_codes < 0)[0]) + 1
            raise InputError(f"table {spec.name}, file {path}, row {row}, column {spec.person_key}: "
                             "person key is empty")
        return person_codes.astype(np.int64)
    return np.arange(rows, dtype=np.int64)


def _item_name(col: ColumnSpec) -> str:
    return col.output_name


def prepare(config: Config, inputs: dict[str, Path] | None = None) -> Prepared:
    overrides = input_overrides(config, inputs)
    tables = {}
    for spec in config.tables:
        tables[spec.name] = prepare_table(config, spec, input_path(spec, overrides))
    return Prepared(config, tables)
