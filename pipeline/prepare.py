"""Gate two and preparation: read every input, check it against the config, normalise, build hierarchies.

``prepare`` does all the per-input work once (read, schema check, normalise, hierarchies, person ids), so
that the trade-off explorer can anonymise the same prepared extract for many parameters.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline import progress
from pipeline.checksum import sha256_file
from pipeline.config.model import ColumnSpec, Config, TableSpec
from pipeline.errors import ConfigError, InputError, PipelineError
from pipeline.hierarchies.base import Hierarchy
from pipeline.hierarchies.builtin import build_hierarchy, unknown_municipalities
from pipeline.io.batches import columns_of, iter_batches
from pipeline.io.header import describe_positions, header_hint, looks_like_data_row
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


def check_schema(spec: TableSpec, columns: list[str], file: Path) -> None:
    """Every data column classified, every configured column present (fail closed).

    The file's own column names are never quoted: without its header row, they are a customer's record
    (pipeline.io.header). Unclassified columns are named by position, with the configured name they are
    closest to (the config's vocabulary, not the data's) and a hint when the header looks like data.
    """
    configured = [c.name for c in spec.columns]
    unknown = [i for i, c in enumerate(columns, start=1) if c not in configured]
    if unknown:
        near = []
        for i in unknown:
            close = difflib.get_close_matches(str(columns[i - 1]), configured, n=1)
            if close and close[0] not in columns:
                near.append(f"column {i} is close to {close[0]!r}")
        hint = f" ({'; '.join(near[:5])})" if near and not looks_like_data_row(columns) else ""
        raise ConfigError(
            f"table {spec.name}, file {file}: {len(unknown)} column(s) not classified in the config: "
            f"{describe_positions(unknown, len(columns))}{hint}{header_hint(columns)}; give each a role "
            "(unclassified columns are never passed through)"
        )
    missing = [c for c in configured if c not in columns]
    if missing:
        raise InputError(f"table {spec.name}, file {file}: configured column(s) missing from the data: "
                         f"{', '.join(repr(m) for m in missing)}")


def input_overrides(config: Config, inputs: dict[str, Path] | None) -> dict[str, Path]:
    """``--input TABLE=PATH`` as paths by table, every TABLE one of the config's."""
    overrides = {k: Path(v) for k, v in (inputs or {}).items()}
    unknown = [t for t in overrides if t not in {s.name for s in config.tables}]
    if unknown:
        raise ConfigError(f"--input names unknown table(s) {', '.join(unknown)}; "
                          f"tables: {', '.join(t.name for t in config.tables)}")
    return overrides


def input_path(spec: TableSpec, overrides: dict[str, Path]) -> Path:
    if spec.name in overrides:
        return Path(overrides[spec.name])
    if spec.file is None:
        raise ConfigError(f"table {spec.name}: no file in the config and no --input {spec.name}=PATH given")
    return spec.file


def read_table(spec: TableSpec, path: Path, on_batch: Callable[[int], None] | None = None) -> Normalised:
    """Gate two on one input, then its kept columns read and normalised batch by batch (``pipeline.stream``):
    identifiers are never materialised, each batch is normalised then dropped. The values' faults are left to
    :meth:`Normalised.column`, so that the caller raises them column by column."""
    check_header(spec, path)
    return read_normalised(spec, path, on_batch=on_batch)


def check_header(spec: TableSpec, path: Path) -> None:
    """The file's header against the config (:func:`check_schema`). A header that does not fit is reported
    after the file was read to its end: a broken file (a bad byte, a malformed row) is reported as such first,
    whatever its header says, as when the whole file was read before its columns were compared."""
    header = columns_of(path, spec.format, spec.encoding, spec.delimiter)
    try:
        check_schema(spec, header, path)
    except PipelineError:
        for _ in iter_batches(path, spec.format, spec.encoding, spec.delimiter):
            pass
        raise


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
