"""A 12-digit number after 個人番号 / マイナンバー whose check digit fails: a mistyped My Number.

Why: a typo in one digit of a My Number is still that person's My Number to anyone who reads it (the other
eleven digits are right); :mod:`.my_number` drops it for its check digit. The label is part of the pattern,
so a random 12-digit code elsewhere stays unreported. Own entity name and a lower score than a valid number;
whether the gate blocks on it follows ``detection.score_threshold``.
"""

from __future__ import annotations

from pipeline.detection.recognizers.base import (
    LEFT,
    NSEP,
    RIGHT,
    JapanesePatternRecognizer,
    digits,
    valid_my_number,
)

_WORD = r"(?:個人番号|マイナンバー)(?:カード)?"
_GAP = r"[^0-9\n。]{0,8}?"


class MyNumberInvalidRecognizer(JapanesePatternRecognizer):
    ENTITY = "JP_MY_NUMBER_INVALID"
    TRIGGER = _WORD
    PATTERNS = (
        (
            "my_number_invalid",
            rf"{_WORD}{_GAP}(?P<pii>{LEFT}[0-9]{{4}}{NSEP}?[0-9]{{4}}{NSEP}?[0-9]{{4}}{RIGHT})",
            0.6,
        ),
    )

    def validate_result(self, pattern_text: str) -> bool:
        return not valid_my_number(digits(pattern_text))
