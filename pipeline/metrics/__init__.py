"""Information loss and re-identification risk of a release."""

from pipeline.metrics.risk import risk_profile

__all__ = ["risk_profile"]
