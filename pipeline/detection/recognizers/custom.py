"""The insurer's own number formats (policy, claim, customer numbers), one recognizer per config entry.

Why from config: formats differ per insurer and are set by its compliance team (``detection.patterns`` of the
config: entity, regex, score); code ships none. The regex runs on NFKC text like every other pattern.
"""

from __future__ import annotations

from pipeline.config.model import CustomPattern
from pipeline.detection.recognizers.base import JapanesePatternRecognizer


class CustomPatternRecognizer(JapanesePatternRecognizer):
    """Built from one :class:`~pipeline.config.model.CustomPattern`; no context words, no hook."""

    def __init__(self, spec: CustomPattern) -> None:
        super().__init__(
            patterns=((spec.label or spec.entity, spec.regex, spec.score),),
            entity=spec.entity,
            name=f"CustomPatternRecognizer[{spec.entity}]",
        )
