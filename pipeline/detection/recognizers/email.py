"""E-mail addresses, bounded by ASCII so that a match never swallows the surrounding kana or kanji.

Why not Presidio's EmailRecognizer: its ``\\b``/``\\w`` make ``taro@example.comまでご連絡`` one "address".
Full-width ``＠`` and letters are handled by NFKC before matching.
"""

from __future__ import annotations

from pipeline.detection.recognizers.base import JapanesePatternRecognizer

_LOCAL = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~\-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~\-]+)*"
_DOMAIN = r"(?:[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}"


class EmailRecognizer(JapanesePatternRecognizer):
    ENTITY = "EMAIL_ADDRESS"
    TRIGGER = r"@"
    PATTERNS = (
        ("email", rf"(?<![A-Za-z0-9.!#$%&'*+/=?^_`{{|}}~\-]){_LOCAL}@{_DOMAIN}(?![A-Za-z0-9\-])", 0.9),
    )
    CONTEXT = ("メール", "mail", "アドレス")
