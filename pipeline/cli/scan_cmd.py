"""``anonymize scan FILE``: profile a raw extract column by column for personal data (Presidio, Japanese).

Why: whoever writes the config must see which columns are identifiers, including mislabelled ones (a My
Number in 備考, a name in その他). Prints, per column, the share of cells holding each entity type; ``--json``
prints the findings instead (column, 0-based data row, entity type, span, score), never a value.
"""

from __future__ import annotations

import argparse
import json
import sys
import unicodedata
from pathlib import Path

from pipeline.config.model import DetectionSpec
from pipeline.errors import InputError
from pipeline.io.header import header_hint, looks_like_data_row


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", type=Path, help="extract to scan: CSV (UTF-8, UTF-8 BOM, CP932) or Parquet")
    p.add_argument("--encoding", default="auto", choices=("auto", "utf-8", "utf-8-sig", "cp932"),
                   help="CSV encoding (default: detect)")
    p.add_argument("--json", action="store_true", help="print findings as a JSON list instead of the profile")
    p.add_argument("--sample", type=int, default=None, metavar="N",
                   help="scan a random sample of N rows (seeded; rows keep their numbers in the file)")
    p.add_argument("--config", type=Path, default=None,
                   help="take the score threshold and the insurer's own patterns from this config")
    p.add_argument("--no-ner", action="store_true", help="patterns only (no GiNZA NER: much faster)")
    p.add_argument("--no-header", action="store_true",
                   help="the file has no header row: its first row is data, columns are named 列1, 列2, …")


def _detection(args: argparse.Namespace) -> DetectionSpec:
    if args.config is None:
        spec = DetectionSpec()
    else:
        from pipeline.config import load_config

        spec = load_config(args.config).detection
    if args.no_ner:
        spec = DetectionSpec(score_threshold=spec.score_threshold, ner=False, patterns=spec.patterns)
    return spec


def _width(text: str) -> int:
    """Display width: East Asian wide characters take two columns."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _check_header(names: list[str], file: Path) -> None:
    """Refuse to print column names that look like a data row (``--no-header`` reads it as data).

    Why: the profile prints every column name, and a file exported without its header has a customer's
    record there (pipeline.io.header).
    """
    if looks_like_data_row(names):
        raise InputError(f"file {file}, line 1: {header_hint(names)[2:]} The profile would print them: "
                         "scan it with --no-header")


def run(args: argparse.Namespace) -> int:
    from pipeline.detection.scan import scan_frame
    from pipeline.io import read_table

    detection = _detection(args)
    frame = read_table(args.file, encoding=args.encoding, header=not args.no_header)
    if not args.no_header:
        _check_header([str(c) for c in frame.columns], args.file)
    if args.sample is not None and args.sample < len(frame):
        frame = frame.sample(n=max(args.sample, 0), random_state=0).sort_index()
    rows = frame.index.to_numpy()
    frame = frame.reset_index(drop=True)
    scans = scan_frame(frame, detection, text_columns=list(frame.columns))
    if args.json:
        findings = []
        for scan in scans:
            for f in scan.findings():
                d = f.as_dict()
                d["row"] = int(rows[f.row])
                findings.append(d)
        json.dump(findings, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
        return 0
    quiet = getattr(args, "quiet", False)
    if not quiet:
        print(f"{args.file.name}: {len(frame)} rows scanned, threshold {detection.score_threshold}, "
              f"NER {'on' if detection.ner else 'off'}")
    width = max([_width(str(c)) for c in frame.columns] + [6])
    for scan in scans:
        counts = scan.cells_by_entity()
        shares = ", ".join(f"{e} {100 * n / max(scan.rows, 1):.1f}%" for e, n in counts.items()) or "-"
        pad = " " * (width - _width(scan.column))
        print(f"{scan.column}{pad}  {scan.non_null:>8} cells  {scan.distinct:>8} distinct  {shares}")
    return 0
