"""法人番号 (corporate number): 13 digits with a leading check digit, also as an invoice number ``T`` + 13.

Why: a corporate number names a sole proprietor's business as surely as a person; the check digit
(``stdnum.jp.cn``) keeps random 13-digit runs out.
"""

from __future__ import annotations

from stdnum.jp import cn

from pipeline.detection.recognizers.base import NSEP, NUMBER_TRIGGER, RIGHT, JapanesePatternRecognizer, digits


class CorporateNumberRecognizer(JapanesePatternRecognizer):
    ENTITY = "JP_CORPORATE_NUMBER"
    TRIGGER = NUMBER_TRIGGER + r"|T[0-9]"
    PATTERNS = (
        (
            "corporate_number",
            rf"(?:(?<=T)|(?<![0-9A-Za-z]))(?<![0-9]{NSEP})[0-9]{NSEP}?[0-9]{{4}}{NSEP}?[0-9]{{4}}{NSEP}?[0-9]{{4}}{RIGHT}",
            0.6,
        ),
    )
    CONTEXT = ("法人番号", "登録番号", "インボイス", "会社", "法人")

    def validate_result(self, pattern_text: str) -> bool:
        return bool(cn.is_valid(digits(pattern_text)))
