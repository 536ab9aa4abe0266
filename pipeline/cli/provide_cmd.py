"""``anonymize provide RELEASE_DIR --out BUNDLE_DIR [--register PATH]``: the bundle for a third party."""

from __future__ import annotations

import argparse
from pathlib import Path

from pipeline.cli.common import add_register_argument

NAME = "provide"
HELP = "build the provision bundle of a published third-party release (明示 notice, dictionary, checksums)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("release", type=Path, metavar="RELEASE_DIR", help="release directory made by `run`")
    parser.add_argument(
        "--out",
        required=True,
        type=Path,
        metavar="BUNDLE_DIR",
        help="bundle directory to create (must not exist)",
    )
    add_register_argument(parser)


def run(args: argparse.Namespace) -> int:
    from pipeline.publication.provide import provide

    result = provide(args.release, args.out, args.register)
    if not getattr(args, "quiet", False):
        done = ("completed the provision an earlier run recorded but did not finish (killed before the "
                "rename): " if result.resumed else "")
        print(
            f"{done}provision bundle for release {result.release_id}: {result.bundle} ({result.files} files, "
            f"SHA256SUMS); provided event in {args.register}"
        )
    return 0
