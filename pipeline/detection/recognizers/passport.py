"""旅券番号 (passport number): two capital letters and seven digits, reported only near 旅券/パスポート.

Why context: ``AB1234567`` is also a product or policy code; without a passport word it stays under the gate.
"""

from __future__ import annotations

from pipeline.detection.recognizers.base import RIGHT, JapanesePatternRecognizer


class PassportRecognizer(JapanesePatternRecognizer):
    ENTITY = "JP_PASSPORT"
    TRIGGER = r"[A-Z]{2}[0-9]{7}"
    PATTERNS = (("passport", rf"(?<![0-9A-Za-z])[A-Z]{{2}}[0-9]{{7}}{RIGHT}", 0.3),)
    CONTEXT = ("旅券", "パスポート", "passport")
