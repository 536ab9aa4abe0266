"""Gate two and preparation: read every input, check it against the config, normalise, build hierarchies.

``prepare`` does all the per-input work once (read, schema check, normalise, hierarchies, person ids), so
that the trade-off explorer can anonymise the same prepared extract for many parameters.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline import progress
from pipeline.config.model import ColumnSpec, Config, TableSpec
from pipeline.errors import ConfigError, InputError, PipelineError
from pipeline.hierarchies.base import Hierarchy
from pipeline.hierarchies.builtin import build_hierarchy
from pipeline.io.batches import columns_of, resolve_format
from pipeline.io.reader import sha256_file
from pipeline.stream.read import read_normalised


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


def check_schema(spec: TableSpec, columns: list[str], file: Path) -> None:
    """Every data column classified, every configured column present (fail closed)."""
    configured = [c.name for c in spec.columns]
    unknown = [c for c in columns if c not in configured]
    if unknown:
        hints = []
        for u in unknown:
            close = difflib.get_close_matches(u, configured, n=1)
            hints.append(f"{u!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
        raise ConfigError(
            f"table {spec.name}, file {file}: {len(unknown)} column(s) not classified in the config: "
            f"{', '.join(hints)}; give each a role (unclassified columns are never passed through)"
        )
    missing = [c for c in configured if c not in columns]
    if missing:
        raise InputError(f"table {spec.name}, file {file}: configured column(s) missing from the data: "
                         f"{', '.join(repr(m) for m in missing)}")


def _input_path(spec: TableSpec, overrides: dict[str, Path]) -> Path:
    if spec.name in overrides:
        return Path(overrides[spec.name])
    if spec.file is None:
        raise ConfigError(f"table {spec.name}: no file in the config and no --input {spec.name}=PATH given")
    return spec.file


def prepare_table(config: Config, spec: TableSpec, path: Path) -> PreparedTable:
    path = Path(path)
    if not path.is_file():
        raise InputError(f"file {path}: not found")
    header = columns_of(path, resolve_format(path, spec.format), spec.encoding, spec.delimiter)
    check_schema(spec, header, path)
    # batch by batch: identifiers are never materialised, each batch normalised then dropped (pipeline.stream)
    with progress.step(f"read {spec.name}") as bar, progress.phase(f"normalise {spec.name}"):
        normalised = read_normalised(spec, path, on_batch=bar.advance)
    values = normalised.values
    leaves: dict[str, tuple[pd.Series, Hierarchy]] = {}
    for col in spec.columns:
        if col.hierarchy is not None and col.name in values:
            try:
                with progress.phase("hierarchies"):
                    leaves[col.name] = build_hierarchy(col.output_name, values[col.name], col.hierarchy,
                                                       config.privacy.reference_date, _item_name(col))
            except PipelineError as exc:
                raise type(exc)(f"table {spec.name}, file {path}: {exc}") from None
    with progress.phase(f"person ids {spec.name}"):
        person = _person_ids(spec, values, normalised.rows, path)
    with progress.phase(f"checksum {spec.name}"):
        digest = sha256_file(path)
    return PreparedTable(spec, path, digest, normalised.rows, values, leaves, person,
                         normalised.invalid_nulled)


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
    overrides = {k: Path(v) for k, v in (inputs or {}).items()}
    unknown = [t for t in overrides if t not in {s.name for s in config.tables}]
    if unknown:
        raise ConfigError(f"--input names unknown table(s) {', '.join(unknown)}; "
                          f"tables: {', '.join(t.name for t in config.tables)}")
    tables = {}
    for spec in config.tables:
        tables[spec.name] = prepare_table(config, spec, _input_path(spec, overrides))
    return Prepared(config, tables)
