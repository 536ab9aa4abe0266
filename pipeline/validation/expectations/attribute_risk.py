"""Risk over all released columns (issue 15): at most a share of rows alone in their class over every released
column except surrogate keys and sensitive values — quasi-identifiers *and* attributes.

Bound only when the release's policy is ``privacy.attribute_risk: fail`` (``manifest.json``, table entry
``attribute_risk.policy``); under ``warn`` the figures are reported, not enforced. Counting persons: a class
holding several rows of one person is still that person alone. Weakness: uniqueness is the sample's, not the
population's (a row unique here may have look-alikes outside the extract), as for sample uniques in ARX.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pipeline.validation.expectations.class_rule import ClassRule


class ExpectFewRowsUniqueOverReleasedColumns(ClassRule):
    max_unique_share: float = 0.0

    business_name: ClassVar[str] = "risk over all released columns (sample uniques)"
    description_template: ClassVar[str] = (
        "Risk over all released columns: at most {max_unique_share} of the rows are alone (one person, "
        "counted by {person_key}) in their class over every released column except surrogate keys and "
        "sensitive values ({quasi_identifiers})."
    )
    metric_dependencies: ClassVar[tuple[str, ...]] = ("appi.rows.unique_over_columns",)
    success_keys: ClassVar[tuple[str, ...]] = ("quasi_identifiers", "person_key", "max_unique_share")

    def _validate(
        self, metrics: dict, runtime_configuration: dict | None = None, execution_engine: Any = None
    ) -> dict[str, Any]:
        counts = metrics[self.metric_dependencies[0]]
        share = counts["unique_rows"] / counts["rows"] if counts["rows"] else 0.0
        return {
            "success": share <= self.max_unique_share,
            "result": {"observed_value": round(share, 6), "unique_rows": counts["unique_rows"],
                       "rows": counts["rows"], "min_class_size": counts["min_class_size"]},
        }
