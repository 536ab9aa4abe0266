"""NFKC normalisation that remembers where every normalised character came from.

Why: Japanese extracts spell the same number in full-width (０９０－１２３４), half-width katakana or ASCII.
Patterns are written once, against NFKC text, but a finding must point into the ORIGINAL string (the scrubber
replaces that span; ``scan --json`` reports it). NFKC can change the length (``㈱`` → ``(株)``, ``ｶﾞ`` →
``ガ``),
so a per-character offset map is built. Combining marks (dakuten, voiced-sound marks) are normalised together
with their base character so that composition still happens.
"""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass

import regex


@dataclass(frozen=True)
class NormalisedText:
    """``text`` is NFKC of ``original``; ``starts[i]``/``ends[i]`` the original span of ``text[i]``."""

    original: str
    text: str
    starts: tuple[int, ...] | None = None
    ends: tuple[int, ...] | None = None

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Map a half-open span of ``text`` to the smallest original span covering it."""
        if self.starts is None or self.ends is None:
            return start, end
        if end <= start:
            pos = self.starts[start] if start < len(self.starts) else len(self.original)
            return pos, pos
        return self.starts[start], self.ends[end - 1]


#: One piece normalised on its own: a character and the joiners after it, the characters that NFKC composes
#: with the preceding one (combining marks and the (half-width) (semi-)voiced marks). ``\P{ccc=0}`` is
#: ``unicodedata.combining(ch) != 0`` (the regex module's Unicode tables may be newer than Python's: it then
#: also counts code points unassigned in Python's, whose NFKC is themselves either way; tested).
_CLUSTER = regex.compile(r"(?s).[\uff9e\uff9f\u3099\u309a\P{ccc=0}]*")
_nfkc = functools.partial(unicodedata.normalize, "NFKC")


def nfkc_text(text: str) -> str:
    """``normalise(text).text`` without the offset map: what the pattern recognizers match on.

    Why: the scanner's vectorised pre-filter must see exactly the recognizers' text (piecewise NFKC, not
    whole-string NFKC, which can differ where a piece composes with the next), once per distinct value.
    """
    if unicodedata.is_normalized("NFKC", text):
        return text
    return "".join(map(_nfkc, _CLUSTER.findall(text)))


def normalise(text: str) -> NormalisedText:
    """NFKC with an offset map; the identity (no map) when the text is already NFKC, which is the usual
    case."""
    if unicodedata.is_normalized("NFKC", text):
        return NormalisedText(text, text)
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    i = 0
    for cluster in _CLUSTER.findall(text):
        j = i + len(cluster)
        piece = _nfkc(cluster)
        out.append(piece)
        starts.extend([i] * len(piece))
        ends.extend([j] * len(piece))
        i = j
    return NormalisedText(text, "".join(out), tuple(starts), tuple(ends))
