"""Generalisation hierarchies: the integer form (``base.Hierarchy``) and the built-in kinds."""

from pipeline.hierarchies.base import Hierarchy

__all__ = ["Hierarchy"]
