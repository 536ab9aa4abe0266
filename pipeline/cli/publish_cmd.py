"""``anonymize publish --site DIR [--register PATH]``: the static publication site from the register."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pipeline.cli.common import add_register_argument

NAME = "publish"
HELP = "render every release in the register into one static site (公表) and record published events"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--site",
        required=True,
        type=Path,
        metavar="DIR",
        help="site directory (replaced as a whole; index.html + datasets/<release>.html)",
    )
    add_register_argument(parser)


def run(args: argparse.Namespace) -> int:
    from pipeline.publication.publish import publish

    result = publish(args.site, args.register)
    if result.releases == 0:
        print(f"warning: {args.register} records no release yet; the site lists none", file=sys.stderr)
    if not getattr(args, "quiet", False):
        print(
            f"published {result.releases} dataset(s) to {result.site}/index.html; "
            f"{result.new_events} new published event(s) in {args.register}"
        )
    return 0
