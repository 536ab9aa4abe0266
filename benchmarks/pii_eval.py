"""Quality and throughput of the Japanese PII detection (pipeline.detection).

Why a script: the figures in the issue (recall 1.0 / precision >= 0.99 on My Number, phone, e-mail, postal
code; person recall >= 0.90; cells per second of the residual gate) must be re-measurable by anyone:

    python benchmarks/pii_eval.py                 # precision / recall per entity type (Faker ja_JP, seeded)
    python benchmarks/pii_eval.py --no-ner        # the same, pattern recognizers only
    python benchmarks/pii_eval.py --malformed     # context recognizers: malformed phones / My Numbers
    python benchmarks/pii_eval.py --gate-speed 1000000   # residual gate on a 1M-row released table
    python benchmarks/pii_eval.py --ner-speed 2000       # NER texts per second (distinct memo texts)
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from pipeline.config.model import DetectionSpec
from pipeline.detection.evalset import EVALUATED, MALFORMED, evaluate, generate, generate_malformed
from pipeline.detection.scan import analyze_distinct


def quality(n: int, seed: int, ner: bool, malformed: bool = False) -> dict[str, dict[str, float]]:
    examples = generate_malformed(n, seed) if malformed else generate(n, seed)
    detection = DetectionSpec(ner=ner)
    hits = analyze_distinct([e.text for e in examples], detection, ner=ner)
    preds = [[(r.entity_type, r.start, r.end) for r in hits.get(i, [])] for i in range(len(examples))]
    return evaluate(examples, preds)


def released_table(rows: int, seed: int = 0) -> pd.DataFrame:
    """A realistic released policyholder table: generalised values and a random-hex surrogate key."""
    rng = np.random.default_rng(seed)
    lo = rng.integers(4, 18, rows) * 5
    prefs = np.array(["東京都", "大阪府", "北海道", "福岡県", "愛知県", "神奈川県", "*"])
    bands = np.array(["0-9,999円", "10,000-19,999円", "20,000-49,999円", "50,000円以上"])
    months = np.array([f"20{y:02d}-{m:02d}" for y in range(15, 24) for m in range(1, 13)])
    return pd.DataFrame({
        "person_id": [f"{x:016x}" for x in rng.integers(0, 2**63, rows)],
        "年齢": pd.Series([f"{a}-{a + 4}歳" for a in lo]),
        "性別": rng.choice(["男", "女"], rows),
        "都道府県": rng.choice(prefs, rows),
        "郵便番号": pd.Series([f"{x:03d}" for x in rng.integers(100, 999, rows)]),
        "契約月": rng.choice(months, rows),
        "保険料": rng.choice(bands, rows),
        "職業": rng.choice(["会社員", "自営業", "公務員", "学生", "その他", "*"], rows),
    })


def gate_speed(rows: int) -> None:
    frame = released_table(rows)
    detection = DetectionSpec()
    from pipeline.detection.scan import scan_frame

    started = time.perf_counter()
    scans = scan_frame(frame, detection)
    seconds = time.perf_counter() - started
    cells = sum(s.rows for s in scans)
    findings = sum(len(s.hits) for s in scans)
    print(f"gate (patterns) on {rows:,} rows x {frame.shape[1]} columns = {cells:,} cells, "
          f"{sum(s.distinct for s in scans):,} distinct: {seconds:.1f} s, {cells / seconds:,.0f} cells/s, "
          f"{findings} findings")


def ner_speed(n: int) -> None:
    examples = generate(n, 7)
    texts = [f"{e.text}（{i}）" for i, e in enumerate(examples)]
    from pipeline.detection.engine import build_analyzer

    started = time.perf_counter()
    build_analyzer(DetectionSpec(), True)
    print(f"GiNZA engine load (tok2vec + ner only): {time.perf_counter() - started:.1f} s")
    for ner in (False, True):
        started = time.perf_counter()
        analyze_distinct(texts, DetectionSpec(ner=ner), ner=ner)
        seconds = time.perf_counter() - started
        print(f"memo texts, {'patterns + NER' if ner else 'patterns only'}: {n} distinct in {seconds:.1f} s, "
              f"{n / seconds:,.0f} texts/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--seed", type=int, default=20240401)
    parser.add_argument("--no-ner", action="store_true")
    parser.add_argument("--malformed", action="store_true",
                        help="the malformed-identifier set (JP_CONTACT_NUMBER, JP_MY_NUMBER_INVALID)")
    parser.add_argument("--gate-speed", type=int, default=0, metavar="ROWS")
    parser.add_argument("--ner-speed", type=int, default=0, metavar="TEXTS")
    args = parser.parse_args()
    if args.gate_speed:
        gate_speed(args.gate_speed)
    if args.ner_speed:
        ner_speed(args.ner_speed)
    if args.gate_speed or args.ner_speed:
        return
    started = time.perf_counter()
    stats = quality(args.n, args.seed, not args.no_ner, args.malformed)
    evaluated = MALFORMED if args.malformed else EVALUATED
    print(f"{args.n} {'malformed-identifier ' if args.malformed else ''}notes, seed {args.seed}, "
          f"NER {'off' if args.no_ner else 'on'} "
          f"({time.perf_counter() - started:.1f} s)")
    print(f"{'entity':<22}{'gold':>6}{'found':>7}{'pred':>6}{'correct':>8}{'precision':>11}{'recall':>8}")
    for entity, r in stats.items():
        mark = "" if entity in evaluated else "  (not labelled: every prediction counts as false)"
        print(f"{entity:<22}{r['gold']:>6.0f}{r['found']:>7.0f}{r['predicted']:>6.0f}{r['correct']:>8.0f}"
              f"{r['precision']:>11.3f}{r['recall']:>8.3f}{mark}")


if __name__ == "__main__":
    main()
