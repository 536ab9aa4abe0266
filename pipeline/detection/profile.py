"""Profiling a raw extract for ``anonymize scan``: per column, the share of FILLED cells per entity type.

Why not every cell through NER: a profile needs shares, not every finding, and GiNZA runs ~300-1,000 short
texts per second here (a 200,000-row extract has over a million distinct text values). So:

- the pattern recognizers run on EVERY distinct value (exact counts; a vectorised-in-spirit pre-filter keeps
  most values away from them, as in the residual gate);
- GiNZA NER (PERSON, LOCATION) runs on the distinct values of a seeded random sample of ``ner_sample``
  filled cells per column; the share of those cells holding a name or a place estimates the column's share,
  reported with its 95 % Wilson interval (a column whose sample holds no name at all is below 3/n with 95 %
  confidence: the rule of three). ``full`` runs NER on every distinct value instead (exact shares);
- NER is skipped on a column whose cells are >= 90 % phone numbers, My Numbers, e-mails or postal codes by
  the patterns (it is an identifier column whatever else it holds), unless ``full``.

Shares are of filled cells (a column whose 2,988 filled cells are all My Numbers shows 100 %, not the share
of the 5,000 rows). Nothing here holds or returns a value: counts, entity names, row numbers and spans.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from presidio_analyzer import RecognizerResult

from pipeline.config.model import DetectionSpec
from pipeline.detection.ner import NER_SCORE, NER_WORTHY, entity_spans, to_results
from pipeline.detection.scan import TEXT_ENTITIES, Finding, analyze_distinct, factorise, resolve

#: Filled cells per column whose values NER reads by default.
DEFAULT_NER_SAMPLE = 400
#: Entities whose pattern findings in >= 90 % of a column's filled cells make NER on it pointless (the column
#: is an identifier column whatever names it may also hold); skipped unless ``full``.
EXACT_KINDS = frozenset({"JP_MY_NUMBER", "PHONE_NUMBER", "EMAIL_ADDRESS", "JP_POSTAL_CODE",
                         "JP_CORPORATE_NUMBER"})
#: z of the 95 % interval.
_Z = 1.959963984540054


def wilson(successes: int, n: int) -> tuple[float, float]:
    """95 % Wilson score interval of a binomial proportion."""
    if n == 0:
        return 0.0, 1.0
    p = successes / n
    denom = 1 + _Z * _Z / n
    centre = (p + _Z * _Z / (2 * n)) / denom
    half = _Z * math.sqrt(p * (1 - p) / n + _Z * _Z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass
class ColumnProfile:
    """What the scan learnt about one column; ``ner_cells`` counts cells within the NER sample."""

    column: str
    rows: int
    filled: int
    distinct: int
    #: entity → filled cells with a pattern finding of it (every cell).
    pattern_cells: dict[str, int] = field(default_factory=dict)
    #: cells NER read (the sample, or every filled cell when ``ner_exact``), and per entity how many of them
    #: hold a finding of it (patterns and NER together).
    ner_sampled: int = 0
    ner_distinct: int = 0
    ner_exact: bool = False
    ner_cells: dict[str, int] = field(default_factory=dict)
    codes: np.ndarray | None = None
    hits: dict[int, list[RecognizerResult]] = field(default_factory=dict)

    def share(self, entity: str) -> tuple[float, float, float, bool]:
        """(share, low, high, exact) of filled cells holding ``entity``."""
        if entity in TEXT_ENTITIES and self.ner_sampled and not self.ner_exact:
            k = self.ner_cells.get(entity, 0)
            lo, hi = wilson(k, self.ner_sampled)
            return k / self.ner_sampled, lo, hi, False
        counts = self.ner_cells if entity in TEXT_ENTITIES and self.ner_exact else self.pattern_cells
        s = counts.get(entity, 0) / self.filled if self.filled else 0.0
        return s, s, s, True

    def entities(self) -> list[str]:
        return sorted(set(self.pattern_cells) | {e for e, n in self.ner_cells.items() if n})

    def findings(self) -> Iterator[Finding]:
        """Every finding the scan made, in row order (NER findings: for the sampled values only)."""
        if not self.hits or self.codes is None:
            return
        wanted = np.fromiter(self.hits, dtype=np.int64)
        for row in np.flatnonzero(np.isin(self.codes, wanted)):
            for r in sorted(self.hits[int(self.codes[row])], key=lambda r: (r.start, r.entity_type)):
                yield Finding(self.column, int(row), r.entity_type, r.start, r.end, float(r.score))


def _cells(per_code: np.ndarray, hits: dict[int, list[RecognizerResult]], codes: set[int] | None = None
           ) -> dict[str, int]:
    out: dict[str, int] = {}
    for code, found in hits.items():
        if codes is not None and code not in codes:
            continue
        for entity in {r.entity_type for r in found}:
            out[entity] = out.get(entity, 0) + int(per_code[code])
    return dict(sorted(out.items()))


def profile_column(series: pd.Series, detection: DetectionSpec, ner_sample: int = DEFAULT_NER_SAMPLE,
                   full: bool = False, seed: int = 0, cleared: set[str] | None = None,
                   n_process: int = 1) -> ColumnProfile:
    """Profile one column (see the module docstring)."""
    name = str(series.name)
    codes, values = factorise(series)
    filled_rows = np.flatnonzero(codes >= 0)
    per_code = np.bincount(codes[filled_rows], minlength=len(values))
    hits = analyze_distinct(values, detection, context=[name], cleared=cleared)
    prof = ColumnProfile(name, len(codes), len(filled_rows), len(values), _cells(per_code, hits),
                         codes=codes, hits=hits)
    if not detection.ner or detection.score_threshold > NER_SCORE or not len(filled_rows):
        return prof
    if not full and any(n >= 0.9 * prof.filled for e, n in prof.pattern_cells.items() if e in EXACT_KINDS):
        return prof  # a column of phone numbers or My Numbers: the patterns have said it all
    if full or len(filled_rows) <= ner_sample:
        chosen = np.arange(len(values))
        sample_codes = codes[filled_rows]
        prof.ner_exact = True
    else:
        rows = np.random.default_rng(seed).choice(filled_rows, size=ner_sample, replace=False)
        sample_codes = codes[rows]
        chosen = np.unique(sample_codes)
    worthy = [int(c) for c in chosen if NER_WORTHY.search(values[c])]
    spans = entity_spans([values[c] for c in worthy], n_process=n_process)
    for code, per_text in zip(worthy, spans, strict=True):
        found = to_results(per_text, TEXT_ENTITIES, NER_SCORE)
        if found:
            hits[code] = resolve(hits.get(code, []) + found)
    counts = np.bincount(sample_codes, minlength=len(values))
    prof.ner_sampled = len(sample_codes)
    prof.ner_distinct = len(chosen)
    prof.ner_cells = _cells(counts, hits, set(int(c) for c in chosen))
    return prof


def profile_frame(frame: pd.DataFrame, detection: DetectionSpec, ner_sample: int = DEFAULT_NER_SAMPLE,
                  full: bool = False, seed: int = 0, n_process: int = 1,
                  on_column: Callable[[str], None] | None = None) -> list[ColumnProfile]:
    """Profile every column; ``on_column`` is called with each column's name when it is done (progress)."""
    cleared: set[str] = set()
    out = []
    for col in frame.columns:
        out.append(profile_column(frame[col].rename(str(col)), detection, ner_sample, full, seed, cleared,
                                  n_process))
        if on_column is not None:
            on_column(str(col))
    return out
