"""健康保険証 記号・番号 and 保険者番号 (health-insurance card symbol, number, insurer number): by context.

Why context is part of the pattern: the symbol and number are short digit runs (1-8 digits) that mean nothing
without the words 記号 / 番号 / 保険者番号 next to them; they are 個人識別符号 (APPI.md §1 row 2) once
they do.
``番号`` alone counts only near insurance words and not as part of 電話番号, 郵便番号, 口座番号 …
"""

from __future__ import annotations

from pipeline.detection.recognizers.base import JapanesePatternRecognizer

_LEAD = r"[ ]?(?:[:：]|は)?[ ]?"


class HealthInsuranceRecognizer(JapanesePatternRecognizer):
    ENTITY = "JP_HEALTH_INSURANCE"
    TRIGGER = r"記号|番号"
    PATTERNS = (
        ("insurer_number", rf"保険者番号{_LEAD}(?P<pii>[0-9]{{6}}(?:[0-9]{{2}})?)(?![0-9])", 0.85),
        (
            "card_symbol",
            rf"記号{_LEAD}(?P<pii>[0-9A-Za-z]{{1,8}}(?:[\-・][0-9A-Za-z]{{1,8}})?)(?![0-9A-Za-z])",
            0.4,
        ),
        (
            "card_number",
            rf"(?<![話帯人便座録券者ト])番号{_LEAD}(?P<pii>[0-9]{{1,8}})(?![0-9A-Za-z])(?![\-‐‑‒–—―−ー][0-9])",
            0.3,
        ),
    )
    CONTEXT = ("保険証", "被保険者", "健康保険", "保険者", "記号", "国保", "社保", "資格確認")
    CONTEXT_BEFORE = 25
