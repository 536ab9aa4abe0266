"""Config: YAML validated once, at load, into typed frozen objects (``model``) by ``loader``."""

from pipeline.config.loader import load_config
from pipeline.config.model import (
    ColumnSpec,
    Config,
    DetectionSpec,
    HierarchySpec,
    ModelSpec,
    PrivacySpec,
    ReleaseSpec,
    TableSpec,
)

__all__ = [
    "ColumnSpec",
    "Config",
    "DetectionSpec",
    "HierarchySpec",
    "ModelSpec",
    "PrivacySpec",
    "ReleaseSpec",
    "TableSpec",
    "load_config",
]
