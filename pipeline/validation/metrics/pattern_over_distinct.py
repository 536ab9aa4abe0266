"""A regex test over the NFKC form of each DISTINCT cell, mapped back to rows.

Why not GX's ``column_values.not_match_regex``: that one runs the regex on every row of the raw text, so
full-width digits, ``＠`` or ``－`` need their own alternatives and 100k rows cost 100k regex calls. A
release column has few distinct values (generalised labels), so normalising and matching those only is
both stricter (one NFKC spelling) and faster (STYLE.md §5).
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from great_expectations.execution_engine import PandasExecutionEngine
from great_expectations.expectations.metrics.map_metric_provider import (
    ColumnMapMetricProvider,
    column_condition_partial,
)

from pipeline.io.arrow import arrow_chunks, arrow_text, is_arrow_text


def distinct_text(values: pd.Series) -> np.ndarray:
    """The distinct values of ``values.astype(str)``, without converting every row.

    A categorical column (the gate hands GX text columns as categoricals) already holds its distinct values:
    its categories as text, plus ``'nan'`` if it has nulls. A category no row uses (GX filters rows) adds
    a value that no row can match, so the rows flagged are the same.
    """
    if isinstance(values.dtype, pd.CategoricalDtype):
        text = np.asarray(values.cat.categories.astype(str), dtype=object)
        return np.append(text, "nan") if values.isna().any() else text
    if is_arrow_text(values):  # the linking codes: distinct in Arrow, a null as a categorical's 'nan'
        distinct = pc.unique(arrow_text(values))
        text = distinct.drop_null().to_numpy(zero_copy_only=False).astype(object)
        return np.append(text, "nan") if distinct.null_count else text
    if isinstance(values.dtype, np.dtype) and values.dtype.kind in "biuf" and len(values):
        # distinct bit patterns first (finer than equality: 0.0 and -0.0, NaN payloads stay apart), then
        # the same ``astype(str)`` on those only: a million floats are not each turned into a string
        raw = values.to_numpy()
        bits = raw.view(f"u{raw.dtype.itemsize}") if raw.dtype.kind == "f" else raw
        distinct = pd.unique(bits).view(raw.dtype)  # hashed, in order of first appearance
        return pd.unique(pd.Series(distinct, dtype=values.dtype).astype(str))
    return pd.unique(values.astype(str))


def _hits(texts: np.ndarray, regex: str, nfkc: bool) -> np.ndarray:
    pattern = re.compile(regex)
    if nfkc:
        found = (pattern.search(unicodedata.normalize("NFKC", v)) is not None for v in texts)
    else:
        found = (pattern.search(v) is not None for v in texts)
    return np.fromiter(found, dtype=bool, count=len(texts))


def matching_values(values: pd.Series, regex: str, nfkc: bool = True) -> np.ndarray:
    """Distinct values of ``values`` (as text) that contain a match of ``regex`` (in their NFKC form, unless
    ``nfkc`` is false)."""
    uniq = distinct_text(values)
    return uniq[_hits(uniq, regex, nfkc)]


def rows_matching(column: pd.Series, regex: str, nfkc: bool = True) -> pd.Series:
    """Per row, whether ``column`` (as text) contains a match of ``regex``: ``rows_in(column,
    matching_values(column, regex, nfkc))``. For a categorical the regex result of each category is mapped
    to the rows through the codes directly (null rows: the text ``'nan'``, as ``astype(str)`` gives), so a
    million surrogate keys are not looked up again in the set of those that matched."""
    if is_arrow_text(column):  # the linking codes (Arrow strings)
        return pd.Series(_arrow_rows_matching(column, regex, nfkc), index=column.index)
    if isinstance(column.dtype, pd.CategoricalDtype):
        return pd.Series(_through_codes(column.cat.codes.to_numpy(),
                                        category_hits(column.cat.categories, regex, nfkc), regex, nfkc),
                         index=column.index)
    found = matching_values(column, regex, nfkc)
    return rows_in(column, found) if len(found) else pd.Series(False, index=column.index)


def _through_codes(codes: np.ndarray, hit: np.ndarray, regex: str, nfkc: bool) -> np.ndarray:
    """Per row, the result of its category (``codes`` into ``hit``; -1, a null, as the text ``'nan'``)."""
    null = bool((codes < 0).any()) and bool(_hits(np.array(["nan"], dtype=object), regex, nfkc)[0])
    return np.where(codes >= 0, hit[np.maximum(codes, 0)] if len(hit) else False, null)


#: rows of an Arrow text column dictionary-encoded at a time (:func:`_arrow_rows_matching`)
ROWS = 1 << 20


def _arrow_rows_matching(column: pd.Series, regex: str, nfkc: bool) -> np.ndarray:
    """:func:`rows_matching` of an Arrow text column, :data:`ROWS` rows at a time: each slice's distinct
    values by Arrow's hash, matched once each. Why slices: a linking code's values are all distinct, and one
    dictionary of the whole column (ten million surrogate keys at 10M policyholders: a copy of every key
    and Arrow's hash table beside it, 850 MiB) was the GX gate's largest item after GX's own."""
    out = np.empty(len(column), dtype=bool)
    at = 0
    for chunk in arrow_chunks(column).chunks:
        for i in range(0, len(chunk), ROWS):
            encoded = pc.dictionary_encode(chunk.slice(i, ROWS))
            codes = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False)
            out[at:at + len(codes)] = _through_codes(codes, category_hits(encoded.dictionary, regex, nfkc),
                                                     regex, nfkc)
            at += len(codes)
    return out


