"""運転免許証番号 (driver's licence number): 12 digits, reported only near 免許.

Why context: twelve digits alone are more often a My Number candidate (checked separately) or an
internal code.
"""

from __future__ import annotations

from pipeline.detection.recognizers.base import LEFT, NSEP, NUMBER_TRIGGER, RIGHT, JapanesePatternRecognizer


class DriverLicenseRecognizer(JapanesePatternRecognizer):
    ENTITY = "JP_DRIVER_LICENSE"
    TRIGGER = NUMBER_TRIGGER
    PATTERNS = (
        (
            "driver_license",
            rf"{LEFT}(?:第[ ]?)?(?P<pii>[0-9]{{4}}{NSEP}?[0-9]{{4}}{NSEP}?[0-9]{{4}}){RIGHT}",
            0.2,
        ),
    )
    CONTEXT = ("免許", "運転", "ライセンス")
