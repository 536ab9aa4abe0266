"""A small flat exception hierarchy. The library raises; the CLI maps each to one line and exit status.

Messages name files, rows and columns, never a raw cell value (it may be personal data).
"""

from __future__ import annotations


class PipelineError(Exception):
    """Base of every error the pipeline raises on purpose. ``exit_code`` is what the CLI returns."""

    exit_code = 2


class ConfigError(PipelineError):
    """The YAML config is invalid, or does not fit the data's schema."""

    exit_code = 3


class InputError(PipelineError):
    """An input file cannot be read or holds a value that cannot be normalised."""

    exit_code = 4


class HierarchyError(PipelineError):
    """A generalisation hierarchy is malformed or does not cover the data."""

    exit_code = 5


class PrivacyError(PipelineError):
    """The privacy models cannot be met (within the suppression limit, or k exceeds the persons)."""

    exit_code = 6


class ResidualPIIError(PipelineError):
    """Personal data was detected in a candidate release: the release is not written."""

    exit_code = 7


class ValidationFailed(PipelineError):
    """The expectation suite failed on a candidate release (or on ``verify``)."""

    exit_code = 8


class RegisterError(PipelineError):
    """The release register is corrupt, locked, or a precondition recorded in it is missing."""

    exit_code = 9


class ReleaseExistsError(PipelineError):
    """The output directory already exists; releases are never overwritten in place."""

    exit_code = 10


class OutputError(PipelineError):
    """The release (or another output) cannot be written: full disk, read-only file system, a path that is
    not a directory. Nothing is left half-written."""

    exit_code = 11


def where(
    file: object = None, row: int | None = None, column: str | None = None, table: str | None = None
) -> str:
    """Format a location for an error message:
    ``table policyholders, file x.csv, row 12, column 生年月日``."""
    parts = []
    if table is not None:
        parts.append(f"table {table}")
    if file is not None:
        parts.append(f"file {file}")
    if row is not None:
        parts.append(f"row {row}")
    if column is not None:
        parts.append(f"column {column}")
    return ", ".join(parts)
