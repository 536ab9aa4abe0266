"""Arguments several commands share, defined once so their spelling and defaults cannot drift apart."""

from __future__ import annotations

import argparse
from pathlib import Path

from pipeline.publication.register import DEFAULT_REGISTER


def add_register_argument(parser: argparse.ArgumentParser) -> None:
    """``--register PATH``: the release register (hash-chained JSON lines, pipeline.publication.register)."""
    parser.add_argument(
        "--register",
        type=Path,
        default=DEFAULT_REGISTER,
        metavar="PATH",
        help=f"release register (default: {DEFAULT_REGISTER}, relative to the working directory)",
    )
