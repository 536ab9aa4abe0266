"""Gate two on the files: which file each table reads, and whether its header fits the config.

Used by :mod:`pipeline.prepare` (the run) and :mod:`pipeline.stream.first_pass`, below both.
"""

from __future__ import annotations

import difflib
from pathlib import Path

from pipeline.config.model import Config, TableSpec
from pipeline.errors import ConfigError, InputError, PipelineError
from pipeline.io.batches import columns_of, iter_batches
from pipeline.io.header import describe_positions, header_hint, looks_like_data_row


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
