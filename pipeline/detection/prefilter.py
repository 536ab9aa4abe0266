"""Vectorised pre-filter: which distinct values could each pattern recognizer report at all.

Why: a 200,000-row extract holds ~1.6 million distinct values; sending each through every recognizer whose
cheap trigger matches (a digit run triggers six of them) was most of ``anonymize scan``'s time. Here every
recognizer pattern is turned into a NECESSARY condition that RE2 (pyarrow ``match_substring_regex``) runs
over the whole distinct array of a column at once, on the same NFKC text the recognizer matches
(:func:`~pipeline.detection.normalize.nfkc_text`, one normalisation per value):

- the pattern with its lookarounds removed (``(?<![0-9])``, ``(?![分域])``: zero-width assertions; without
  them a regex matches wherever it matched before, and more), except a positive lookbehind that opens it
  or a positive lookahead that closes it (``(?=[ ]?様)``), which becomes a plain group (what it matched
  touches the match, so the text holds both in a row); its ``pii`` group made plain. ``\\d``, ``\\s`` and
  ``\\w`` (and their complements) are Unicode in Python and ASCII in RE2: they become RE2 classes of the very
  code points Python ``regex`` matches them with, read off its own tables once per process
  (:func:`_unicode_class`: exact whatever Unicode version either library carries); ``\\b`` and ``\\B``,
  zero-width, are dropped like the lookarounds. A pattern that does not translate into RE2 with the same
  meaning (backreferences, inline flags, ``\\p{…}`` whose tables may differ, possessive or atomic groups) is
  run with Python ``regex`` on each value instead: slower, never less exact (a config pattern such as
  ``KZ\\d{8}`` was, and made the scan read every released linking code as a Python string);
- a pattern whose score is below the threshold reports only with a context word (which lifts it to 0.85):
  in the column name (the caller's context, known per column) or anywhere in the value (a superset of the
  recognizer's window); without either it cannot reach the threshold and does not make the value a
  candidate;
- and the recognizer's own cheap ``TRIGGER`` where it has one (a necessary condition of all its patterns,
  which the scanner used alone before: the number trigger keeps a hex surrogate key such as
  ``0123456789abcdef`` away, whose digits the patterns without their lookarounds would match).

A value that no recognizer can report skips Presidio; the others go to exactly the recognizers that can.
Exact by construction: every finding the recognizers would make on the full array, they make on the
candidates (tests/detection/test_prefilter.py checks it against the unfiltered recognizers).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import overload

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import regex

from pipeline.config.model import DetectionSpec
from pipeline.detection.engine import pattern_recognizers
from pipeline.detection.normalize import nfkc_text
from pipeline.detection.recognizers.base import FLAGS, JapanesePatternRecognizer

__all__ = ["candidates", "nfkc_text", "re2_superset", "recognizer_filters"]

#: Escaped characters with the same meaning in Python ``regex`` and RE2 (punctuation, control escapes).
_SAME_ESCAPES = frozenset("\\.-()[]{}*+?|^$/:#&~!@=<>,'\"%_;` ntrfv")
_LOOK = ("(?=", "(?!", "(?<=", "(?<!")


def _class_end(p: str, i: int) -> int:
    """Index after the character class starting at ``p[i] == '['``; -1 if it is not translatable."""
    j = i + 1
    if j < len(p) and p[j] == "^":
        j += 1
    if j < len(p) and p[j] == "]":
        j += 1
    while j < len(p):
        ch = p[j]
        if ch == "\\":
            j += 2
            continue
        if ch == "[":  # a POSIX class or a nested set: not translated
            return -1
        if ch == "]":
            return j + 1
        j += 1
    return -1


@functools.cache
def _unicode_class(letter: str) -> str:
    """The code points Python ``regex`` matches ``\\<letter>`` with (``d``, ``s``, ``w``; no flag but DOTALL
    and MULTILINE, as the recognizers), as the ranges of an RE2 class body (no brackets). Why from ``regex``
    itself: RE2's ``\\p{Nd}`` and Python's ``\\d`` follow the Unicode tables their builds carry; a code
    point one of them knows and the other not would let a value the pattern matches past the filter."""
    every = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF)
    points = sorted({ord(ch) for ch in regex.findall(f"\\{letter}", every, FLAGS)})
    ranges, start, prev = [], points[0], points[0]
    for c in [*points[1:], -1]:
        if c != prev + 1:
            ranges.append(f"\\x{{{start:x}}}" if start == prev else f"\\x{{{start:x}}}-\\x{{{prev:x}}}")
            start = c
        prev = c
    return "".join(ranges)


def _escape(p: str, i: int, in_class: bool = False) -> tuple[str, int] | None:
    """RE2 spelling of the escape at ``p[i] == '\\\\'`` and the index after it (``in_class``: inside a
    character class), or None."""
    if i + 1 >= len(p):
        return None
    ch = p[i + 1]
    if ch in "dsw":
        body = _unicode_class(ch)
        return (body if in_class else f"[{body}]"), i + 2
    if ch in "DSW" and not in_class:
        return f"[^{_unicode_class(ch.lower())}]", i + 2
    if ch in "bB" and not in_class:
        return "", i + 2  # zero-width: dropped, as a lookaround (a superset)
    if ch in _SAME_ESCAPES:
        return p[i:i + 2], i + 2
    if ch == "x" and regex.fullmatch(r"[0-9A-Fa-f]{2}", p[i + 2:i + 4]):
        return p[i:i + 4], i + 4
    if ch == "u" and regex.fullmatch(r"[0-9A-Fa-f]{4}", p[i + 2:i + 6]):
        return f"\\x{{{p[i + 2:i + 6]}}}", i + 6
    if ch == "U" and regex.fullmatch(r"[0-9A-Fa-f]{8}", p[i + 2:i + 10]):
        return f"\\x{{{p[i + 2:i + 10]}}}", i + 10
    return None


def re2_superset(pattern: str) -> str | None:
    """``pattern`` (Python ``regex``) without its lookarounds, in RE2 syntax, or None when not translatable.

    Every string in which ``pattern`` finds a match, the result finds one in too (see the module docstring).
    """
    out: list[str] = []
    # (0 group, 1 lookaround, 2 opening lookbehind, 3 top-level lookahead; len(out) at its opening)
    stack: list[tuple[int, int]] = []
    i, n = 0, len(pattern)
    after_look = False
    while i < n:
        ch = pattern[i]
        if after_look and ch in "*+?{":
            return None  # a quantified lookaround: not worth translating
        after_look = False
        if ch == "\\":
            esc = _escape(pattern, i)
            if esc is None:
                return None
            out.append(esc[0])
            i = esc[1]
        elif ch == "[":
            end = _class_end(pattern, i)
            if end < 0:
                return None
            body = pattern[i:end]
            k, parts = 0, []
            while k < len(body):
                if body[k] == "\\":
                    esc = _escape(body, k, in_class=True)
                    if esc is None:
                        return None
                    parts.append(esc[0])
                    k = esc[1]
                else:
                    parts.append(body[k])
                    k += 1
            out.append("".join(parts))
            i = end
        elif ch == "(":
            if pattern.startswith(_LOOK, i):
                # A positive lookbehind opening the pattern, a positive lookahead closing it: what it
                # matches touches the match, so it can be required (kept as a group, e.g. the honorific
                # after a name); any other lookaround goes.
                kind = (2 if i == 0 and pattern.startswith("(?<=", i)
                        else 3 if not stack and pattern.startswith("(?=", i) else 1)
                stack.append((kind, len(out)))
                i += 3 if pattern[i + 2] in "=!" else 4
                continue
            if pattern.startswith("(?:", i):
                i += 3
            elif pattern.startswith(("(?P<", "(?<"), i):
                close = pattern.find(">", i)
                if close < 0 or not regex.fullmatch(r"\w+", pattern[pattern.index("<", i) + 1:close]):
                    return None
                i = close + 1
            elif pattern.startswith("(?", i):
                return None  # inline flags, atomic groups, conditionals, comments, branch reset
            else:
                i += 1
            stack.append((0, len(out)))
            out.append("(?:")
        elif ch == ")":
            if not stack:
                return None
            look, at = stack.pop()
            if look == 2 or (look == 3 and i == n - 1):
                out.insert(at, "(?:")
                out.append(")")
            elif look:
                del out[at:]
                after_look = True
            else:
                out.append(")")
            i += 1
        else:
            out.append(ch)
            i += 1
    if stack:
        return None
    translated = "(?sm)" + "".join(out)
    try:
        pc.match_substring_regex(pa.array([""]), translated)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None  # RE2 refuses it (a repetition over 1,000, a possessive quantifier, …)
    return translated


@dataclass(frozen=True)
class _Pattern:
    """One recognizer pattern as a filter: its RE2 superset (None: untranslatable) and the pattern itself."""

    re2: str | None
    python: regex.Pattern[str]
    score: float


@dataclass(frozen=True)
class RecognizerFilter:
    recognizer: JapanesePatternRecognizer
    patterns: tuple[_Pattern, ...]
    #: The recognizer's own trigger (``TRIGGER``), a necessary condition of all its patterns, or None.
    trigger: _Pattern | None = None


def _as_filter(pattern: str, score: float) -> _Pattern:
    return _Pattern(re2_superset(pattern), regex.compile(pattern.replace("(?P<pii>", "(?:"), FLAGS), score)


@functools.lru_cache(maxsize=8)
def recognizer_filters(detection: DetectionSpec) -> tuple[RecognizerFilter, ...]:
    """Every pattern recognizer with its patterns as filters."""
    return tuple(
        RecognizerFilter(rec, tuple(_as_filter(p.regex, p.score) for p in rec.patterns),
                         None if rec.TRIGGER is None else _as_filter(rec.TRIGGER, 1.0))
        for rec in pattern_recognizers(detection)
    )


class ArrowTexts(Sequence[str]):
    """Distinct values held as one Arrow string array: a value becomes a Python string only when read.

    Why: the released linking codes are millions of distinct random letters (10M policyholders: 22M codes
    over two tables), held as Arrow strings by the streamed run; the pre-filter reads them as Arrow, and
    only the few it passes (their candidates) and the findings are read as Python strings. Indexing reads one
    value; iterating (a pattern without an RE2 form) reads them all.
    """

    def __init__(self, arrow: pa.Array) -> None:
        self.arrow = arrow

    def __len__(self) -> int:
        return len(self.arrow)

    @overload
    def __getitem__(self, i: int) -> str: ...

    @overload
    def __getitem__(self, i: slice) -> list[str]: ...

    def __getitem__(self, i: int | slice) -> str | list[str]:
        if isinstance(i, slice):
            return self.arrow[i].to_pylist()
        return self.arrow[i].as_py()

    def __iter__(self) -> Iterator[str]:
        return iter(self.arrow.to_pylist())


def nfkc_arrow(arr: pa.Array) -> pa.Array:
    """:func:`~pipeline.detection.normalize.nfkc_text` of every value of a non-null Arrow string array:
    ASCII text is its own NFKC, so only the other values are normalised, in Python."""
    ascii_ = np.asarray(pc.string_is_ascii(arr).to_numpy(zero_copy_only=False), dtype=bool)
    if ascii_.all():
        return arr
    rest = np.flatnonzero(~ascii_)
    fixed = pa.array([nfkc_text(t) for t in arr.take(pa.array(rest)).to_pylist()], type=arr.type)
    return pc.replace_with_mask(arr, pa.array(~ascii_), fixed)


def _re2_mask(arr: pa.Array, pattern: str) -> np.ndarray:
    return np.asarray(pc.match_substring_regex(arr, pattern).to_numpy(zero_copy_only=False), dtype=bool)


def _mask(arr: pa.Array | None, texts: Sequence[str], pattern: _Pattern) -> np.ndarray:
    if arr is not None and pattern.re2 is not None:
        return _re2_mask(arr, pattern.re2)
    search = pattern.python.search
    return np.fromiter((search(t) is not None for t in texts), dtype=bool, count=len(texts))


def _re2_literal(word: str) -> str:
    return "".join(ch if ch.isalnum() else f"\\x{{{ord(ch):x}}}" for ch in word)


def _has_word(arr: pa.Array | None, texts: Sequence[str], words: tuple[str, ...], where: np.ndarray,
              lowered: dict[int, str], cache: dict[tuple[str, ...], np.ndarray]) -> np.ndarray:
    """Mask of the values (among ``where``) whose lower case holds one of ``words``, as the recognizer's
    ``context_word`` tests (``word in text.lower()``).

    Why in two parts: the values that reach this are mostly numbers, ASCII after NFKC; for ASCII text,
    ``str.lower`` is ASCII case folding, which RE2's ``(?i)`` does exactly, over the whole array at once
    (a word with a non-ASCII character cannot occur in ASCII text). Other values: Python, as the recognizer.
    """
    out = np.zeros(len(texts), dtype=bool)
    if not len(where):
        return out
    rest = where
    if arr is not None:
        if () not in cache:
            cache[()] = np.asarray(pc.string_is_ascii(arr).to_numpy(zero_copy_only=False), dtype=bool)
        is_ascii = cache[()]
        if words not in cache:
            plain = [_re2_literal(w) for w in words if w.isascii()]
            cache[words] = np.zeros(len(texts), dtype=bool) if not plain else np.asarray(
                pc.match_substring_regex(arr, "(?i)" + "|".join(plain)).to_numpy(zero_copy_only=False),
                dtype=bool)
        out[where] = cache[words][where] & is_ascii[where]
        rest = where[~is_ascii[where]]
    for i in rest.tolist():
        low = lowered.get(i)
        if low is None:
            low = lowered[i] = texts[i].lower()
        out[i] = any(w in low for w in words)
    return out


#: Per recognizer: the indices of its candidate values and, for each, the indices of its patterns to run.
Candidates = list[tuple[JapanesePatternRecognizer, np.ndarray, list[tuple[int, ...]]]]


def candidates(texts: Sequence[str], detection: DetectionSpec, context: Sequence[str] = ()
               ) -> tuple[Candidates, np.ndarray]:
    """Per pattern recognizer, the indices into ``texts`` (NFKC, :func:`nfkc_text`) of the values it may
    report at or above ``detection.score_threshold`` with ``context`` (the column name; ``()``: none), and
    per such value the patterns that may (recognizers with no candidate left out); and the mask of the
    values some recognizer may report with SOME context (the others fail the pre-filter whatever the
    column).

    Skipping a pattern that cannot reach the threshold changes no finding at or above it: its findings
    could only remove (Presidio's duplicate removal) findings of lower or equal score.
    """
    threshold = detection.score_threshold
    given = " ".join(context).lower()
    arr: pa.Array | None
    if isinstance(texts, ArrowTexts):
        arr = texts.arrow
    else:
        try:
            arr = pa.array(texts, type=pa.string())
        except (pa.ArrowInvalid, UnicodeEncodeError):  # unpaired surrogates: not UTF-8, Python matches them
            arr = None
    out: Candidates = []
    possible = np.zeros(len(texts), dtype=bool)
    lowered: dict[int, str] = {}
    triggered: dict[str, np.ndarray] = {}
    word_masks: dict[tuple[str, ...], np.ndarray] = {}  # () → which values are ASCII
    for filt in recognizer_filters(detection):
        words = filt.recognizer._context_lower
        ctx_given = any(w in given for w in words)
        masks = np.zeros((len(filt.patterns), len(texts)), dtype=bool)
        trigger = None
        if filt.trigger is not None:
            trigger = triggered.get(filt.trigger.python.pattern)
            if trigger is None:
                trigger = triggered[filt.trigger.python.pattern] = _mask(arr, texts, filt.trigger)
        live = [(k, p, p.score >= threshold or ctx_given) for k, p in enumerate(filt.patterns)]
        live = [(k, p, strong) for k, p, strong in live if strong or words]  # else: never at the threshold
        rows = None
        if arr is not None and len(live) > 1 and all(p.re2 is not None for _, p, _ in live):
            # one pass of the patterns' union over the column, then each pattern on what passed it
            union = "(?sm)" + "|".join(f"(?:{(p.re2 or '')[5:]})" for _, p, _ in live)
            passed = _re2_mask(arr, union) if trigger is None else _re2_mask(arr, union) & trigger
            rows = np.flatnonzero(passed)
            sub = arr.take(pa.array(rows, type=pa.int64()))
        for k, pattern, strong in live:
            if rows is not None:
                mask = np.zeros(len(texts), dtype=bool)
                mask[rows] = _re2_mask(sub, pattern.re2 or "")
            else:
                mask = _mask(arr, texts, pattern)
                if trigger is not None:
                    mask &= trigger
            possible |= mask
            if not strong:  # only with a context word in the value
                mask &= _has_word(arr, texts, words, np.flatnonzero(mask), lowered, word_masks)
            masks[k] = mask
        idx = np.flatnonzero(masks.any(axis=0))
        if len(idx):
            # which patterns, per value, as a bit set: a few distinct sets per column, each built once
            weights = np.int64(1) << np.arange(len(filt.patterns), dtype=np.int64)
            bits = (masks[:, idx].T.astype(np.int64) * weights).sum(axis=1)
            sets = {b: tuple(k for k in range(len(filt.patterns)) if b >> k & 1) for b in set(bits.tolist())}
            out.append((filt.recognizer, idx, [sets[b] for b in bits.tolist()]))
    return out, possible
