"""Free-text scrubber: each finding replaced by a Japanese tag (``<氏名>``, ``<電話番号>``), to a fixed point.

Why tags and not deletion of the whole cell: a column configured ``free_text: scrub`` is kept because its
wording matters to the analyst; the personal parts are replaced by what they were, which neither restores nor
links anything (APPI.md §1 row 1). Deletion stays the default role.

Why a fixed point: the residual gate runs the same analyzer on the scrubbed text, and one pass is not enough
to satisfy it. Replacing ``名古屋市中区栄町`` found as ``名古屋市中区`` leaves ``<住所>栄町``, where NER now
sees ``栄町``. So the scrubber analyses its own output again and repeats (at most :data:`MAX_ROUNDS`
analyses); findings of the place and person kinds that touch or overlap each other, or a tag already there,
merge into one tag (``<住所>栄町`` → ``<住所>``); the tags themselves are never findings
(:mod:`pipeline.detection.tags`). A cell still holding a finding after the last round is replaced whole by
``<個人情報>`` and counted. Hence, by construction: the gate finds nothing in a scrubbed cell, and scrubbing
it again changes nothing.

Free text is analysed without the column name as context, here and in the gate alike (the memo's own words
give the context), so that both see the same findings. Distinct values only; nulls stay null.

Why not Presidio's ``AnonymizerEngine``: the merge must take in tags written in an earlier round, which are
no analyzer results; replacing non-overlapping spans from the end of the text is all that is left.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
from presidio_analyzer import RecognizerResult

from pipeline.config.model import DetectionSpec
from pipeline.detection.scan import TEXT_ENTITIES, analyze_distinct, factorise
from pipeline.detection.tags import DEFAULT_TAG, MERGING, TAGS, tag_for, tag_spans

#: Analyses per distinct value at most (the last one only confirms); measured: the generated memos and the
#: issue's city + ward + town spellings reach their fixed point in two.
MAX_ROUNDS = 4
#: Characters that may stand between two findings of the same kind that still merge (``大阪市 北区``); a
#: place and a name merge only when they touch (``<住所> 山田様`` keeps both tags).
_JOIN = frozenset(" \u3000・")
_TAG_ENTITY = {tag: entity for entity, tag in TAGS.items() if entity in MERGING}


@dataclass(frozen=True)
class ScrubResult:
    """The scrubbed column and what it took."""

    values: pd.Series
    #: Cells x tags written (a whole-cell replacement counts one).
    replacements: int
    #: Cells replaced whole by ``<個人情報>``: no fixed point within :data:`MAX_ROUNDS`.
    whole_cells: int
    #: Analyses the slowest distinct value needed.
    rounds: int


@dataclass
class _Span:
    start: int
    end: int
    entity: str
    weight: float  # (score, length) decides the tag of a merged span
    new: bool  # a finding (False: a tag already in the text, kept unless merged with a finding)


def _merge(text: str, spans: list[_Span]) -> list[_Span]:
    merged: list[_Span] = []
    for s in sorted(spans, key=lambda x: (x.start, -x.end)):
        last = merged[-1] if merged else None
        gap = text[last.end:s.start] if last is not None else ""
        touching = last is not None and (
            s.start < last.end
            or (last.entity in MERGING and s.entity in MERGING
                and (gap == "" or (last.entity == s.entity and all(ch in _JOIN for ch in gap))))
        )
        if last is None or not touching:
            merged.append(s)
            continue
        if s.weight > last.weight:
            last.entity, last.weight = s.entity, s.weight
        last.end = max(last.end, s.end)
        last.new = last.new or s.new
    return merged


def replace_findings(text: str, results: Sequence[RecognizerResult], detection: DetectionSpec
                     ) -> tuple[str, int]:
    """``text`` with its findings replaced by tags (merged as the module says) and the number of tags
    written."""
    spans = [_Span(r.start, r.end, r.entity_type, r.score * 1000 + (r.end - r.start), True) for r in results]
    for start, end in tag_spans(text, detection):
        entity = _TAG_ENTITY.get(text[start:end])
        if entity is not None:
            spans.append(_Span(start, end, entity, 0.0, False))
    out, n = text, 0
    for s in reversed(_merge(text, spans)):
        if s.new:
            out = out[:s.start] + tag_for(s.entity, detection) + out[s.end:]
            n += 1
    return out, n


def scrub_distinct(values: Sequence[str], detection: DetectionSpec
                   ) -> tuple[list[str], list[int], set[int], int]:
    """Scrubbed values, tags written per value, the values replaced whole, and the rounds needed."""
    current = list(values)
    written = [0] * len(current)
    whole: set[int] = set()
    pending = list(range(len(current)))
    rounds = 0
    for round_ in range(MAX_ROUNDS):
        if not pending:
            break
        rounds = round_ + 1
        hits = analyze_distinct([current[i] for i in pending], detection,
                                ner_entities=TEXT_ENTITIES if detection.ner else frozenset())
        pending = [pending[j] for j in sorted(hits)]
        for j, i in zip(sorted(hits), pending, strict=True):
            if round_ == MAX_ROUNDS - 1:
                current[i], written[i] = DEFAULT_TAG, 1
                whole.add(i)
            else:
                current[i], n = replace_findings(current[i], hits[j], detection)
                written[i] += n
    return current, written, whole, rounds


def scrub_column(values: pd.Series, detection: DetectionSpec) -> ScrubResult:
    """Scrub one free-text column over its distinct values; the input is not modified."""
    codes, distinct = factorise(values)
    scrubbed, written, whole, rounds = scrub_distinct(distinct, detection)
    out = values.copy().astype(object)
    mask = codes >= 0
    if not any(written):
        return ScrubResult(out, 0, 0, rounds)
    out.iloc[mask.nonzero()[0]] = pd.Series(scrubbed, dtype=object).to_numpy()[codes[mask]]
    per_code = pd.Series(codes[mask])
    replacements = int(per_code.map(dict(enumerate(written))).sum())
    whole_cells = int(per_code.isin(list(whole)).sum()) if whole else 0
    return ScrubResult(out, replacements, whole_cells, rounds)


def scrub_series(values: pd.Series, detection: DetectionSpec) -> tuple[pd.Series, int]:
    """The series scrubbed, and the number of tags written (cells x tags; a whole cell counts one)."""
    result = scrub_column(values, detection)
    return result.values, result.replacements


__all__ = ["DEFAULT_TAG", "TAGS", "ScrubResult", "replace_findings", "scrub_column", "scrub_series"]
