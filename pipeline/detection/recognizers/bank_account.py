"""預金口座番号 (bank account number): 7 digits (sometimes 6-8) near 口座 / 普通 / 当座.

Why context: a 7-digit run without a banking word is an amount or a code, never reported alone.
"""

from __future__ import annotations

from pipeline.detection.recognizers.base import LEFT, NUMBER_TRIGGER, RIGHT, JapanesePatternRecognizer


class BankAccountRecognizer(JapanesePatternRecognizer):
    ENTITY = "JP_BANK_ACCOUNT"
    TRIGGER = NUMBER_TRIGGER
    PATTERNS = (("bank_account", rf"{LEFT}[0-9]{{6,8}}{RIGHT}", 0.2),)
    CONTEXT = ("口座", "普通預金", "当座", "普通", "預金", "振込", "振替", "支店")
    CONTEXT_BEFORE = 15
    CONTEXT_AFTER = 2
