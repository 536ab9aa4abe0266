"""``anonymize register [--register PATH] [--json | --check | --repair | --moved ID DIR]``: the register
as a table or JSON lines; ``--check`` verifies it against the anchors outside it
(:mod:`pipeline.publication.anchors`); ``--repair`` recovers from crashes
(:func:`pipeline.release.commit.repair`)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from pipeline.cli.common import add_register_argument
from pipeline.errors import RegisterError

NAME = "register"
HELP = "list the release register (created / published / provided events); --json for machines"

COLUMNS = (
    "seq",
    "time",
    "event",
    "release",
    "dataset",
    "audience",
    "recipient",
    "k_reached",
    "validation",
    "where",
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_register_argument(parser)
    parser.add_argument("--json", action="store_true", help="print the verified events as JSON lines")
    parser.add_argument("--moved", nargs=2, metavar=("RELEASE_ID", "NEW_DIR"),
                        help="record that a release now lives in NEW_DIR (every file checked identical), "
                             "then list")
    parser.add_argument("--check", action="store_true",
                        help="verify the chain (and HMACs with the key), open pending lines, and the "
                             "register anchors of every reachable release, --release and --site")
    parser.add_argument("--release", action="append", default=[], type=Path, metavar="DIR",
                        help="with --check: also a copy of a release or a bundle (repeatable)")
    parser.add_argument("--site", action="append", default=[], type=Path, metavar="DIR",
                        help="with --check: also a published site (repeatable)")
    parser.add_argument("--repair", action="store_true",
                        help="cut off a torn last line (kept in a side file) and close pending lines of "
                             "dead runs")


def row(e: dict[str, Any]) -> tuple[str, ...]:
    tables = e.get("tables") or {}
    k = ",".join(f"{t}:{v.get('min_class_size')}" for t, v in tables.items()) if tables else ""
    validation = e.get("validation") or {}
    ok = validation.get("success")
    where = {
        "created": (e.get("item_list") or {}).get("path", ""),
        "published": f"{e.get('site', '')}/{e.get('page', '')}",
        "provided": e.get("bundle_dir", ""),
        "moved": e.get("release_dir", ""),
        "pending": e.get("release_dir", ""),
        "abandoned": f"pending line {e.get('pending_seq')}",
    }.get(str(e.get("event")), "")
    return (
        str(e.get("seq", "")),
        str(e.get("time", "")),
        str(e.get("event", "")),
        str(e.get("release_id", "")),
        str(e.get("dataset_name", "")),
        str(e.get("audience", "")),
        str(e.get("recipient_category") or ""),
        k,
        "" if ok is None else ("passed" if ok else "FAILED"),
        str(where),
    )


def table(events: list[dict[str, Any]]) -> str:
    """One line per event under a header line, columns aligned (Japanese dataset names take two cells a
    character)."""
    from pipeline.progress import render_table

    return render_table([[(c, False) for c in row(e)] for e in events], header=[(c, False) for c in COLUMNS],
                        rule=False)


def check(args: argparse.Namespace) -> int:
    from pipeline.publication.anchors import check as check_register

    result = check_register(args.register, args.release, args.site)
    for note in result.notes:
        print(f"ok: {note}")
    for problem in result.problems:
        print(f"problem: {problem}")
    if result.problems:
        print(f"error: register check: {len(result.problems)} problem(s) in {args.register}; first: "
              f"{result.problems[0]}", file=sys.stderr)
        return RegisterError.exit_code
    return 0


def repair(args: argparse.Namespace) -> int:
    from pipeline.release.commit import repair as repair_register

    done = repair_register(args.register)
    if done["torn_bytes"]:
        print(f"cut off a torn last line ({done['torn_bytes']} bytes, kept in {done['side_file']})")
    for e in done["abandoned"]:
        print(f"closed pending line {e['pending_seq']} (release {e['release_id']}) of a dead run: abandoned; "
              f"removed: {', '.join(e['removed']) or 'nothing'}")
    if not done["torn_bytes"] and not done["abandoned"]:
        print(f"{args.register}: nothing to repair")
    return 0


def run(args: argparse.Namespace) -> int:
    from pipeline.publication.moved import record_moved
    from pipeline.release.register import read_register

    if getattr(args, "check", False):
        return check(args)
    if getattr(args, "repair", False):
        return repair(args)
    if getattr(args, "moved", None):
        release_id, new_dir = args.moved
        record_moved(args.register, release_id, Path(new_dir))
    events = read_register(args.register)
    if args.json:
        for e in events:
            print(json.dumps(e, ensure_ascii=False, sort_keys=True))
    elif not events:
        print(f"{args.register}: no events yet")
    else:
        print(table(events))
    return 0
