"""Scanning DataFrame columns with the Japanese analyzer: distinct values only, a cheap pre-filter,
batched NER.

Why this shape (STYLE.md §5): a released column of a million rows holds a few hundred distinct generalised
values, so each column is factorised once and the analyzer runs per distinct value; findings are mapped
back to rows through the codes. Even a column of a million distinct values (surrogate keys) stays cheap: a
vectorised pre-filter (:mod:`pipeline.detection.prefilter`: every recognizer pattern as an RE2 superset, run
by pyarrow over the column's NFKC values at once) tells exactly which recognizer, and which of its patterns,
may report on which value, and only those run, on each value normalised once. NER runs on the distinct
values that hold a letter, kana or kanji, through ``nlp.pipe`` in batches (:mod:`pipeline.detection.ner`).

Findings carry column, row, entity type, span and score, never the value.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from presidio_analyzer import EntityRecognizer, RecognizerResult

from pipeline.config.model import DetectionSpec
from pipeline.detection.ginza_labels import NER_SCORE
from pipeline.detection.ner import RECOGNIZER, entity_spans, ner_worthy, to_results
from pipeline.detection.normalize import NormalisedText, nfkc_text, normalise
from pipeline.detection.prefilter import ArrowTexts, candidates, nfkc_arrow, recognizer_filters
from pipeline.detection.recognizers.base import JapanesePatternRecognizer
from pipeline.detection.tags import inside_tags, tag_spans
from pipeline.io.arrow import arrow_chunks, is_arrow_text, text_encode


@dataclass(frozen=True)
class Finding:
    """One detected entity in one cell. ``row`` is the 0-based position in the scanned frame."""

    column: str
    row: int
    entity_type: str
    start: int
    end: int
    score: float

    def as_dict(self) -> dict[str, object]:
        return {"column": self.column, "row": self.row, "entity_type": self.entity_type,
                "start": self.start, "end": self.end, "score": round(self.score, 4)}


def analyze_patterns(value: str, detection: DetectionSpec, context: Sequence[str] = (),
                     recognizers: Sequence[tuple[JapanesePatternRecognizer, Sequence[int]]] | None = None,
                     norm: NormalisedText | None = None) -> list[RecognizerResult]:
    """The pattern recognizers on one value, as Presidio's ``AnalyzerEngine.analyze`` runs them, without the
    engine's per-call set-up: each recognizer's findings, its context enhancement with the caller's context
    (the column name), the score threshold, Presidio's duplicate removal.

    ``recognizers``: only these, each with the indices of its patterns to run (what the pre-filter let
    through, :mod:`pipeline.detection.prefilter`; default every pattern of every one); ``norm``: the value
    already normalised (once for all recognizers).

    Why not the engine: a profile of a raw extract sends every phone number, e-mail and My Number of a column
    through the patterns (hundreds of thousands of values); the engine's per-call cost (registry lookup, NLP
    artifacts, the lemma context enhancer, which our recognizers opt out of) was most of the time.
    """
    threshold = detection.score_threshold
    ctx = tuple(context)
    norm = normalise(value) if norm is None else norm
    results: list[RecognizerResult] = []
    todo = [(r, None) for r in pattern_recognizers_cached(detection)] if recognizers is None else recognizers
    for rec, only in todo:
        found = rec.analyze_normalised(norm, only)
        if found and ctx:  # enhance_using_context, with the column's context word looked up once
            found = rec.boost(found, rec.given_context_word(ctx))
        results.extend(r for r in found if r.score >= threshold)
    return EntityRecognizer.remove_duplicates(results) if len(results) > 1 else results


@functools.lru_cache(maxsize=8)
def pattern_recognizers_cached(detection: DetectionSpec) -> tuple[JapanesePatternRecognizer, ...]:
    """The pattern recognizers of ``detection``, built once (the pre-filter's, so the same objects)."""
    return tuple(f.recognizer for f in recognizer_filters(detection))


def _is_ner(r: RecognizerResult) -> bool:
    return (r.recognition_metadata or {}).get(RecognizerResult.RECOGNIZER_NAME_KEY) == RECOGNIZER


#: Entities found by context around a malformed number: a more specific pattern finding on the same
#: characters (a valid phone number, a valid My Number) replaces them.
WEAK = frozenset({"JP_CONTACT_NUMBER", "JP_MY_NUMBER_INVALID"})


def _dominated(r: RecognizerResult, o: RecognizerResult) -> bool:
    if o is r or o.entity_type == r.entity_type:
        return False
    if r.entity_type in WEAK and not _is_ner(o) and o.entity_type not in WEAK:
        return o.start <= r.start and r.end <= o.end
    if _is_ner(r) and not _is_ner(o):
        return o.start < r.end and r.start < o.end
    inside = o.start <= r.start and r.end <= o.end and (o.end - o.start) > (r.end - r.start)
    return inside and (o.score > r.score or (o.entity_type in WEAK and o.score >= r.score))


def resolve(results: list[RecognizerResult]) -> list[RecognizerResult]:
    """Settle findings of different types on the same characters.

    Why: GiNZA tags e-mail addresses as Person and ``〒123-4567`` as Postal_Address; where a pattern
    recognizer
    (exact, checksum-backed) found something, an overlapping NER finding of another type is dropped. Between
    patterns, a finding strictly inside a longer, higher-scoring one of another type goes:
    ``(0800)464-0530`` is
    a phone number, not a postal code inside one. Same-type duplicates Presidio already removes.
    """
    if len(results) < 2:
        return results
    return [r for r in results if not any(_dominated(r, o) for o in results)]


#: NER entity sets: free text (names and places), any other released text (names only: places such as
#: ``東京都`` or ``千代田区`` are generalisation levels by design).
TEXT_ENTITIES = frozenset({"PERSON", "LOCATION"})
NAME_ENTITIES = frozenset({"PERSON"})


def analyze_distinct(
    values: Sequence[str], detection: DetectionSpec, ner: bool = False, batch_size: int = 256,
    context: Sequence[str] = (), cleared: set[str] | None = None,
    ner_entities: frozenset[str] | None = None, n_process: int = 1, confirmed_names: bool = False,
) -> dict[int, list[RecognizerResult]]:
    """Findings (score >= ``detection.score_threshold``) by index into ``values``; values without any absent.

    Patterns run on the values that pass the pre-filter; GiNZA NER (``ner``: PERSON and LOCATION, or the
    entities of ``ner_entities``) on the values that hold a letter, kana or kanji, through
    :mod:`pipeline.detection.ner` (``nlp.pipe``, cached per text). Findings covering only scrubber tags
    are dropped (:mod:`pipeline.detection.tags`). ``context``: words that hold for every value (the column
    name), e.g. ``電話`` lifts a bare 10-digit number. ``cleared``: values known to fail the pre-filter,
    skipped, and extended with those failing it here (the pre-filter depends on neither column nor context,
    so one set serves several columns: a person key released in two tables is tested once).
    ``confirmed_names``: NER names count only when the dictionary confirms them (category columns; see
    :func:`pipeline.detection.ner._confirmed`).
    """
    entities = ner_entities if ner_entities is not None else (TEXT_ENTITIES if ner else frozenset())
    ner_idx = [i for i, v in enumerate(values) if v and ner_worthy(v)] if entities else []
    wanted = pattern_candidates(values, detection, context, cleared)
    found = pattern_findings(values, detection, context, wanted)
    if ner_idx and detection.score_threshold <= NER_SCORE:
        spans = entity_spans([values[i] for i in ner_idx], n_process=n_process)
        for i, per_text in zip(ner_idx, spans, strict=True):
            if per_text:
                results = to_results(per_text, entities, NER_SCORE, confirmed_names)
                if results:
                    found[i] = found.get(i, []) + results
    return settle(values, detection, found)


@dataclass
class Wanted:
    """The pre-filter's answer for the distinct values of a column: per pattern recognizer (registry order),
    the indices of the values it may report on and, for each, the indices of its patterns to run. Kept as
    arrays: a column of 200,000 phone numbers has 200,000 candidates, of which a profile may read a sample.
    """

    size: int
    per_recognizer: list[tuple[JapanesePatternRecognizer, np.ndarray, list[tuple[int, ...]]]] = field(
        default_factory=list)

    def mask(self) -> np.ndarray:
        """Values that some recognizer may report on."""
        out = np.zeros(self.size, dtype=bool)
        for _, idx, _ in self.per_recognizer:
            out[idx] = True
        return out

    def __len__(self) -> int:
        return int(self.mask().sum())

    def by_value(self, keep: np.ndarray | None = None
                 ) -> dict[int, list[tuple[JapanesePatternRecognizer, Sequence[int]]]]:
        """Per value (only where ``keep``, a mask, is true), its recognizers and their patterns."""
        out: dict[int, list[tuple[JapanesePatternRecognizer, Sequence[int]]]] = {}
        for rec, idx, only in self.per_recognizer:  # registry order, as the engine runs them
            if keep is None:
                pairs = zip(idx.tolist(), only, strict=True)
            else:
                sel = np.flatnonzero(keep[idx])
                pairs = zip(idx[sel].tolist(), [only[k] for k in sel.tolist()], strict=True)
            for i, patterns in pairs:
                out.setdefault(i, []).append((rec, patterns))
        return out


def pattern_candidates(values: Sequence[str], detection: DetectionSpec, context: Sequence[str] = (),
                       cleared: set[str] | None = None) -> Wanted:
    """The vectorised pre-filter (:mod:`pipeline.detection.prefilter`) over the distinct values: which
    recognizers and patterns may report on which value; values absent from the answer cannot hold a pattern
    finding at or above the threshold. ``cleared``: see :func:`analyze_distinct`."""
    texts: Sequence[str]
    if isinstance(values, ArrowTexts):  # Arrow in, Arrow through; ``cleared`` holds Python strings only
        filled = pc.greater(pc.utf8_length(values.arrow), 0).to_numpy(zero_copy_only=False)
        todo = np.flatnonzero(np.asarray(filled, dtype=bool))
        texts = ArrowTexts(nfkc_arrow(values.arrow.take(pa.array(todo, type=pa.int64()))))
        cleared = None
    else:
        todo = np.fromiter((i for i, v in enumerate(values) if v and not (cleared and v in cleared)),
                           dtype=np.int64)
        texts = [nfkc_text(values[i]) for i in todo.tolist()]
    wanted = Wanted(len(values))
    if not len(todo):
        return wanted
    per_recognizer, possible = candidates(texts, detection, context)
    if cleared is not None:
        cleared.update(values[i] for i in todo[~possible].tolist())
    wanted.per_recognizer = [(rec, todo[idx], only) for rec, idx, only in per_recognizer]
    return wanted


def pattern_findings(values: Sequence[str], detection: DetectionSpec, context: Sequence[str], wanted: Wanted,
                     keep: np.ndarray | None = None) -> dict[int, list[RecognizerResult]]:
    """The pattern findings on the candidate values (``keep``: only where this mask is true), before
    :func:`settle`."""
    found: dict[int, list[RecognizerResult]] = {}
    for i, recs in wanted.by_value(keep).items():
        results = analyze_patterns(values[i], detection, context, recs)
        if results:
            found[i] = results
    return found


def settle(values: Sequence[str], detection: DetectionSpec, found: dict[int, list[RecognizerResult]]
           ) -> dict[int, list[RecognizerResult]]:
    """Findings covering only scrubber tags dropped, duplicates removed, overlaps resolved, sorted."""
    out: dict[int, list[RecognizerResult]] = {}
    for i, results in found.items():
        tags = tag_spans(values[i], detection)
        if tags:
            results = [r for r in results if not inside_tags(r.start, r.end, tags)]
        kept = resolve(EntityRecognizer.remove_duplicates(results))
        if kept:
            out[i] = sorted(kept, key=lambda r: (r.start, r.end, r.entity_type))
    return out


@dataclass
class ColumnScan:
    """The findings of one column: per distinct value, with the codes that map rows to distinct values."""

    column: str
    codes: np.ndarray
    distinct: int
    hits: dict[int, list[RecognizerResult]] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        return len(self.codes)

    @property
    def non_null(self) -> int:
        return int((self.codes >= 0).sum())

    def cells_by_entity(self) -> dict[str, int]:
        """Entity type → number of cells holding at least one finding of that type."""
        if not self.hits:
            return {}
        per_code = np.bincount(self.codes[self.codes >= 0], minlength=self.distinct)
        counts: dict[str, int] = {}
        for code, found in self.hits.items():
            for entity in {r.entity_type for r in found}:
                counts[entity] = counts.get(entity, 0) + int(per_code[code])
        return dict(sorted(counts.items()))

    def first_rows(self) -> dict[int, int]:
        """Distinct-value code with findings → first row holding it."""
        if not self.hits:
            return {}
        wanted = np.fromiter(self.hits, dtype=np.int64)
        rows = np.flatnonzero(np.isin(self.codes, wanted))
        _, first = np.unique(self.codes[rows], return_index=True)
        return {int(self.codes[rows[j]]): int(rows[j]) for j in first}

    def findings(self) -> Iterator[Finding]:
        """Every finding of every row, in row order."""
        if not self.hits:
            return
        wanted = np.fromiter(self.hits, dtype=np.int64)
        for row in np.flatnonzero(np.isin(self.codes, wanted)):
            for r in sorted(self.hits[int(self.codes[row])], key=lambda r: (r.start, r.entity_type)):
                yield Finding(self.column, int(row), r.entity_type, r.start, r.end, float(r.score))


def factorise(series: pd.Series) -> tuple[np.ndarray, Sequence[str]]:
    """Codes per row (-1 for null) and the distinct values as strings, in order of first appearance; a
    column of Arrow strings stays Arrow (:class:`~pipeline.detection.prefilter.ArrowTexts`)."""
    if is_arrow_text(series):  # hashed a part of the rows at a time, the chunks as read (no copy into one)
        codes, distinct = text_encode([arrow_chunks(series)], _code_dtype(len(series)))
        return codes, ArrowTexts(distinct)
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    values = [str(v) for v in np.asarray(uniques, dtype=object)]
    return np.asarray(codes, dtype=_code_dtype(len(series))), values


def _code_dtype(rows: int) -> type[np.signedinteger]:
    """32-bit codes (a column has fewer distinct values than rows): 10M policyholders' ten columns held
    their codes in 64 bits, 760 MiB under the residual-PII scan's peak (issue 17)."""
    return np.int32 if rows < np.iinfo(np.int32).max else np.int64


def scan_series(series: pd.Series, detection: DetectionSpec, ner: bool = False, column: str | None = None,
                cleared: set[str] | None = None, ner_entities: frozenset[str] | None = None,
                name_as_context: bool = True) -> ColumnScan:
    """Scan one column (distinct values only); ``ner`` for free-text columns (PERSON and LOCATION) or the
    NER entities of ``ner_entities``; the column name is context unless ``name_as_context`` is false (free
    text: the scrubber does not use it either). ``cleared``: see :func:`analyze_distinct`."""
    name = str(column if column is not None else series.name)
    codes, values = factorise(series)
    hits = analyze_distinct(values, detection, ner=ner, context=[name] if name_as_context else (),
                            cleared=cleared, ner_entities=ner_entities,
                            confirmed_names=ner_entities == NAME_ENTITIES)
    return ColumnScan(name, codes, len(values), hits)


def scan_frame(frame: pd.DataFrame, detection: DetectionSpec, text_columns: Sequence[str] = (),
               cleared: set[str] | None = None, name_columns: Sequence[str] = ()) -> list[ColumnScan]:
    """Every column's scan (:func:`iter_scans`), as a list."""
    return list(iter_scans(frame, detection, text_columns, cleared, name_columns))


def iter_scans(frame: pd.DataFrame, detection: DetectionSpec, text_columns: Sequence[str] = (),
               cleared: set[str] | None = None, name_columns: Sequence[str] = ()) -> Iterator[ColumnScan]:
    """Scan every column, one at a time: a caller that takes what it needs from each scan (counts, the first
    row of each finding) holds one column's codes at a time, not the table's (issue 17). With
    ``detection.ner``, NER looks for names and places in ``text_columns`` and for names only in
    ``name_columns``; other columns get the patterns only. Text columns are analysed without their name as
    context, as the scrubber analyses them (its output is then a fixed point of this scan). Pass one
    ``cleared`` set to the frames of one release to test a value shared by columns against the pre-filter
    once."""
    text, names = set(text_columns), set(name_columns)
    cleared = set() if cleared is None else cleared
    for col in frame.columns:
        entities: frozenset[str] = frozenset()
        if detection.ner:
            entities = TEXT_ENTITIES if col in text else NAME_ENTITIES if col in names else frozenset()
        yield scan_series(frame[col], detection, column=str(col), cleared=cleared, ner_entities=entities,
                          name_as_context=col not in text)
