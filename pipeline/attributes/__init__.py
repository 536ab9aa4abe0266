"""Risk over all released columns, its policy and the automatic way out (issue 15).

``measure`` computes :mod:`pipeline.metrics.attribute_risk` on every released table and joined view,
``policy`` turns the figures into warnings or a refusal, ``protect`` promotes the attributes that drive
special uniques to quasi-identifiers and anonymises again.
"""

from pipeline.attributes.measure import measure_release
from pipeline.attributes.policy import assess
from pipeline.attributes.protect import anonymise_with_attribute_policy

__all__ = ["anonymise_with_attribute_policy", "assess", "measure_release"]
