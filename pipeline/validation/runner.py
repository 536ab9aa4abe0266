"""Run bound suites with Great Expectations 1.x and render Data Docs: the only module that drives GX.

One ephemeral context per run (no ``gx/`` directory, nothing outside the release is written), one pandas
data source, per table a dataframe asset, a whole-dataframe batch definition, the suite, a validation
definition and a checkpoint; Data Docs are then built into the release's ``validation/docs`` site. GX's
logging and progress bars are silenced: the pipeline's own output stays one line per step.
"""

from __future__ import annotations

import contextlib
import logging
import warnings
from collections.abc import Collection, Iterator, Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from pipeline.io.arrow import arrow_text, is_arrow_text, sorted_categorical
from pipeline.progress import phase

#: Counts only in results: no partial or unexpected value lists, no unexpected rows (values may be personal).
RESULT_FORMAT: dict[str, Any] = {
    "result_format": "SUMMARY",
    "partial_unexpected_count": 0,
    "include_unexpected_rows": False,
    "return_unexpected_index_query": False,
}
_VALUE_KEYS = frozenset(
    {
        "partial_unexpected_list",
        "partial_unexpected_counts",
        "partial_unexpected_index_list",
        "unexpected_list",
        "unexpected_index_list",
        "unexpected_index_query",
        "unexpected_rows",
        "details",
    }
)


@contextlib.contextmanager
def no_frame_fingerprint() -> Iterator[None]:
    """GX's pandas engine records an MD5 of ``pd.util.hash_pandas_object(frame)`` in each result's batch
    markers (``pandas_data_fingerprint``) for every frame under its ``HASH_THRESHOLD`` (1e9 bytes by the
    frame's shallow ``memory_usage``), which holds a release of any size, since the linking codes are Arrow
    strings. pandas hashes Arrow strings as Python objects: one Python string per linking code, about 1.4 s
    and several hundred MiB per million rows, the gate's largest allocation. The fingerprint is of the frame
    in memory (its dtypes included), so nobody can recompute it from the release; the release's files carry
    SHA-256 digests in the manifest. So it is switched off for the gate's runs (GX's own switch: the
    threshold, set to 0 and restored)."""
    from great_expectations.execution_engine import pandas_execution_engine as engine

    threshold = engine.HASH_THRESHOLD
    engine.HASH_THRESHOLD = 0
    try:
        yield
    finally:
        engine.HASH_THRESHOLD = threshold


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """Silence GX's loggers and warnings for the duration of a run (progress bars: see ``run_suites``)."""
    logger = logging.getLogger("great_expectations")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.setLevel(level)


def _exception_type(info: dict[str, Any]) -> dict[str, Any]:
    """Keep whether a check raised and the exception's type; its message and traceback may quote a cell."""
    last = (info.get("exception_traceback") or "").strip().splitlines()[-1:] or [""]
    return {"raised_exception": bool(info.get("raised_exception")), "exception_type": last[0].split(":")[0]}


def scrub(obj: Any) -> Any:
    """Drop every key that could carry cell values from a GX result dict (defence in depth)."""
    if isinstance(obj, dict):
        return {
            k: _exception_type(v) if k == "exception_info" and isinstance(v, dict) else scrub(v)
            for k, v in obj.items()
            if k not in _VALUE_KEYS
        }
    if isinstance(obj, list):
        return [scrub(v) for v in obj]
    return obj


def as_categories(data: pd.DataFrame, keys: Collection[str] = ()) -> pd.DataFrame:
    """The frame as GX checks it fastest, same values and nulls: text columns as pandas categoricals (GX
    copies the frame for every metric and filters it for every map expectation, and integer codes make that
    4x cheaper than strings), and nullable integers (``Int64``) as float64 with NaN, since GX's numeric map
    metrics are vectorised only for plain numpy dtypes and call Python once per value otherwise. Released
    integers (amounts, counts) are far below 2**53, so float64 holds them exactly.

    Arrow strings (``string[pyarrow]``) stay as they are, and ``keys`` (the linking codes) become Arrow
    strings: such columns hold a distinct value per policy or claim (linking codes, free text), and a
    categorical of ten million categories is validated through pandas' object hash table, a Python string
    per category (about 1.1 GiB at 3,000,000 policyholders), where a frame copy shares Arrow data and the
    rules read them through Arrow's hash (:func:`~pipeline.validation.metrics.keys.key_codes`, the pattern
    rules). Converting a converted frame again changes nothing."""
    text = [c for c in data.columns if not pd.api.types.is_numeric_dtype(data[c])
            and not isinstance(data[c].dtype, pd.CategoricalDtype) and not is_arrow_text(data[c])]
    nullable = [c for c in data.columns
                if isinstance(data[c].dtype, pd.api.extensions.ExtensionDtype)
                and pd.api.types.is_integer_dtype(data[c].dtype)]
    if not text and not nullable:
        return data
    out = data.copy(deep=False)
    for c in text:
        out[c] = as_key_text(data[c]) if c in keys else as_category(data[c])
    for c in nullable:
        out[c] = data[c].astype("float64")
    return out