#: categories turned into Python text at a time (:func:`category_hits`)
CHUNK = 1 << 18


def category_hits(categories: pd.Index | pa.Array, regex: str, nfkc: bool) -> np.ndarray:
    """Per category (as text), whether it contains a match of ``regex``; ``CHUNK`` categories converted to
    Python strings at a time. Why: the distinct values of a linking code are a release's surrogate keys,
    ten million at 10M policyholders, held in Arrow; converting them all at once held as many Python
    strings beside them (the gate's peak). ``categories``: a categorical's categories, or the distinct
    values of an Arrow column (no null among them)."""

    if isinstance(categories, pa.Array):
        return arrow_hits(categories, regex, nfkc)

    def text(i: int) -> np.ndarray:
        return np.asarray(categories[i:i + CHUNK].astype(str), dtype=object)

    parts = [_hits(text(i), regex, nfkc) for i in range(0, len(categories), CHUNK)]
    return np.concatenate(parts) if parts else np.zeros(0, dtype=bool)


#: a value RE2 and Python's ``re`` may judge differently: anything not printable ASCII (``\d``, ``\s`` and
#: ``\w`` are Unicode in ``re``, ASCII in RE2; ``re``'s ``$`` also matches before a final newline; NFKC
#: changes only non-ASCII text)
_UNSURE = r"[^\x20-\x7e]"


def arrow_hits(values: pa.Array, regex: str, nfkc: bool) -> np.ndarray:
    """:func:`_hits` of distinct Arrow strings (no null among them): by Arrow's RE2 in C, where ``regex``
    compiles there, for every value of printable ASCII, on which RE2 and Python's ``re`` agree for the
    syntax both accept; every other value (and every value, when RE2 refuses the pattern: a lookbehind)
    by Python's ``re`` on its NFKC form, :data:`CHUNK` values at a time. Ten million surrogate keys are
    ten million RE2 calls in C, not Python calls."""

    def python(part: pa.Array) -> np.ndarray:
        return np.concatenate([np.zeros(0, dtype=bool), *(
            _hits(part.slice(i, CHUNK).to_numpy(zero_copy_only=False).astype(object), regex, nfkc)
            for i in range(0, len(part), CHUNK))])

    try:
        fast = pc.match_substring_regex(values, regex).to_numpy(zero_copy_only=False)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):  # not RE2 syntax
        return python(values)
    fast = np.array(fast, dtype=bool)  # writable
    unsure = np.flatnonzero(pc.match_substring_regex(values, _UNSURE).to_numpy(zero_copy_only=False))
    if len(unsure):
        fast[unsure] = python(values.take(pa.array(unsure, type=pa.int64())))
    return fast


def rows_in(column: pd.Series, values: np.ndarray) -> pd.Series:
    """Per row, whether ``column`` (as text) is one of ``values``; through the codes for a categorical,
    so a million rows are not converted to text."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        categories = np.asarray(column.cat.categories.astype(str), dtype=object)
        hit = pd.Index(categories).isin(values)
        codes = column.cat.codes.to_numpy()
        inside = np.where(codes >= 0, hit[np.maximum(codes, 0)], "nan" in set(values))
        return pd.Series(inside, index=column.index)
    if is_arrow_text(column):  # a null as the text 'nan', as for a categorical
        text = arrow_text(column)
        wanted = pa.array([v for v in values if isinstance(v, str)], type=pa.string())
        inside = pc.is_in(text, value_set=wanted).to_numpy(zero_copy_only=False)
        null = pc.is_null(text).to_numpy(zero_copy_only=False)
        return pd.Series(np.where(null, "nan" in set(values), inside), index=column.index)
    return column.astype(str).isin(values)


def condition(meets: pd.Series) -> pd.Series:
    """A map metric's per-row result as GX keeps it: a sparse boolean Series that stores only the rows
    that do not meet the rule (``fill_value`` True), same index.

    Why: GX resolves every metric of a suite before it evaluates any expectation, and keeps each map
    metric's per-row condition (and its negation, which GX takes itself) until the validation ends: a
    byte a row for each of the fifty-odd pattern and name rules of a table, 743 MiB at 10,000,000
    policyholders, the GX gate's largest item. A release that passes has no such row, so the sparse form
    holds nothing; GX's own steps read it as a boolean Series (``np.count_nonzero``, ``==``, masks)."""
    values = np.asarray(meets, dtype=bool)
    return pd.Series(pd.arrays.SparseArray(values, fill_value=True), index=meets.index, name=meets.name)


class ColumnValuesNotMatchPatternOverDistinct(ColumnMapMetricProvider):
    condition_metric_name = "column_values.appi_not_match_pattern"
    condition_value_keys = ("regex",)

    @column_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column: pd.Series, regex: str, **kwargs: object) -> pd.Series:
        return condition(~rows_matching(column, regex))


class ColumnValuesMatchPatternOverDistinct(ColumnMapMetricProvider):
    """Rows whose value, as it is (no NFKC: a full-width look-alike must fail a format), matches ``regex``;
    the regex runs once per distinct value. GX's ``column_values.match_regex`` runs it on every row."""

    condition_metric_name = "column_values.appi_match_pattern"
    condition_value_keys = ("regex",)

    @column_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column: pd.Series, regex: str, **kwargs: object) -> pd.Series:
        return condition(rows_matching(column, regex, nfkc=False))
