"""The scrubber's replacement tags (``<氏名>``, ``<住所>`` …) and where they stand in a text.

Why a module of its own: the scrubber writes the tags and the analyzer must never report them (a tag is
what the personal data *was*, not personal data; GiNZA reads ``<住所>`` as a place). Only the known tags are
exempt, built from the entity table below plus the labels of the config's own patterns: ``<山田太郎>``
typed into a cell is not a tag and is scanned like any other text.
"""

from __future__ import annotations

import functools

import regex

from pipeline.config.model import DetectionSpec

#: Presidio entity → replacement tag.
TAGS: dict[str, str] = {
    "PERSON": "<氏名>",
    "PHONE_NUMBER": "<電話番号>",
    "JP_CONTACT_NUMBER": "<電話番号>",
    "JP_MY_NUMBER": "<個人番号>",
    "JP_MY_NUMBER_INVALID": "<個人番号>",
    "EMAIL_ADDRESS": "<メールアドレス>",
    "LOCATION": "<住所>",
    "JP_POSTAL_CODE": "<郵便番号>",
    "JP_CORPORATE_NUMBER": "<法人番号>",
    "JP_HEALTH_INSURANCE": "<保険証番号>",
    "JP_PASSPORT": "<旅券番号>",
    "JP_DRIVER_LICENSE": "<免許証番号>",
    "JP_BANK_ACCOUNT": "<口座番号>",
}
#: Replaces an unlisted entity, and a whole cell the scrubber could not bring to a fixed point.
DEFAULT_TAG = "<個人情報>"
#: Entities whose neighbouring findings merge into one tag (a place or a name split by the NER or the
#: patterns: ``<住所>栄町`` becomes ``<住所>``).
MERGING = frozenset({"PERSON", "LOCATION"})


def tag_for(entity: str, detection: DetectionSpec) -> str:
    """The tag replacing ``entity``: the table above, an insurer pattern's label, else the default."""
    if entity in TAGS:
        return TAGS[entity]
    for p in detection.patterns:
        if p.entity == entity:
            return f"<{p.label or p.entity}>"
    return DEFAULT_TAG


@functools.lru_cache(maxsize=8)
def tag_pattern(detection: DetectionSpec) -> regex.Pattern[str]:
    """A regex matching every tag the scrubber can write for this config."""
    tags = {*TAGS.values(), DEFAULT_TAG, *(tag_for(p.entity, detection) for p in detection.patterns)}
    return regex.compile("|".join(regex.escape(t) for t in sorted(tags, key=len, reverse=True)))


def tag_spans(text: str, detection: DetectionSpec) -> list[tuple[int, int]]:
    """Spans of the tags in ``text`` (empty for the usual text that has no ``<``)."""
    if "<" not in text:
        return []
    return [m.span() for m in tag_pattern(detection).finditer(text)]


def inside_tags(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    """Whether ``[start, end)`` covers only tag characters (tags touching each other count as one run)."""
    pos = start
    for s, e in spans:
        if e <= pos:
            continue
        if s > pos:
            return False
        pos = e
        if pos >= end:
            return True
    return pos >= end
