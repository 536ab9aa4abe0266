"""Privacy models by the names the YAML config uses (``pipeline.config.model.MODEL_NAMES``)."""

from __future__ import annotations

from collections.abc import Sequence

from pipeline.config.model import ModelSpec
from pipeline.errors import ConfigError
from pipeline.privacy.base import PrivacyModel
from pipeline.privacy.distinct_l_diversity import DistinctLDiversity
from pipeline.privacy.entropy_l_diversity import EntropyLDiversity
from pipeline.privacy.equal_distance_t_closeness import EqualDistanceTCloseness
from pipeline.privacy.k_anonymity import KAnonymity
from pipeline.privacy.ordered_distance_t_closeness import OrderedDistanceTCloseness
from pipeline.privacy.recursive_cl_diversity import RecursiveCLDiversity

MODELS: dict[str, type[PrivacyModel]] = {
    "k-anonymity": KAnonymity,
    "distinct-l-diversity": DistinctLDiversity,
    "entropy-l-diversity": EntropyLDiversity,
    "recursive-cl-diversity": RecursiveCLDiversity,
    "equal-distance-t-closeness": EqualDistanceTCloseness,
    "ordered-distance-t-closeness": OrderedDistanceTCloseness,
}


def build_model(spec: ModelSpec) -> PrivacyModel:
    """One model from its spec; parameters out of range are a :class:`ConfigError`."""
    if spec.name not in MODELS:
        raise ConfigError(f"unknown privacy model {spec.name!r}; allowed: {', '.join(MODELS)}")
    where = f"privacy model {spec.name}" + (f" on column {spec.column}" if spec.column else "")
    if spec.name == "k-anonymity":
        if spec.k is None or spec.k < 1:
            raise ConfigError(f"{where}: k must be a positive integer, found {spec.k}")
        return KAnonymity(spec.k)
    if spec.name in ("distinct-l-diversity", "entropy-l-diversity", "recursive-cl-diversity"):
        if spec.l is None or spec.l < 1:
            raise ConfigError(f"{where}: l must be at least 1, found {spec.l}")
        if spec.name == "distinct-l-diversity":
            return DistinctLDiversity(spec.column, spec.l)
        if spec.name == "entropy-l-diversity":
            return EntropyLDiversity(spec.column, spec.l)
        if spec.c is None or spec.c <= 0:
            raise ConfigError(f"{where}: c must be positive, found {spec.c}")
        return RecursiveCLDiversity(spec.column, spec.c, spec.l)
    if spec.t is None or not 0.0 <= spec.t <= 1.0:
        raise ConfigError(f"{where}: t must be in [0, 1], found {spec.t}")
    cls = EqualDistanceTCloseness if spec.name == "equal-distance-t-closeness" else OrderedDistanceTCloseness
    return cls(spec.column, spec.t)


def build_models(specs: Sequence[ModelSpec], k: int | None) -> list[PrivacyModel]:
    """The models of a table: the table's own specs plus k-anonymity with the release-wide ``k`` (if a
    spec
    sets k-anonymity too, the larger k wins, since both must hold)."""
    models = [build_model(s) for s in specs]
    ks = [m.k for m in models if isinstance(m, KAnonymity)]
    if k is not None:
        if ks:
            models = [m for m in models if not isinstance(m, KAnonymity)]
            models.insert(0, KAnonymity(max([k, *ks])))
        else:
            models.insert(0, KAnonymity(k))
    return models
