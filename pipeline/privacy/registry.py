"""Privacy models by the names the YAML config uses (``pipeline.config.model.MODEL_NAMES``).

Each model declares its parameters and their ranges itself (:meth:`PrivacyModel.from_params`); this module
only maps names to classes. The config loader builds every model once at load time through
:func:`build_model`'s path, so a bad parameter fails before any input is read; ``tests/privacy/
test_model_drift.py`` ties this dict to the config's names and to the gate's expectations.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from pipeline.errors import ConfigError
from pipeline.privacy.base import ParameterError, PrivacyModel
from pipeline.privacy.distinct_l_diversity import DistinctLDiversity
from pipeline.privacy.entropy_l_diversity import EntropyLDiversity
from pipeline.privacy.equal_distance_t_closeness import EqualDistanceTCloseness
from pipeline.privacy.k_anonymity import KAnonymity
from pipeline.privacy.ordered_distance_t_closeness import OrderedDistanceTCloseness
from pipeline.privacy.recursive_cl_diversity import RecursiveCLDiversity

if TYPE_CHECKING:  # the config imports this module at load time: no import of pipeline.config at run time
    from pipeline.config.model import ModelSpec

MODELS: dict[str, type[PrivacyModel]] = {
    cls.name: cls
    for cls in (KAnonymity, DistinctLDiversity, EntropyLDiversity, RecursiveCLDiversity,
                EqualDistanceTCloseness, OrderedDistanceTCloseness)
}


def model_class(name: str) -> type[PrivacyModel]:
    if name not in MODELS:
        raise ConfigError(f"unknown privacy model {name!r}; allowed: {', '.join(MODELS)}")
    return MODELS[name]


def spec_params(spec: ModelSpec) -> dict[str, float | int | None]:
    """The parameters a spec sets (those left ``None`` are not given)."""
    values = {"k": spec.k, "l": spec.l, "c": spec.c, "t": spec.t}
    return {key: v for key, v in values.items() if v is not None}


def build_model(spec: ModelSpec) -> PrivacyModel:
    """One model from its spec; a parameter missing or out of range is a :class:`ConfigError` naming the
    model, its column and the parameter."""
    cls = model_class(spec.name)
    try:
        return cls.from_params(spec.column, spec_params(spec))
    except ParameterError as exc:
        where = f"privacy model {spec.name}" + (f" on column {spec.column}" if spec.column else "")
        raise ConfigError(f"{where}: {exc.message}") from None


def build_models(specs: Sequence[ModelSpec], k: int | None) -> list[PrivacyModel]:
    """The models of a table: the table's own specs plus k-anonymity with the release-wide ``k`` (if a
    spec sets k-anonymity too, the larger k wins, since both must hold)."""
    models = [build_model(s) for s in specs]
    ks = [m.k for m in models if isinstance(m, KAnonymity)]
    if k is not None:
        if ks:
            models = [m for m in models if not isinstance(m, KAnonymity)]
            models.insert(0, KAnonymity(max([k, *ks])))
        else:
            models.insert(0, KAnonymity(k))
    return models