def as_key_text(values: pd.Series) -> pd.Series:
    """A linking code as Arrow strings (``string[pyarrow]``), when every non-null cell is ``str``; anything
    else (a number, bytes, a lone surrogate) as a categorical, where pandas decides as for any column."""
    if not pd.api.types.is_string_dtype(values.dtype) or isinstance(values.dtype, pd.CategoricalDtype):
        return values.astype("category")
    if values.dtype == object and pd.api.types.infer_dtype(values, skipna=True) not in ("string", "empty"):
        return values.astype("category")
    try:
        text = arrow_text(values, type=pa.string())
    except (pa.ArrowInvalid, pa.ArrowTypeError, UnicodeError):
        return values.astype("category")
    return pd.Series(pd.array(text, dtype=pd.StringDtype("pyarrow")), index=values.index, name=values.name)


def as_category(values: pd.Series) -> pd.Series:
    """``values.astype("category")`` (categories sorted), built from Arrow's hash dictionary encoding whose
    distinct values Arrow then sorts: hashing a million Python strings and sorting a million distinct
    surrogate keys as Python strings is most of the cost of ``astype``. UTF-8 byte order is code point
    order, so the categories come out the same. Only for text whose non-null cells are all ``str`` (a
    ``string`` dtype, or ``object`` holding only ``str``): anything else is left to pandas, so a bytes
    value or a number never meets a string in Arrow's conversion."""
    if not pd.api.types.is_string_dtype(values.dtype) or isinstance(values.dtype, pd.CategoricalDtype):
        return values.astype("category")
    if values.dtype == object and pd.api.types.infer_dtype(values, skipna=True) not in ("string", "empty"):
        return values.astype("category")
    try:
        text = arrow_text(values, type=pa.string())  # Arrow strings as they are: no round trip through Python
    except (pa.ArrowInvalid, pa.ArrowTypeError, UnicodeError):  # e.g. a lone surrogate: pandas decides
        return values.astype("category")
    encoded = pc.dictionary_encode(text)
    if len(encoded.dictionary) == 0:
        return values.astype("category")
    codes = encoded.indices.fill_null(-1).to_numpy()
    # the categories' own dtype as pandas' factorisation gives it (``string`` stays ``string``)
    return pd.Series(sorted_categorical(codes, encoded.dictionary, values.dtype), index=values.index,
                     name=values.name)


def run_suites(
    tables: Mapping[str, tuple[pd.DataFrame, Any]], docs_dir: Path | None = None, run_name: str | None = None
) -> dict[str, Any]:
    """Validate each ``name → (data, suite)``; return GX's checkpoint results as a JSON-ready dict.
    ``run_name`` (the release id) names the run in the results and the Data Docs pages and paths."""
    with quiet(), no_frame_fingerprint():
        import great_expectations as gx
        from great_expectations.core.run_identifier import RunIdentifier
        from great_expectations.data_context.types.base import ProgressBarsConfig

        from pipeline.validation.docs import SITE_NAME, install_static, site_config

        context = gx.get_context(mode="ephemeral")
        context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
        if docs_dir is not None:
            config: Any = site_config(docs_dir)  # GX types it as a TypedDict; ours is the same shape
            context.add_data_docs_site(site_name=SITE_NAME, site_config=config)
        source = context.data_sources.add_pandas("release")
        runs: list[dict[str, Any]] = []
        success = True
        try:
            for name, (data, suite) in tables.items():
                batch = source.add_dataframe_asset(name).add_batch_definition_whole_dataframe(name)
                suite = context.suites.add(suite)
                definition = context.validation_definitions.add(
                    gx.ValidationDefinition(name=f"validate {name}", data=batch, suite=suite)
                )
                checkpoint = context.checkpoints.add(
                    gx.Checkpoint(name=f"release {name}", validation_definitions=[definition], actions=[],
                                  result_format=RESULT_FORMAT)
                )
                with phase(f"suite {name}"):
                    result = checkpoint.run(batch_parameters={"dataframe": as_categories(data)},
                                            run_id=RunIdentifier(run_name=run_name) if run_name else None)
                success = success and bool(result.success)
                for one in result.run_results.values():
                    runs.append({"table": name, "suite": suite.name, **scrub(one.to_json_dict())})
            if docs_dir is not None:
                with phase("data docs"):
                    context.build_data_docs(site_names=[SITE_NAME])
                    install_static(docs_dir)
        finally:  # a suite that raises, or the Data Docs, must not leave the frames behind either
            _forget(context, source)
    return {"success": success, "validations": runs}


def _forget(context: Any, source: Any) -> None:
    """Let go of the checked frames: GX's execution engine keeps each batch's data frame in its batch
    cache, reachable from the context that ``get_context`` also registers as the process's project, so the
    released tables outlived the gate (``anonymize verify`` then read them again for the class recount on
    top of them: 2.3 GiB at 10M). The batch caches are emptied and the data source removed."""
    manager = source.get_execution_engine().batch_manager
    manager.reset_batch_cache()
    manager.batch_data_cache.clear()
    context.data_sources.delete(source.name)
