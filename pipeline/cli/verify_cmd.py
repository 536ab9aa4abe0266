"""``anonymize verify RELEASE_DIR``: checksums and the expectation suite, re-checked from the files alone."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pipeline.errors import ValidationFailed

NAME = "verify"
HELP = "check a release directory: every file's SHA-256 and the expectation suite on its data"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("release_dir", type=Path, metavar="RELEASE_DIR", help="a release directory")


def run(args: argparse.Namespace) -> int:
    from pipeline.validation.verify import verify_release  # GX is slow to import: only when used

    problems = verify_release(args.release_dir)
    if problems:
        for p in problems:
            print(f"problem: {p}", file=sys.stderr)
        print(f"verify: {len(problems)} problem(s) in {args.release_dir}", file=sys.stderr)
        return ValidationFailed.exit_code
    if not getattr(args, "quiet", False):
        print(f"verify: {args.release_dir} is intact (every SHA-256 matches) and passes its expectation "
              "suite")
    return 0
