"""郵便番号 (postal code): ``〒123-4567``, ``123-4567``, ``1234567`` (the last only with a context word).

Why the 3-digit form is never matched: the released postal area (``123``) is a generalisation level of its
own. A bare 7-digit run is an amount or a code as often as a postal code, so it needs 〒/郵便/住所 nearby.
"""

from __future__ import annotations

from pipeline.detection.recognizers.base import LEFT, NUMBER_TRIGGER, RIGHT, SEP, JapanesePatternRecognizer

_SP = r"[ ]?"


class PostalCodeRecognizer(JapanesePatternRecognizer):
    ENTITY = "JP_POSTAL_CODE"
    TRIGGER = r"〒|" + NUMBER_TRIGGER
    PATTERNS = (
        ("postal_mark", rf"〒{_SP}(?P<pii>[0-9]{{3}}{SEP}?[0-9]{{4}}){RIGHT}", 0.95),
        ("postal_hyphen", rf"{LEFT}[0-9]{{3}}{SEP}[0-9]{{4}}{RIGHT}", 0.6),
        ("postal_bare", rf"{LEFT}[0-9]{{7}}{RIGHT}", 0.3),
    )
    CONTEXT = ("〒", "郵便", "住所", "zip", "ゆうびん")
