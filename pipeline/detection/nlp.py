"""The Japanese NLP engine: Presidio's ``SpacyNlpEngine`` on GiNZA (``ja_ginza``), NER components only.

Why a subclass: Presidio's engine calls ``spacy.load(name)`` with every component, but NER needs only the
tokenizer (SudachiPy), ``tok2vec`` and ``ner``; the dependency parser, morphologizer, compound splitter and
bunsetu recognizer are excluded (measured in benchmarks/pii_eval.py --ner-speed). It never downloads:
the model
is the ``ja-ginza`` package, installed with the project. Loading takes ~1.5-2 s, so the engine is built lazily
(only when a text column needs NER) and cached per process.

Which GiNZA labels count and the score they get: :mod:`pipeline.detection.ginza_labels`.
"""

from __future__ import annotations

import functools

import spacy
from presidio_analyzer.nlp_engine import NerModelConfiguration, SpacyNlpEngine

from pipeline.detection.ginza_labels import LABEL_MAP, NER_SCORE

MODEL = "ja_ginza"
LANGUAGE = "ja"
#: Components NER does not need (spaCy ``exclude``: not even loaded).
EXCLUDED = ("parser", "morphologizer", "compound_splitter", "bunsetu_recognizer")


class GinzaNlpEngine(SpacyNlpEngine):
    """``SpacyNlpEngine`` that loads ``ja_ginza`` without the components NER does not need."""

    def __init__(self, excluded: tuple[str, ...] = EXCLUDED) -> None:
        super().__init__(
            models=[{"lang_code": LANGUAGE, "model_name": MODEL}],
            ner_model_configuration=NerModelConfiguration(
                model_to_presidio_entity_mapping=dict(LABEL_MAP),
                default_score=NER_SCORE,
                labels_to_ignore=[],
            ),
        )
        self.excluded = excluded

    def load(self) -> None:
        nlp = spacy.load(MODEL, exclude=list(self.excluded))
        labels = set(nlp.get_pipe("ner").labels)  # type: ignore[attr-defined]
        # Ignore every label that is not mapped (Presidio would keep and warn about each one otherwise).
        self.ner_model_configuration.labels_to_ignore = sorted(labels - set(LABEL_MAP))
        self.nlp = {LANGUAGE: nlp}  # type: ignore[assignment]


@functools.lru_cache(maxsize=2)
def ginza_engine(excluded: tuple[str, ...] = EXCLUDED) -> GinzaNlpEngine:
    """The loaded engine, once per process."""
    engine = GinzaNlpEngine(excluded)
    engine.load()
    return engine


def unload() -> None:
    """Let go of the loaded model (about 320 MiB resident); the next use loads it again (about 1.5 s).

    Why: a run needs the model in bursts (scrubbing free text in the second pass, the residual-PII scan,
    the Great Expectations gate's name metric), and between them the risk over all released columns, the
    report and the gate hold the release's tables: a model kept loaded sat under each of their peaks
    (issue 17). The spans already found stay cached per text (:mod:`pipeline.detection.ner`), so the gate,
    which reads the values the scan read, finds them there and does not load the model again."""
    ginza_engine.cache_clear()
