"""Base of the re-identification expectations (:class:`ClassRule`: rules over the equivalence classes of a
table or joined view), and of those that run a privacy model's own rule on the released data
(:class:`ModelRule`).

Each :class:`ModelRule` names one privacy model of ``pipeline.privacy`` (:attr:`ModelRule.model`) and
carries its parameters as GX kwargs; the check builds that model through its definition
(:meth:`~pipeline.privacy.base.PrivacyModel.from_params`, the same checks the config loader runs) and calls
its :meth:`~pipeline.privacy.base.PrivacyModel.satisfied` on the classes of the released table
(``appi.class.stats``, :mod:`pipeline.validation.metrics.class_statistic`): the search and the gate share
one rule and one null policy. The result reports counts only: the worst class's figure
(:meth:`~pipeline.privacy.base.PrivacyModel.statistic`), the number of classes and how many fail; never a
quasi-identifier combination or a sensitive value.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
from great_expectations.expectations.expectation import BatchExpectation

from pipeline.privacy.base import ClassStats, PrivacyModel
from pipeline.validation.expectations.base import BusinessRule

STATS = "appi.class.stats"


class ClassRule(BusinessRule, BatchExpectation):
    """A rule over the classes of rows equal on ``quasi_identifiers`` (a joined view's suite keeps these)."""

    quasi_identifiers: list[str]
    person_key: str | None = None

    domain_keys: ClassVar[tuple[str, ...]] = ("batch_id", "row_condition", "condition_parser")
    success_keys: ClassVar[tuple[str, ...]] = ("quasi_identifiers", "person_key")


class ModelRule(ClassRule):
    """A privacy model's rule on the released classes."""

    #: The privacy model this expectation checks (one expectation per model, see ``MODEL_EXPECTATIONS``).
    model: ClassVar[type[PrivacyModel]]
    metric_dependencies: ClassVar[tuple[str, ...]] = (STATS,)

    def privacy_model(self) -> PrivacyModel:
        """The model with this expectation's parameters, checked by its own definition."""
        column = getattr(self, "sensitive", None) if self.model.takes_column else None
        return self.model.from_params(column, {p.name: getattr(self, p.name) for p in self.model.parameters})

    def _validate(
        self, metrics: dict, runtime_configuration: dict | None = None, execution_engine: Any = None
    ) -> dict[str, Any]:
        stats: ClassStats = metrics[STATS]
        model = self.privacy_model()
        ok = np.asarray(model.satisfied(stats), dtype=bool)
        stat = np.asarray(model.statistic(stats), dtype=float)
        worst = None
        if len(stat):
            worst = float(stat.min() if model.worst == "min" else stat.max())
            worst = round(worst, 6) if np.isfinite(worst) else None
        return {
            "success": bool(ok.all()),
            "result": {"observed_value": worst, "classes": len(stat), "failing_classes": int((~ok).sum())},
        }
