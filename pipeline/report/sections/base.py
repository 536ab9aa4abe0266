"""The contract of a report section: one small class per file, registered by name in ``SECTIONS``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from pipeline.release.candidate import TableResult
from pipeline.report.content import Part


@dataclass(frozen=True)
class Block:
    """A rendered section: bilingual title and lead, and what it shows (laid out by ``report.html.j2``)."""

    key: str
    title_ja: str
    title_en: str
    lead_ja: str
    lead_en: str
    parts: tuple[Part, ...]


class Section:
    """Renders one aspect of one released table, or ``None`` when it has nothing to show."""

    name: ClassVar[str]
    title_ja: ClassVar[str]
    title_en: ClassVar[str]
    lead_ja: ClassVar[str]
    lead_en: ClassVar[str]

    def body(self, table: TableResult) -> list[Part] | None:
        raise NotImplementedError

    def render(self, table: TableResult) -> Block | None:
        body = self.body(table)
        if body is None:
            return None
        return Block(self.name, self.title_ja, self.title_en, self.lead_ja, self.lead_en, tuple(body))
