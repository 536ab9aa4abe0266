"""How GiNZA's named entities become Presidio results: which labels count (:data:`LABEL_MAP`) and the score
they get (:data:`NER_SCORE`).

Why a module of its own: both the engine (:mod:`pipeline.detection.nlp`, which imports spaCy and loads the
model) and the batch NER (:mod:`pipeline.detection.ner`, which must stay importable without spaCy, so that
the model loads only when a text column needs it) need these two facts; here, below both, neither imports
the other to get them (the import contract in ``pyproject.toml`` forbids the cycle they made).

GiNZA labels are the Sekine Extended Named Entity set (~200 labels, ``nlp.get_pipe("ner").labels``). Person →
PERSON; places that locate a person (prefectures, cities, addresses, countries, regions) → LOCATION; every
other label is ignored (numbers, e-mails and phones are found by the pattern recognizers, which are exact).
"""

from __future__ import annotations

#: The NER's score (spaCy gives none); below the pattern recognizers' checksum-backed scores.
NER_SCORE = 0.85

#: GiNZA (Extended Named Entity) label → Presidio entity.
LABEL_MAP: dict[str, str] = {
    "Person": "PERSON",
    "Province": "LOCATION",
    "City": "LOCATION",
    "County": "LOCATION",
    "GPE_Other": "LOCATION",
    "Country": "LOCATION",
    "Postal_Address": "LOCATION",
    "Domestic_Region": "LOCATION",
    "Location_Other": "LOCATION",
}
