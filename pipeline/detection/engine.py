"""Analyzer factory: a Presidio ``AnalyzerEngine`` for Japanese, with or without NER.

Why two flavours: most released cells are short generalised values (``30-34歳``, ``東京都``) on which NER is
both slow and wrong (a prefecture is a LOCATION); they get the pattern recognizers on a no-op NLP engine. Free
text kept with ``free_text: scrub`` gets GiNZA NER as well. Both are cached per process and per
``DetectionSpec`` (frozen, hashable): building the registry and compiling ~20 regexes is not free, and GiNZA
takes seconds to load.
"""

from __future__ import annotations

import functools

from presidio_analyzer import AnalyzerEngine, EntityRecognizer, RecognizerRegistry
from presidio_analyzer.nlp_engine import NlpEngine, NoOpNlpEngine

from pipeline.config.model import DetectionSpec
from pipeline.detection.recognizers import RECOGNIZERS, CustomPatternRecognizer
from pipeline.detection.recognizers.base import FLAGS, JapanesePatternRecognizer

LANGUAGE = "ja"


def pattern_recognizers(detection: DetectionSpec) -> list[JapanesePatternRecognizer]:
    """Every registered recognizer plus one per insurer pattern of the config."""
    recs: list[JapanesePatternRecognizer] = [cls() for cls in RECOGNIZERS.values()]
    recs.extend(CustomPatternRecognizer(p) for p in detection.patterns)
    return recs


@functools.lru_cache(maxsize=8)
def build_analyzer(detection: DetectionSpec, ner: bool = False) -> AnalyzerEngine:
    """An analyzer for Japanese; ``ner`` adds GiNZA's PERSON / LOCATION (loads the model on first use)."""
    recognizers: list[EntityRecognizer] = list(pattern_recognizers(detection))
    nlp_engine: NlpEngine
    if ner:
        from presidio_analyzer.predefined_recognizers import SpacyRecognizer

        from pipeline.detection.ginza_labels import NER_SCORE
        from pipeline.detection.nlp import ginza_engine

        nlp_engine = ginza_engine()
        recognizers.append(
            SpacyRecognizer(supported_language=LANGUAGE, supported_entities=["PERSON", "LOCATION"],
                            ner_strength=NER_SCORE)
        )
    else:
        nlp_engine = NoOpNlpEngine(models=[{"lang_code": LANGUAGE, "model_name": "none"}])
        nlp_engine.load()
    registry = RecognizerRegistry(
        recognizers=recognizers, supported_languages=[LANGUAGE], global_regex_flags=FLAGS
    )
    return AnalyzerEngine(registry=registry, nlp_engine=nlp_engine, supported_languages=[LANGUAGE])
