"""Normalising raw extract columns to typed values, column-wise, each per-value parser run once per
distinct value. Every normaliser has the same contract (``base.Normaliser``) and is registered by the
config's value ``type`` in :data:`NORMALISERS`."""

from pipeline.normalise.base import NORMALISERS, normalise_column

__all__ = ["NORMALISERS", "normalise_column"]
