"""``anonymize verify RELEASE_DIR [--register FILE]``: a release or provision bundle, re-checked from its
files (checksums, consistency, the expectation suite) and, with ``--register``, against its register lines.

Each problem is a ``problem:`` line on stdout (the report); stderr gets one ``error:`` line and the exit
status is 8."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pipeline.errors import ValidationFailed

NAME = "verify"
HELP = "check a release directory or bundle: checksums, consistency, the expectation suite (and the register)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("release_dir", type=Path, metavar="RELEASE_DIR", help="a release directory or bundle")
    parser.add_argument(
        "--register",
        type=Path,
        default=None,
        metavar="FILE",
        help="also check the release against its lines in this register (manifest, items, "
        "every file; for a bundle its provided line)",
    )


def run(args: argparse.Namespace) -> int:
    from pipeline.validation.verify import is_bundle, verify_release  # GX is slow to import: only when used

    problems = verify_release(args.release_dir, args.register)
    what = "bundle" if is_bundle(args.release_dir) else "release"
    if problems:
        for p in problems:
            print(f"problem: {p}")
        print(
            f"error: verify: {len(problems)} problem(s) in {what} {args.release_dir}; first: {problems[0]}",
            file=sys.stderr,
        )
        return ValidationFailed.exit_code
    if not getattr(args, "quiet", False):
        against = f", and matches its lines in {args.register}" if args.register else ""
        print(
            f"verify: {what} {args.release_dir} is intact (every SHA-256 matches), consistent and passes its "
            f"expectation suite{against}"
        )
    return 0
