"""Malformed phone numbers after a contact word (連絡先, TEL, 電話, 携帯): ``連絡先 62-6872-7483``.

Why: a source system that lost the leading 0, a digit typed twice or dropped, still leaves a number that
reaches the person; the phone recognizer rejects it (wrong length for its prefix, no leading 0), so nobody
would learn that the column carries contact numbers. The contact word is part of the pattern (the digits
alone are as often an amount or a code), the digits must be in phone shape (8 to 12 digits in two to four
groups, or 10 to 11 in a run) and a date (``2024-04-01``) is not one. Own entity name and a lower score than
a valid number; whether the gate blocks on it follows ``detection.score_threshold``. A number that is a
valid phone number is reported by :mod:`.phone` only (``scan.resolve`` drops this twin).
"""

from __future__ import annotations

import regex

from pipeline.detection.recognizers.base import LEFT, RIGHT, SEP, JapanesePatternRecognizer, digits

_WORD = r"(?:連絡先|[Tt][Ee][Ll]|電話|携帯)"
_GAP = r"[^0-9\n。]{0,8}?"
_G = rf"(?:{SEP}| |\(|\)|\)[ ]?)"
_GROUPED = rf"\(?[0-9]{{1,5}}\)?(?:{_G}[0-9]{{1,5}}){{1,3}}"
_RUN = r"[0-9]{10,11}"
_DATE = regex.compile(r"(?:19|20)[0-9]{2}[\-‐‑‒–—―−ー ][0-9]{1,2}[\-‐‑‒–—―−ー ][0-9]{1,2}")


class ContactNumberRecognizer(JapanesePatternRecognizer):
    ENTITY = "JP_CONTACT_NUMBER"
    TRIGGER = _WORD
    PATTERNS = (("contact_number", rf"{_WORD}{_GAP}(?P<pii>{LEFT}(?:{_GROUPED}|{_RUN}){RIGHT})", 0.6),)

    def validate_result(self, pattern_text: str) -> bool:
        return 8 <= len(digits(pattern_text)) <= 12 and _DATE.fullmatch(pattern_text) is None
