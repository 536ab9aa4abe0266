"""GiNZA named-entity recognition over many distinct texts: ``nlp.pipe`` directly, results cached per text.

Why not Presidio's ``BatchAnalyzerEngine`` for NER: it runs every pattern recognizer again on each text and
builds Presidio's NLP artifacts (tokens, lemmas) that nothing here uses; the pattern recognizers already ran
on the same values (``scan.analyze_distinct``). Here the spaCy pipeline (tokenizer, ``tok2vec``, ``ner``; see
``nlp.py``) runs once per distinct text in batches, and the entities map to Presidio results exactly as
Presidio's ``SpacyRecognizer`` would map them (label → entity through
:data:`~pipeline.detection.ginza_labels.LABEL_MAP`, score :data:`~pipeline.detection.ginza_labels.NER_SCORE`).

The cache: the residual gate and the Great Expectations gate of one run look at the same released values,
and a release's tables share many (a category released in two tables); a text is analysed once per process.

``n_process``: spaCy can fork workers that each load the model (~2 s each). Measured on this project's
2-core machine (``benchmarks/scan.py``, 2026-12-01): in the default scan two processes lose (200,000 rows
65.0 s against 47.8 s: few sampled texts, and the model loaded twice more); with ``scan --full``, whose texts
of all columns go through one call (``profile.finish_ner``), two processes win (10,000 rows 165.5 s against
211.3 s wall). The default is one process; ``scan --n-process N`` passes more.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import regex
from presidio_analyzer import AnalysisExplanation, RecognizerResult

from pipeline.detection.ginza_labels import LABEL_MAP

#: Texts with none of these characters cannot hold a Japanese or Latin name or place: no NER for them.
NER_WORTHY = regex.compile(r"[A-Za-z\p{Han}\p{Hiragana}\p{Katakana}]")
#: Numbers with their units (``4470円``, ``12万5千円``, ``3ヶ月``), dates (``1967年2月27日``,
#: ``平成27年4月18日``, ``令和元年``, ``S40.10.26``) and short-prefixed codes (``KZ00090625``, ``AG5199``):
#: their letters, kana and kanji cannot be part of a name or a place, so a text whose every such character
#: is inside one of them is not worth NER (:func:`ner_worthy`). An era name or a code prefix counts only
#: right before a digit, a unit only right after one; ``Tanaka1`` or ``秋元`` keep their letters.
_NUMERIC = regex.compile(
    r"(?:明治|大正|昭和|平成|令和)(?=\s*(?:[0-9０-９]|元年))"
    r"|(?<![A-Za-z])[A-Za-z]{1,3}(?=[0-9０-９])"
    r"|(?:[0-9０-９]|元(?=年))[0-9０-９,，.．/／:：\-－]*\s*(?:[年月日円万千百億歳]|ヶ月|か月|ケ月)*"
)


def ner_worthy(text: str) -> bool:
    """Whether NER could find a name or a place in ``text``: it holds a letter, kana or kanji outside the
    numbers, dates and codes of :data:`_NUMERIC`. Measured on a generated 10,000-row extract, ``scan --full``
    read 41,961 distinct texts; the dates, amounts and codes among them were a third (birth and contract
    dates, premiums, policy and agency codes)."""
    return bool(NER_WORTHY.search(text)) and bool(NER_WORTHY.search(_NUMERIC.sub("", text)))
#: The recognizer name Presidio gives NER results (``scan.resolve`` tells NER from patterns by it).
RECOGNIZER = "SpacyRecognizer"
#: Cached texts at most; beyond, the cache is emptied (a bound on memory, not a correctness matter).
CACHE_LIMIT = 500_000

#: (Presidio entity, start, end, confirmed): ``confirmed`` for a PERSON whose words the tokenizer
#: (SudachiPy) also reads as a personal name and that is not the first half of a compound noun.
Span = tuple[str, int, int, bool]
_cache: dict[str, tuple[Span, ...]] = {}
_HONORIFICS = frozenset({"様", "さん", "さま", "氏", "殿", "君", "ちゃん", "くん"})


def _confirmed(doc: object, ent: object) -> bool:
    """Why: on short category values the NER alone says Person too often (``保育士``, ``東京都千代田区``, the
    ``ヤコブ`` of ``クロイツフェルト・ヤコブ病``). A kept category is a name only if one of its words is
    a personal name to the dictionary (品詞 ``名詞-固有名詞-人名``) and no suffix other than an honorific
    follows (``ヤコブ病`` is a disease)."""
    tokens = list(ent)  # type: ignore[call-overload]
    if not any("人名" in t.tag_ for t in tokens):
        return False
    end = ent.end  # type: ignore[attr-defined]
    if end < len(doc):  # type: ignore[arg-type]
        nxt = doc[end]  # type: ignore[index]
        if nxt.tag_.startswith("接尾辞") and nxt.text not in _HONORIFICS:
            return False
    return True


def _spans(doc: object) -> tuple[Span, ...]:
    out = []
    for ent in doc.ents:  # type: ignore[attr-defined]
        entity = LABEL_MAP.get(ent.label_)
        if entity is not None:
            confirmed = entity == "PERSON" and _confirmed(doc, ent)
            out.append((entity, int(ent.start_char), int(ent.end_char), confirmed))
    return tuple(out)


def entity_spans(texts: Sequence[str], batch_size: int = 256, n_process: int = 1,
                 on_batch: Callable[[int, int], None] | None = None) -> list[tuple[Span, ...]]:
    """Per text, its PERSON / LOCATION spans (character offsets into the text). ``on_batch(done, total)``
    is called after each batch of texts the model read (progress)."""
    todo = list(dict.fromkeys(t for t in texts if t not in _cache))
    if todo:
        from pipeline.detection.nlp import ginza_engine

        nlp = ginza_engine().nlp["ja"]  # type: ignore[index]
        if len(_cache) + len(todo) > CACHE_LIMIT:
            _cache.clear()
        docs = nlp.pipe(todo, batch_size=batch_size, n_process=n_process)
        for done, (text, doc) in enumerate(zip(todo, docs, strict=True), 1):
            _cache[text] = _spans(doc)
            if on_batch is not None and (done % batch_size == 0 or done == len(todo)):
                on_batch(done, len(todo))
    return [_cache[t] if t in _cache else _single(t) for t in texts]


def _single(text: str) -> tuple[Span, ...]:
    """A text evicted between the batch and the lookup (cache cleared mid-call): analysed again."""
    from pipeline.detection.nlp import ginza_engine

    return _spans(ginza_engine().nlp["ja"](text))  # type: ignore[index]


def to_results(spans: Iterable[Span], entities: frozenset[str], score: float, confirmed_only: bool = False
               ) -> list[RecognizerResult]:
    """Presidio results for the spans of the wanted entity types (``confirmed_only``: confirmed names)."""
    out = []
    for entity, start, end, confirmed in spans:
        if entity not in entities or end <= start or (confirmed_only and not confirmed):
            continue
        explanation = AnalysisExplanation(recognizer=RECOGNIZER, original_score=score,
                                          textual_explanation=f"Identified as {entity} by GiNZA NER")
        out.append(RecognizerResult(entity, start, end, score, analysis_explanation=explanation,
                                    recognition_metadata={RecognizerResult.RECOGNIZER_NAME_KEY: RECOGNIZER}))
    return out
