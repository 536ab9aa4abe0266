"""Profiling a raw extract for ``anonymize scan``: per column, the share of FILLED cells per entity type.

Why not every cell through NER: a profile needs shares, not every finding, and GiNZA runs ~300-1,000 short
texts per second here (a 200,000-row extract has over a million distinct text values). So:

- a vectorised pre-filter (:mod:`pipeline.detection.prefilter`, as in the residual gate) runs over EVERY
  distinct value and tells which values each pattern recognizer may report at all (exact: the others hold
  no pattern finding). The recognizers then run on every candidate value when a column has at most
  ``pattern_sample`` of them (exact counts). Beyond (a column of 200,000 phone numbers), they run on the
  values of a seeded random sample of ``pattern_sample`` candidate cells, plus every candidate of each
  recognizer with at most ``pattern_sample`` candidates (so a rare My Number in a memo column is counted
  exactly, never sampled away); an entity whose recognizers were all run on every candidate is exact, the
  others are estimated (candidate share x sample share) with their 95 % Wilson interval, stated like the
  NER estimate. Why: each identifier value costs ~50-100 us in the recognizers' Python regexes, so a
  200,000-row extract (~900,000 identifier values) took minutes; a profile needs shares, not every cell.
  ``full`` (and ``scan --json``, which lists findings) runs them on every candidate. The release gate
  never samples (:mod:`pipeline.detection.gate`);
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
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from presidio_analyzer import RecognizerResult

from pipeline.config.model import DetectionSpec
from pipeline.detection.ginza_labels import NER_SCORE
from pipeline.detection.ner import Span, entity_spans, ner_worthy, to_results
from pipeline.detection.scan import (
    TEXT_ENTITIES,
    Finding,
    Wanted,
    factorise,
    pattern_candidates,
    pattern_findings,
    resolve,
    settle,
)

#: Filled cells per column whose values NER reads by default.
DEFAULT_NER_SAMPLE = 400
#: Candidate values per column above which the patterns run on a sample of this many candidate cells.
DEFAULT_PATTERN_SAMPLE = 10_000
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
    #: Pattern sampling (0: none, every candidate value was analysed): the uniform sample of candidate
    #: cells, the filled cells whose value passed the pre-filter, per entity the sampled cells holding it,
    #: and the entities counted exactly all the same (every candidate of their recognizers analysed).
    pattern_sampled: int = 0
    pattern_candidate_cells: int = 0
    pattern_sample_cells: dict[str, int] = field(default_factory=dict)
    pattern_exact: frozenset[str] = frozenset()

    def _pattern_share(self, entity: str) -> tuple[float, float, float, bool]:
        if self.pattern_sampled and entity not in self.pattern_exact:
            scale = self.pattern_candidate_cells / self.filled if self.filled else 0.0
            k = self.pattern_sample_cells.get(entity, 0)
            lo, hi = wilson(k, self.pattern_sampled)
            return scale * k / self.pattern_sampled, scale * lo, scale * hi, False
        s = self.pattern_cells.get(entity, 0) / self.filled if self.filled else 0.0
        return s, s, s, True

    def share(self, entity: str) -> tuple[float, float, float, bool]:
        """(share, low, high, exact) of filled cells holding ``entity``."""
        if entity in TEXT_ENTITIES and self.ner_sampled and not self.ner_exact:
            k = self.ner_cells.get(entity, 0)
            lo, hi = wilson(k, self.ner_sampled)
            return k / self.ner_sampled, lo, hi, False
        if entity in TEXT_ENTITIES and self.ner_exact:
            s = self.ner_cells.get(entity, 0) / self.filled if self.filled else 0.0
            return s, s, s, True
        return self._pattern_share(entity)

    def entities(self) -> list[str]:
        return sorted(set(self.pattern_cells) | {e for e, n in self.pattern_sample_cells.items() if n}
                      | {e for e, n in self.ner_cells.items() if n})

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


@dataclass
class NerPlan:
    """What NER must read in one column: the distinct values (codes) worth reading, and the cells the share
    is counted over (the sample's, or every filled cell when ``prof.ner_exact``)."""

    codes: list[int]
    sample_codes: np.ndarray
    chosen: np.ndarray


def profile_column(series: pd.Series, detection: DetectionSpec, ner_sample: int = DEFAULT_NER_SAMPLE,
                   full: bool = False, seed: int = 0, cleared: set[str] | None = None,
                   n_process: int = 1, pattern_sample: int | None = DEFAULT_PATTERN_SAMPLE) -> ColumnProfile:
    """Profile one column (see the module docstring); ``pattern_sample`` None: patterns on every
    candidate value (as with ``full``)."""
    prof, values, plan = profile_patterns(series, detection, ner_sample, full, seed, cleared, pattern_sample)
    if plan is not None:
        add_ner(prof, plan, entity_spans([values[c] for c in plan.codes], n_process=n_process))
    return prof


def profile_patterns(series: pd.Series, detection: DetectionSpec, ner_sample: int = DEFAULT_NER_SAMPLE,
                     full: bool = False, seed: int = 0, cleared: set[str] | None = None,
                     pattern_sample: int | None = DEFAULT_PATTERN_SAMPLE,
                     ) -> tuple[ColumnProfile, list[str], NerPlan | None]:
    """The pattern part of :func:`profile_column`: the profile, the column's distinct values, and what NER
    still has to read (None: nothing)."""
    name = str(series.name)
    codes, distinct = factorise(series)
    values = list(distinct)  # NER and the report read them all as Python strings
    filled_rows = np.flatnonzero(codes >= 0)
    per_code = np.bincount(codes[filled_rows], minlength=len(values))
    rng = np.random.default_rng(seed)
    ner_on = bool(detection.ner and detection.score_threshold <= NER_SCORE and len(filled_rows))
    ner_rows = None
    if ner_on and not full and len(filled_rows) > ner_sample:
        ner_rows = rng.choice(filled_rows, size=ner_sample, replace=False)
    wanted = pattern_candidates(values, detection, [name], cleared)
    sampled = SampledPatterns()
    keep: np.ndarray | None = None
    ner_exact = ner_on and ner_rows is None  # NER reads every value: so do the patterns (a handful)
    if not full and not ner_exact and pattern_sample is not None and len(wanted) > pattern_sample:
        keep, sampled = _pattern_sample(codes, wanted, pattern_sample, rng)
        if ner_rows is not None:
            keep[codes[ner_rows]] = True
    hits = settle(values, detection, pattern_findings(values, detection, [name], wanted, keep))
    prof = ColumnProfile(name, len(codes), len(filled_rows), len(values), _cells(per_code, hits),
                         codes=codes, hits=hits)
    if keep is not None:
        prof.pattern_sampled = len(sampled.rows)
        prof.pattern_candidate_cells = sampled.candidate_cells
        prof.pattern_exact = sampled.exact
        counts = np.bincount(codes[sampled.rows], minlength=len(values))
        prof.pattern_sample_cells = _cells(counts, hits, set(np.unique(codes[sampled.rows]).tolist()))
        prof.pattern_cells = {e: n for e, n in prof.pattern_cells.items() if e in sampled.exact}
    if not ner_on:
        return prof, values, None
    if not full and any(prof.share(e)[0] >= 0.9 for e in prof.entities() if e in EXACT_KINDS):
        return prof, values, None  # a column of phone numbers or My Numbers: the patterns have said it all
    if ner_rows is None:
        chosen = np.arange(len(values))
        sample_codes = codes[filled_rows]
        prof.ner_exact = True
    else:
        sample_codes = codes[ner_rows]
        chosen = np.unique(sample_codes)
    worthy = [int(c) for c in chosen if ner_worthy(values[c]) and not _covered(values[c], hits.get(int(c)))]
    return prof, values, NerPlan(worthy, sample_codes, chosen)


def _covered(text: str, found: Sequence[RecognizerResult] | None) -> bool:
    """A pattern finding (not a name or a place) spans the whole text (an e-mail address, a phone number):
    any name or place NER found in it would overlap that finding and be dropped (``scan.resolve``), so NER
    need not read it. Exact, not an estimate."""
    return any(r.start == 0 and r.end >= len(text) and r.entity_type not in TEXT_ENTITIES
               for r in found or ())


def add_ner(prof: ColumnProfile, plan: NerPlan, spans: Sequence[tuple[Span, ...]]) -> None:
    """Merge NER's spans for ``plan.codes`` (in that order) into the profile's findings and shares."""
    hits = prof.hits
    for code, per_text in zip(plan.codes, spans, strict=True):
        found = to_results(per_text, TEXT_ENTITIES, NER_SCORE)
        if found:
            hits[code] = resolve(hits.get(code, []) + found)
    counts = np.bincount(plan.sample_codes, minlength=prof.distinct)
    prof.ner_sampled = len(plan.sample_codes)
    prof.ner_distinct = len(plan.chosen)
    prof.ner_cells = _cells(counts, hits, set(int(c) for c in plan.chosen))


@dataclass
class SampledPatterns:
    rows: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    candidate_cells: int = 0
    exact: frozenset[str] = frozenset()


def _pattern_sample(codes: np.ndarray, wanted: Wanted, size: int, rng: np.random.Generator
                    ) -> tuple[np.ndarray, SampledPatterns]:
    """The candidate values to analyse (a mask): those of a seeded sample of ``size`` candidate cells, and
    every candidate of each recognizer with at most ``size`` of them (its entity is then exact)."""
    candidate = wanted.mask()
    candidate_rows = np.flatnonzero((codes >= 0) & candidate[np.maximum(codes, 0)])
    rows = np.sort(rng.choice(candidate_rows, size=min(size, len(candidate_rows)), replace=False))
    keep = np.zeros(len(candidate), dtype=bool)
    keep[codes[rows]] = True
    sampled_entities, entities = set(), set()
    for rec, idx, _ in wanted.per_recognizer:
        entity = rec.supported_entities[0]
        entities.add(entity)
        if len(idx) <= size:
            keep[idx] = True
        else:
            sampled_entities.add(entity)
    return keep, SampledPatterns(rows, len(candidate_rows), frozenset(entities - sampled_entities))


#: A column's patterns done: its profile so far, its distinct values, what NER must still read.
Staged = tuple[ColumnProfile, list[str], NerPlan | None]


def profile_frame(frame: pd.DataFrame, detection: DetectionSpec, ner_sample: int = DEFAULT_NER_SAMPLE,
                  full: bool = False, seed: int = 0, n_process: int = 1,
                  on_column: Callable[[str], None] | None = None,
                  pattern_sample: int | None = DEFAULT_PATTERN_SAMPLE,
                  on_ner: Callable[[int, int], None] | None = None) -> list[ColumnProfile]:
    """Profile every column: :func:`stage_frame`, then :func:`finish_ner`."""
    staged = stage_frame(frame, detection, ner_sample, full, seed, on_column, pattern_sample)
    return finish_ner(staged, n_process, on_ner)


def stage_frame(frame: pd.DataFrame, detection: DetectionSpec, ner_sample: int = DEFAULT_NER_SAMPLE,
                full: bool = False, seed: int = 0, on_column: Callable[[str], None] | None = None,
                pattern_sample: int | None = DEFAULT_PATTERN_SAMPLE) -> list[Staged]:
    """The patterns, column by column (``on_column`` is called with each column's name when it is done)."""
    staged = []
    for col in frame.columns:
        # no cleared set shared by the columns: the columns of one extract rarely share values, and the
        # vectorised pre-filter costs less than the set
        staged.append(profile_patterns(frame[col].rename(str(col)), detection, ner_sample, full, seed, None,
                                       pattern_sample))
        if on_column is not None:
            on_column(str(col))
    return staged


def ner_texts(staged: Sequence[Staged]) -> list[str]:
    """The distinct texts NER must read for all columns (a text shared by columns once)."""
    return list(dict.fromkeys(
        values[c] for _, values, plan in staged if plan is not None for c in plan.codes))


def finish_ner(staged: Sequence[Staged], n_process: int = 1,
               on_ner: Callable[[int, int], None] | None = None) -> list[ColumnProfile]:
    """NER once over :func:`ner_texts` of all columns (``on_ner(done, total)`` after each batch), merged into
    each column's profile. Why one call: ``nlp.pipe`` then runs one stream, and ``n_process`` workers load
    the model once for the file, not once per column (per column, two processes were slower than one)."""
    texts = ner_texts(staged)
    spans = dict(zip(texts, entity_spans(texts, n_process=n_process, on_batch=on_ner), strict=True))
    for prof, values, plan in staged:
        if plan is not None:
            add_ner(prof, plan, [spans[values[c]] for c in plan.codes])
    return [prof for prof, _, _ in staged]
