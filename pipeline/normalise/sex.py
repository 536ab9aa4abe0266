"""Sex codes to two labels, 男 / 女. Accepts 男/男性/M/male/1 and 女/女性/F/female/2 (ISO/IEC 5218's 1 and 2);
0 / 9 / 不明 (ISO 5218 not known / not applicable) become null; anything else is invalid."""

from __future__ import annotations

_MALE = {"男", "男性", "m", "male", "1", "♂"}
_FEMALE = {"女", "女性", "f", "female", "2", "♀"}
_UNKNOWN = {"0", "9", "不明", "unknown", "-"}


def parse_sex(text: str) -> str | None:
    t = text.strip().lower()
    if t in _MALE:
        return "男"
    if t in _FEMALE:
        return "女"
    if t in _UNKNOWN:
        return None
    raise ValueError("unknown sex code")
