"""Base class of the Japanese pattern recognizers: Presidio's ``PatternRecognizer`` made to work on Japanese.

Why not Presidio's own matching: its patterns use ``\\b``/``\\w``, which treat kana and kanji as word
characters (``個人番号123456789012`` has no word boundary before the digits), and its context enhancer
works on
whitespace tokens, which Japanese text does not have. Here:

- patterns run on the NFKC-normalised text (full-width digits, ``＠``, ``（`` become ASCII) and findings are
  mapped back to spans of the ORIGINAL string (:mod:`pipeline.detection.normalize`);
- boundaries are lookarounds on ASCII digits and letters only (:data:`LEFT`, :data:`RIGHT`);
- a named group ``pii`` narrows the reported span (``〒(?P<pii>...)``, ``保険者番号(?P<pii>...)``);
- context words are searched in a character window around the match (no tokenisation needed), and in the
  caller's ``context`` (the column name, via ``enhance_using_context``); a context word raises the score by
  ``CONTEXT_BOOST`` and to at least ``MIN_SCORE_WITH_CONTEXT``;
- ``validate_result`` (a checksum) drops a match when it returns False and keeps the pattern's score when True
  (Presidio would force 1.0: a 1-in-10 chance check digit is not certainty).

A subclass is data: ``ENTITY``, ``PATTERNS`` (name, regex, score), ``CONTEXT``, and at most one hook.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

import regex
from presidio_analyzer import EntityRecognizer, Pattern, PatternRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts
from stdnum.jp import in_

from pipeline.detection.normalize import NormalisedText, normalise

#: Hyphen-like separators left after NFKC (ー is a frequent IME slip for a hyphen in numbers).
SEP = r"[\-‐‑‒–—―−ー]"
#: A separator inside a number: a hyphen-like character or one space.
NSEP = r"[\-‐‑‒–—―−ー ]"
#: Left boundary of a number: no ASCII letter or digit before it (but ``TEL``/``FAX``/``No`` may touch it),
#: and not the continuation of a longer separated number (``1234-5678-9012-3456``).
LEFT = (
    r"(?:(?<=[Tt][Ee][Ll])|(?<=[Ff][Aa][Xx])|(?<=[Nn][Oo])|(?<![0-9A-Za-z]))"
    r"(?<![0-9][\-‐‑‒–—―−ー ])(?<![0-9][.,])"
)
#: Right boundary of a number: no ASCII letter or digit after it, and no further separated digit group.
RIGHT = r"(?![0-9A-Za-z])(?![\-‐‑‒–—―−ー ][0-9])(?![.,][0-9])"

FLAGS = regex.DOTALL | regex.MULTILINE

#: Necessary condition of every number pattern built on LEFT/RIGHT: a digit run whose left neighbour is not an
#: ASCII letter or digit (or is the end of TEL/FAX/No/T) and whose right neighbour is not one either. It is a
#: plain, fast regex: a random-hex surrogate key (digits between letters) never passes it.
NUMBER_TRIGGER = r"(?:^|[^A-Za-z0-9]|[LlXxOoT])[0-9]+(?:[^A-Za-z0-9]|$)"


class JapanesePatternRecognizer(PatternRecognizer):
    """Pattern recognizer for Japanese text (see the module docstring)."""

    ENTITY: ClassVar[str] = ""
    #: (name, regex, score) applied to NFKC text; an optional group ``pii`` is the reported span.
    PATTERNS: ClassVar[tuple[tuple[str, str, float], ...]] = ()
    #: Japanese context words, matched (case-insensitively) in the NFKC text near the finding.
    CONTEXT: ClassVar[tuple[str, ...]] = ()
    CONTEXT_BEFORE: ClassVar[int] = 20
    CONTEXT_AFTER: ClassVar[int] = 6
    #: A cheap regex that matches wherever any of ``PATTERNS`` could (None: the patterns themselves).
    #: The scanner
    #: runs the union of the triggers over millions of distinct values before calling Presidio.
    TRIGGER: ClassVar[str | None] = None
    CONTEXT_BOOST: ClassVar[float] = 0.35
    MIN_SCORE_WITH_CONTEXT: ClassVar[float] = 0.85

    def __init__(self, patterns: tuple[tuple[str, str, float], ...] | None = None, entity: str | None = None,
                 name: str | None = None) -> None:
        pats = patterns if patterns is not None else self.PATTERNS
        super().__init__(
            supported_entity=entity or self.ENTITY,
            name=name or type(self).__name__,
            supported_language="ja",
            patterns=[Pattern(n, r, s) for n, r, s in pats],
            context=list(self.CONTEXT),
            global_regex_flags=FLAGS,
        )
        self.patterns: list[Pattern]
        self.name: str
        self._compiled = [(p, regex.compile(p.regex, FLAGS)) for p in self.patterns]
        self._context_lower = tuple(w.lower() for w in self.CONTEXT)
        self._given: dict[tuple[str, ...], str] = {}

    def raw_regexes(self) -> list[str]:
        """The trigger, or the patterns without their ``pii`` group name: for the scanner's pre-filter."""
        if self.TRIGGER is not None:
            return [self.TRIGGER]
        return [p.regex.replace("(?P<pii>", "(?:") for p in self.patterns]

    def context_word(self, text: str, start: int, end: int) -> str:
        """The first context word within the window around ``text[start:end]``, or ``""``."""
        if not self._context_lower:
            return ""
        window = text[max(0, start - self.CONTEXT_BEFORE): end + self.CONTEXT_AFTER].lower()
        for word in self._context_lower:
            if word in window:
                return word
        return ""

    def analyze(
        self,
        text: str,
        entities: list[str],
        nlp_artifacts: NlpArtifacts | None = None,
        regex_flags: int | None = None,
    ) -> list[RecognizerResult]:
        return self.analyze_normalised(normalise(text))

    def analyze_normalised(self, norm: NormalisedText, only: Sequence[int] | None = None
                           ) -> list[RecognizerResult]:
        """:meth:`analyze` on text already normalised (the scanner normalises each value once for all
        recognizers); ``only``: the indices of the patterns to run (the scanner's pre-filter knows which
        cannot match, or cannot reach the threshold: :mod:`pipeline.detection.prefilter`)."""
        results: list[RecognizerResult] = []
        compiled_patterns = self._compiled if only is None else [self._compiled[k] for k in only]
        for pattern, compiled in compiled_patterns:
            for match in compiled.finditer(norm.text):
                start, end = match.span("pii") if "pii" in compiled.groupindex else match.span()
                if start < 0 or end <= start:
                    continue
                found = norm.text[start:end]
                if self.validate_result(found) is False or self.invalidate_result(found):
                    continue
                score = pattern.score
                word = self.context_word(norm.text, start, end)
                if word:
                    score = min(1.0, max(score + self.CONTEXT_BOOST, self.MIN_SCORE_WITH_CONTEXT))
                explanation = self.build_regex_explanation(
                    self.name, pattern.name, pattern.regex, pattern.score, True, FLAGS
                )
                if word:
                    explanation.set_supportive_context_word(word)
                    explanation.set_improved_score(score)
                o_start, o_end = norm.original_span(start, end)
                results.append(
                    RecognizerResult(
                        entity_type=self.supported_entities[0],
                        start=o_start,
                        end=o_end,
                        score=score,
                        analysis_explanation=explanation,
                        recognition_metadata={
                            RecognizerResult.RECOGNIZER_NAME_KEY: self.name,
                            RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id,
                            # Context was handled here, in characters; Presidio's token-based enhancer would
                            # otherwise boost again on GiNZA lemmas.
                            RecognizerResult.IS_SCORE_ENHANCED_BY_CONTEXT_KEY: True,
                        },
                    )
                )
        if not results or (len(results) == 1 and results[0].score > 0):
            return results  # what remove_duplicates would return, without its set, sort and groupby
        return EntityRecognizer.remove_duplicates(results)

    def enhance_using_context(
        self,
        text: str,
        raw_recognizer_results: list[RecognizerResult],
        other_raw_recognizer_results: list[RecognizerResult],
        nlp_artifacts: NlpArtifacts | None,
        context: list[str] | None = None,
    ) -> list[RecognizerResult]:
        """Boost findings not yet boosted when the caller's context (a column name: 電話, 郵便番号) has
        a word."""
        if not context or not self._context_lower:
            return raw_recognizer_results
        return self.boost(raw_recognizer_results, self.given_context_word(tuple(context)))

    def given_context_word(self, context: tuple[str, ...]) -> str:
        """The first of this recognizer's context words in the caller's context (a column name), or ``""``;
        remembered per context (a scan asks once per distinct value of the column)."""
        word = self._given.get(context)
        if word is None:
            given = " ".join(context).lower()
            word = self._given[context] = next((w for w in self._context_lower if w in given), "")
        return word

    def boost(self, raw_recognizer_results: list[RecognizerResult], word: str) -> list[RecognizerResult]:
        """:meth:`enhance_using_context` once the caller's context word is known."""
        if not word:
            return raw_recognizer_results
        for r in raw_recognizer_results:
            if r.analysis_explanation is not None and not r.analysis_explanation.supportive_context_word:
                r.score = min(1.0, max(r.score + self.CONTEXT_BOOST, self.MIN_SCORE_WITH_CONTEXT))
                r.analysis_explanation.set_supportive_context_word(word)
                r.analysis_explanation.set_improved_score(r.score)
        return raw_recognizer_results


_NON_DIGITS = regex.compile(r"[^0-9]+")


def digits(text: str) -> str:
    """The ASCII digits of an NFKC match, separators and brackets dropped."""
    return _NON_DIGITS.sub("", text)


def valid_my_number(number: str) -> bool:
    """``stdnum.jp.in_.is_valid`` for a string of ASCII digits (what :func:`digits` returns): 12 digits whose
    last is the check digit. Why not stdnum's: its cleaning and exceptions cost ~10 µs a call, and a scan
    checks every My Number of an extract (tests/detection/test_prefilter.py compares both)."""
    return len(number) == 12 and in_.calc_check_digit(number[:11]) == number[11]
