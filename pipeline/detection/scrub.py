"""Free-text scrubber: Presidio's anonymizer replaces each finding with a Japanese tag (``<氏名>``,
``<電話番号>``).

Why tags and not deletion of the whole cell: a column configured ``free_text: scrub`` is kept because its
wording matters to the analyst; the personal parts are replaced by what they were, which neither restores nor
links anything (APPI.md §1 row 1). Deletion stays the default role. The analyzer (patterns + GiNZA NER when
``detection.ner``) runs on the distinct values, in batches; nulls stay null.
"""

from __future__ import annotations

import functools

import pandas as pd
from presidio_anonymizer import AnonymizerEngine
from presidio_anonymizer.entities import OperatorConfig

from pipeline.config.model import DetectionSpec
from pipeline.detection.scan import analyze_distinct, factorise

#: Presidio entity → replacement tag.
TAGS: dict[str, str] = {
    "PERSON": "<氏名>",
    "PHONE_NUMBER": "<電話番号>",
    "JP_MY_NUMBER": "<個人番号>",
    "EMAIL_ADDRESS": "<メールアドレス>",
    "LOCATION": "<住所>",
    "JP_POSTAL_CODE": "<郵便番号>",
    "JP_CORPORATE_NUMBER": "<法人番号>",
    "JP_HEALTH_INSURANCE": "<保険証番号>",
    "JP_PASSPORT": "<旅券番号>",
    "JP_DRIVER_LICENSE": "<免許証番号>",
    "JP_BANK_ACCOUNT": "<口座番号>",
}
DEFAULT_TAG = "<個人情報>"


@functools.lru_cache(maxsize=1)
def _anonymizer() -> AnonymizerEngine:
    return AnonymizerEngine()


def operators(detection: DetectionSpec) -> dict[str, OperatorConfig]:
    """Replace operators per entity; an insurer pattern's tag is its label (or its entity name)."""
    ops = {entity: OperatorConfig("replace", {"new_value": tag}) for entity, tag in TAGS.items()}
    for p in detection.patterns:
        ops.setdefault(p.entity, OperatorConfig("replace", {"new_value": f"<{p.label or p.entity}>"}))
    ops["DEFAULT"] = OperatorConfig("replace", {"new_value": DEFAULT_TAG})
    return ops


def scrub_series(values: pd.Series, detection: DetectionSpec) -> tuple[pd.Series, int]:
    """The series with every finding replaced by its tag, and the number of replacements (cells x
    findings)."""
    codes, distinct = factorise(values)
    hits = analyze_distinct(distinct, detection, ner=detection.ner)
    if not hits:
        return values.copy(), 0
    engine, ops = _anonymizer(), operators(detection)
    scrubbed = list(distinct)
    replaced_per_code: dict[int, int] = {}
    for code, found in hits.items():
        result = engine.anonymize(text=distinct[code], analyzer_results=found, operators=ops)  # type: ignore[arg-type]
        scrubbed[code] = result.text
        replaced_per_code[code] = len(result.items)
    out = values.copy().astype(object)
    mask = codes >= 0
    new = pd.Series(scrubbed, dtype=object).to_numpy()[codes[mask]]
    out.iloc[mask.nonzero()[0]] = new
    counts = pd.Series(codes[mask]).map(replaced_per_code).fillna(0)
    return out, int(counts.sum())
