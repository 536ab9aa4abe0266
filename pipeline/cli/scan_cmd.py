"""``anonymize scan FILE...``: profile raw extracts column by column for personal data (Presidio, Japanese).

Why: whoever writes the config must see which columns are identifiers, including mislabelled ones (a My
Number in 備考, a name in その他). Prints, per column, the share of FILLED cells holding each entity type:
exact for the pattern recognizers (every distinct value that passes their vectorised pre-filter; in a column
with more than ``--pattern-sample`` such values, on a sample of that many cells, estimated with a 95 %
interval), estimated with a 95 % interval for GiNZA's names and places (NER on a sample of ``--ner-sample``
filled cells per column; one ``nlp.pipe`` stream over the texts of all columns); ``--full``: every cell,
exact. Progress on the terminal: columns for the patterns, then texts for NER. ``--json`` prints the
findings instead (column, 0-based data row, entity type, span, score); ``--suggest-config FILE`` writes a
starting config. Never a value.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from pipeline.config.model import DetectionSpec
from pipeline.errors import InputError
from pipeline.io.header import describe_positions, header_hint, looks_like_data_row

if TYPE_CHECKING:
    from pipeline.detection.suggest import Guess


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("files", type=Path, nargs="+", metavar="file",
                   help="extract(s) to scan: CSV (UTF-8, UTF-8 BOM, CP932) or Parquet")
    p.add_argument("--encoding", default="auto", choices=("auto", "utf-8", "utf-8-sig", "cp932"),
                   help="CSV encoding (default: detect)")
    p.add_argument("--json", action="store_true", help="print findings as a JSON list instead of the profile")
    p.add_argument("--sample", type=int, default=None, metavar="N",
                   help="scan a random sample of N rows (seeded; rows keep their numbers in the file)")
    p.add_argument("--ner-sample", type=int, default=None, metavar="N",
                   help="filled cells per column whose values NER reads (default 400; exact below that)")
    p.add_argument("--pattern-sample", type=int, default=None, metavar="N",
                   help="columns with more than N values that may hold a pattern finding (phone numbers, My "
                        "Numbers, …): patterns on a sample of N of their cells, shares with a 95%% interval "
                        "(default 10000; exact up to N, and always with --json / --full)")
    p.add_argument("--full", action="store_true",
                   help="NER and patterns on every distinct value (exact, much slower)")
    p.add_argument("--n-process", type=int, default=1, metavar="N",
                   help="NER worker processes (each loads the model; pays only with --full on large files)")
    p.add_argument("--config", type=Path, default=None,
                   help="take the score threshold and the insurer's own patterns from this config")
    p.add_argument("--no-ner", action="store_true", help="patterns only (no GiNZA NER)")
    p.add_argument("--suggest-config", type=Path, default=None, metavar="FILE",
                   help="write a starting YAML config (role and type per column, with the evidence)")
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


def _check_header(names: list[str], file: Path, detection: DetectionSpec) -> None:
    """Refuse to print column names that look like a data row, or any name in which the pattern
    recognizers find personal data (a phone number, an e-mail, a My Number is never a header);
    ``--no-header`` reads the row as data.

    Why: the profile prints every column name, and a file exported without its header has a customer's
    record there (pipeline.io.header).
    """
    from pipeline.detection.scan import scan_frame

    if looks_like_data_row(names):
        raise InputError(f"file {file}, line 1: {header_hint(names)[2:]} The profile would print them: "
                         "scan it with --no-header")
    patterns_only = DetectionSpec(score_threshold=detection.score_threshold, ner=False,
                                  patterns=detection.patterns)
    header = pd.DataFrame({"name": pd.Series(names, dtype="string[pyarrow]")})
    hits = sorted({f.row + 1 for scan in scan_frame(header, patterns_only) for f in scan.findings()})
    if hits:
        raise InputError(f"file {file}, line 1: {describe_positions(hits, len(names))} of the header "
                         "hold personal data (is the header row missing?). The profile would print them: "
                         "scan it with --no-header")


def _shares(prof: object) -> str:
    from pipeline.detection.profile import ColumnProfile

    assert isinstance(prof, ColumnProfile)
    parts = []
    for entity in prof.entities():
        share, lo, hi, exact = prof.share(entity)
        if exact:
            parts.append(f"{entity} {100 * share:.1f}%")
        else:
            parts.append(f"{entity} ~{100 * share:.1f}% (95% CI {100 * lo:.1f}-{100 * hi:.1f}%)")
    return ", ".join(parts) or "-"


def run(args: argparse.Namespace) -> int:
    from pipeline import progress
    from pipeline.detection.profile import (
        DEFAULT_NER_SAMPLE,
        DEFAULT_PATTERN_SAMPLE,
        finish_ner,
        ner_texts,
        stage_frame,
    )
    from pipeline.io import read_table

    detection = _detection(args)
    ner_sample = DEFAULT_NER_SAMPLE if args.ner_sample is None else args.ner_sample
    if ner_sample < 1:
        raise InputError(f"--ner-sample must be at least 1, found {ner_sample}")
    pattern_sample = DEFAULT_PATTERN_SAMPLE if args.pattern_sample is None else args.pattern_sample
    if pattern_sample < 1:
        raise InputError(f"--pattern-sample must be at least 1, found {pattern_sample}")
    exact_patterns = args.json or args.full  # --json lists every finding
    if args.suggest_config is not None and args.suggest_config.exists():
        from pipeline.errors import ReleaseExistsError

        raise ReleaseExistsError(f"{args.suggest_config} already exists; choose a new --suggest-config file")
    quiet = getattr(args, "quiet", False)
    findings: list[dict[str, object]] = []
    drafts: dict[Path, list[Guess]] = {}
    for file in args.files:
        frame = read_table(file, encoding=args.encoding, header=not args.no_header)
        if not args.no_header:
            _check_header([str(c) for c in frame.columns], file, detection)
        if args.sample is not None and args.sample < len(frame):
            frame = frame.sample(n=max(args.sample, 0), random_state=0).sort_index()
        rows = frame.index.to_numpy()
        frame = frame.reset_index(drop=True)
        with progress.step(f"scan {file.name}", total=frame.shape[1], unit="columns") as bar:
            staged = stage_frame(frame, detection, ner_sample, args.full, on_column=lambda _c: bar.advance(1),
                                 pattern_sample=None if exact_patterns else pattern_sample)
        with progress.step(f"names and places in {file.name} (GiNZA)", total=len(ner_texts(staged)),
                           unit="texts") as ner_bar:
            profiles = finish_ner(staged, args.n_process,
                                  on_ner=lambda done, _total: ner_bar.advance(done - ner_bar.done))
        if args.suggest_config is not None:
            from pipeline.detection.suggest import guess_column

            drafts[file] = [guess_column(frame[p.column], p) for p in profiles]
        if args.json:
            for prof in profiles:
                for f in prof.findings():
                    d = f.as_dict()
                    d["row"] = int(rows[f.row])
                    if len(args.files) > 1:
                        d["file"] = file.name
                    findings.append(d)
            continue
        ner = "off" if not detection.ner else (
            "every cell" if args.full else f"on a sample of up to {ner_sample} filled cells per column, "
            "names and places estimated with a 95% interval")
        sampled = [p for p in profiles if p.pattern_sampled]
        patterns = "patterns on every value" if not sampled else (
            f"patterns on every value, except in {len(sampled)} column(s) with more than {pattern_sample} "
            f"candidate values: there on a sample of {pattern_sample} candidate cells (and every candidate "
            "of rarer entities), estimates marked ~ with a 95% interval; --full for exact counts")
        if not quiet:
            print(f"{file.name}: {len(frame)} rows scanned, threshold {detection.score_threshold}, "
                  f"NER {ner}; {patterns}; shares of filled cells")
        if profiles:
            print(progress.render_table(([(prof.column, False), (f"{prof.filled:>8} filled", False),
                                          (f"{prof.distinct:>8} distinct", False), (_shares(prof), False)]
                                         for prof in profiles), min_widths=[6]))
    if args.json:
        json.dump(findings, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    if args.suggest_config is not None:
        _write_suggestion(args.suggest_config, drafts)
        if not quiet:
            print(f"suggested config written to {args.suggest_config}: review every role before a release",
                  file=sys.stderr)
    return 0


def _write_suggestion(target: Path, drafts: dict[Path, list[Guess]]) -> None:
    import os

    from pipeline.detection.suggest import link_shared, render

    names: dict[str, Path] = {}
    for file in drafts:
        name = file.stem
        while name in names:
            name += "_"
        names[name] = file
    linked = link_shared({n: drafts[f] for n, f in names.items()})
    tables = {
        n: (Path(os.path.relpath(f.resolve(), target.resolve().parent)).as_posix(), linked[n])
        for n, f in names.items()
    }
    tmp = target.with_name(f".{target.name}.tmp")
    tmp.write_text(render(tables), encoding="utf-8")
    tmp.replace(target)
