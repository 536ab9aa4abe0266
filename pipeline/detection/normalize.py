"""NFKC normalisation that remembers where every normalised character came from.

Why: Japanese extracts spell the same number in full-width (０９０－１２３４), half-width katakana or ASCII.
Patterns are written once, against NFKC text, but a finding must point into the ORIGINAL string (the scrubber
replaces that span; ``scan --json`` reports it). NFKC can change the length (``㈱`` → ``(株)``, ``ｶﾞ`` →
``ガ``),
so a per-character offset map is built. Combining marks (dakuten, voiced-sound marks) are normalised together
with their base character so that composition still happens.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

#: Characters that NFKC composes with the preceding one (combining marks and half-width (semi-)voiced marks).
_JOINERS = frozenset("\uff9e\uff9f\u3099\u309a")


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


def _is_joiner(ch: str) -> bool:
    return ch in _JOINERS or unicodedata.combining(ch) != 0


def normalise(text: str) -> NormalisedText:
    """NFKC with an offset map; the identity (no map) when the text is already NFKC, which is the usual
    case."""
    if unicodedata.is_normalized("NFKC", text):
        return NormalisedText(text, text)
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    i, n = 0, len(text)
    while i < n:
        j = i + 1
        while j < n and _is_joiner(text[j]):
            j += 1
        piece = unicodedata.normalize("NFKC", text[i:j])
        out.append(piece)
        starts.extend([i] * len(piece))
        ends.extend([j] * len(piece))
        i = j
    return NormalisedText(text, "".join(out), tuple(starts), tuple(ends))
