"""Privacy models (one class per file, named after its paper) and the registry that builds them by name."""

from pipeline.privacy.base import ClassStats, Necessary, PrivacyModel, SensitivePairs
from pipeline.privacy.distinct_l_diversity import DistinctLDiversity
from pipeline.privacy.entropy_l_diversity import EntropyLDiversity
from pipeline.privacy.equal_distance_t_closeness import EqualDistanceTCloseness
from pipeline.privacy.k_anonymity import KAnonymity
from pipeline.privacy.ordered_distance_t_closeness import OrderedDistanceTCloseness
from pipeline.privacy.recursive_cl_diversity import RecursiveCLDiversity
from pipeline.privacy.registry import MODELS, build_model, build_models

__all__ = [
    "MODELS",
    "ClassStats",
    "DistinctLDiversity",
    "EntropyLDiversity",
    "EqualDistanceTCloseness",
    "KAnonymity",
    "Necessary",
    "OrderedDistanceTCloseness",
    "PrivacyModel",
    "RecursiveCLDiversity",
    "SensitivePairs",
    "build_model",
    "build_models",
]
