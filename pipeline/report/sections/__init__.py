"""Report sections, registered by name in the order they appear (an explicit list, STYLE.md §2)."""

from __future__ import annotations

from pipeline.report.sections.attribute_risk import AttributeRiskSection
from pipeline.report.sections.base import Block, Section
from pipeline.report.sections.classes import ClassesSection
from pipeline.report.sections.distributions import DistributionsSection
from pipeline.report.sections.generalisation import GeneralisationSection
from pipeline.report.sections.loss import LossSection
from pipeline.report.sections.records import RecordsSection
from pipeline.report.sections.risk import RiskSection
from pipeline.report.sections.utility import UtilitySection

SECTIONS: dict[str, type[Section]] = {
    "risk": RiskSection,
    "attribute-risk": AttributeRiskSection,
    "records": RecordsSection,
    "generalisation": GeneralisationSection,
    "loss": LossSection,
    "classes": ClassesSection,
    "distributions": DistributionsSection,
    "utility": UtilitySection,
}

__all__ = ["SECTIONS", "Block", "Section"]
