"""What every business-rule expectation adds to Great Expectations: a business name and a description.

GX renders an expectation's ``description`` in Data Docs instead of its generic template, so auditors read
"No My Number (個人番号) in column 職業" rather than a regular expression. ``build`` fills the class's
description template from the parameters, so the text always states the thresholds actually checked.
"""

from __future__ import annotations

from typing import Any, ClassVar


class BusinessRule:
    """Mixin for thin subclasses of GX expectations (STYLE.md §12)."""

    business_name: ClassVar[str] = ""
    description_template: ClassVar[str] = ""

    @classmethod
    def build(cls, **params: Any) -> Any:
        # 2.0 from YAML and 2 from a profile are one threshold: one expectation, one wording
        params = {k: int(v) if isinstance(v, float) and v.is_integer() else v for k, v in params.items()}
        text = cls.description_template.format(**{k: _words(v) for k, v in params.items()})
        return cls(description=text.replace("$", "＄"), **params)  # type: ignore[call-arg]


def _words(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value) if value else "(none)"
    if value is None:
        return "rows"
    return str(value)
