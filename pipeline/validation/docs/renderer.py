"""GX's validation result page, with the data asset it validated named.

GX 1.x records the asset in a result's ``meta["active_batch_definition"]``, but its page renderer still
reads the name from the 0.x ``batch_kwargs`` / ``batch_spec``, which for a dataframe batch hold none: every
page says "Data asset: None" and leaves the asset out of its title. This renderer hands GX's a copy of the
result whose ``batch_spec`` also carries ``data_asset_name`` (the table's name); the rest is GX's.
"""

from __future__ import annotations

import copy
from typing import Any

from great_expectations.render.renderer import ValidationResultsPageRenderer


class ReleaseValidationPageRenderer(ValidationResultsPageRenderer):
    def render(self, validation_results: Any, suite_parameters: Any = None) -> Any:
        meta = validation_results.meta or {}
        asset = (meta.get("active_batch_definition") or {}).get("data_asset_name")
        spec = meta.get("batch_spec") or {}
        if asset and not spec.get("data_asset_name"):
            validation_results = copy.copy(validation_results)
            validation_results.meta = {**meta, "batch_spec": {**spec, "data_asset_name": asset}}
        return super().render(validation_results, suite_parameters)
