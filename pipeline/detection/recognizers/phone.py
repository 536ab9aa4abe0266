"""Japanese telephone numbers: fixed lines, mobile (070/080/090), IP (050), free dial (0120/0800), navi dial.

Why one loose shape plus a validating hook: Japanese numbers are written ``03-1234-5678``, ``03(1234)5678``,
``(03)1234-5678``, ``090 1234 5678``, ``０９０－１２３４－５６７８`` or run together. The regex accepts any
grouping of a leading 0 and digit blocks; ``validate_result`` then checks the digit count against the prefix
(10 digits for fixed lines and 0120, 11 for 0X0 mobiles/IP and 0800). Separated spellings score above the gate
threshold; a bare 10-digit run needs a context word (電話, TEL, 携帯 …), an 11-digit mobile does not.
"""

from __future__ import annotations

from pipeline.detection.recognizers.base import (
    LEFT,
    NUMBER_TRIGGER,
    RIGHT,
    SEP,
    JapanesePatternRecognizer,
    digits,
)

_S = rf"(?:{SEP}| )"
_GROUPS3 = rf"{LEFT}0[0-9]{{1,4}}{_S}[0-9]{{1,4}}{_S}[0-9]{{3,4}}{RIGHT}"
_GROUPS2 = rf"{LEFT}0[0-9]{{1,4}}{_S}[0-9]{{6,8}}{RIGHT}"
_AREA_BRACKET = rf"{LEFT}\(0[0-9]{{1,4}}\){_S}?[0-9]{{1,4}}{_S}?[0-9]{{3,4}}{RIGHT}"
_LOCAL_BRACKET = rf"{LEFT}0[0-9]{{1,4}}{_S}?\([0-9]{{1,4}}\){_S}?[0-9]{{3,4}}{RIGHT}"
_MOBILE_BARE = rf"{LEFT}0[5789]0[0-9]{{8}}{RIGHT}"
_FREE_BARE = rf"{LEFT}0120[0-9]{{6}}{RIGHT}"
_FIXED_BARE = rf"{LEFT}0[1-9][0-9]{{8}}{RIGHT}"


class PhoneRecognizer(JapanesePatternRecognizer):
    ENTITY = "PHONE_NUMBER"
    TRIGGER = NUMBER_TRIGGER
    PATTERNS = (
        ("phone_groups", _GROUPS3, 0.75),
        ("phone_two_groups", _GROUPS2, 0.6),
        ("phone_area_bracket", _AREA_BRACKET, 0.75),
        ("phone_local_bracket", _LOCAL_BRACKET, 0.75),
        ("phone_mobile_bare", _MOBILE_BARE, 0.6),
        ("phone_free_dial_bare", _FREE_BARE, 0.6),
        ("phone_fixed_bare", _FIXED_BARE, 0.4),
    )
    CONTEXT = ("電話", "tel", "携帯", "連絡先", "fax", "ファックス", "ファクス", "架電", "折り返し", "自宅")

    def validate_result(self, pattern_text: str) -> bool:
        if pattern_text.count("(") != pattern_text.count(")"):
            return False
        d = digits(pattern_text)
        if len(d) == 11:
            return d[:3] in ("050", "070", "080", "090") or d.startswith("0800")
        if len(d) == 10:
            return d[1] != "0" and d[:3] not in ("050", "070", "080", "090") and not d.startswith("0800")
        return False
