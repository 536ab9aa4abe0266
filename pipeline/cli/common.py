"""Arguments several commands share, defined once so their spelling and defaults cannot drift apart."""

from __future__ import annotations

import argparse
from pathlib import Path

from pipeline.errors import RegisterError
from pipeline.release.register import DEFAULT_REGISTER


def add_register_argument(parser: argparse.ArgumentParser) -> None:
    """``--register PATH``: the release register (hash-chained JSON lines, pipeline.release.register)."""
    parser.add_argument(
        "--register",
        type=Path,
        default=DEFAULT_REGISTER,
        metavar="PATH",
        help=f"release register (default: {DEFAULT_REGISTER}, relative to the working directory)",
    )


def check_register_path(path: Path) -> None:
    """Fail before any work when the register cannot be a file: a directory, or a parent that is a file.

    Why early: the register is appended to after the release is in place; finding then that it is a
    directory would leave a release nobody registered.
    """
    if path.exists() and not path.is_file():
        raise RegisterError(f"{path}: the register path is not a regular file (a directory?); "
                            "give --register a file path")
    parent = next((p for p in path.parents if p.exists()), None)
    if parent is not None and not parent.is_dir():
        raise RegisterError(f"{path}: a parent of the register path is a file, not a directory")
