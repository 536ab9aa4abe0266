"""``anonymize register [--register PATH] [--json]``: the release register as a table, or JSON lines."""

from __future__ import annotations

import argparse
import json
import unicodedata
from pathlib import Path
from typing import Any

from pipeline.cli.common import add_register_argument

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
                        help="record that a release now lives in NEW_DIR (checked byte-identical), then list")


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


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
    rows = [COLUMNS, *(row(e) for e in events)]
    widths = [max(_width(r[i]) for r in rows) for i in range(len(COLUMNS))]
    return "\n".join("  ".join(_pad(c, w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows)


def run(args: argparse.Namespace) -> int:
    from pipeline.publication.register import read_register, record_moved

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
