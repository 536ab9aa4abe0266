"""個人番号 (My Number): 12 digits whose last is a check digit, in any width, plain, spaced or hyphenated.

Why a checksum and no context requirement: APPI.md §1 row 2 demands zero valid-check-digit 12-digit sequences
anywhere in a release, labelled or not. The check digit (``stdnum.jp.in_``) removes 9 in 10 random numbers.
"""

from __future__ import annotations

from pipeline.detection.recognizers.base import (
    LEFT,
    NSEP,
    NUMBER_TRIGGER,
    RIGHT,
    JapanesePatternRecognizer,
    digits,
    valid_my_number,
)


class MyNumberRecognizer(JapanesePatternRecognizer):
    ENTITY = "JP_MY_NUMBER"
    TRIGGER = NUMBER_TRIGGER
    PATTERNS = (
        ("my_number", rf"{LEFT}[0-9]{{4}}{NSEP}?[0-9]{{4}}{NSEP}?[0-9]{{4}}{RIGHT}", 0.9),
    )
    CONTEXT = ("個人番号", "マイナンバー", "mynumber", "my number", "番号カード")

    def validate_result(self, pattern_text: str) -> bool:
        return bool(valid_my_number(digits(pattern_text)))
