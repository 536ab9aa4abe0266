"""The normaliser contract and the column driver.

Null policy: empty cells are nulls and stay nulls. Error policy: a value that does not parse is an
:class:`InputError` naming table, file, row (1-based data row, header excluded) and column — never the
value — unless the column says ``on_invalid: null``, in which case it becomes null and is counted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from pipeline.errors import InputError, where
from pipeline.normalise import amounts, dates, sex


def nfkc(values: pd.Series) -> pd.Series:
    """NFKC width normalisation (全角→半角 digits and letters, 半角カナ→全角) and trimming; '' → null."""
    arr = pa.array(values.astype("string[pyarrow]").array)
    arr = pc.utf8_trim_whitespace(pc.utf8_normalize(arr, "NFKC"))
    arr = pc.if_else(pc.equal(arr, ""), pa.scalar(None, pa.string()), arr)
    return pd.Series(pd.arrays.ArrowStringArray(arr), index=values.index, name=values.name)


@dataclass(frozen=True)
class Normaliser:
    """``parse`` maps one NFKC-normalised string to a value, or raises ValueError; ``dtype`` is the result."""

    name: str
    parse: Callable[[str], Any]
    dtype: str


NORMALISERS: dict[str, Normaliser] = {
    "string": Normaliser("string", str, "string[pyarrow]"),
    "date": Normaliser("date", dates.parse_date, "datetime64[ns]"),
    "sex": Normaliser("sex", sex.parse_sex, "string[pyarrow]"),
    "amount": Normaliser("amount", amounts.parse_amount, "Int64"),
    "integer": Normaliser("integer", amounts.parse_integer, "Int64"),
}


def normalise_column(
    values: pd.Series,
    value_type: str,
    on_invalid: str = "error",
    table: str | None = None,
    file: Path | str | None = None,
) -> tuple[pd.Series, int]:
    """Return the typed column and how many cells were nulled as invalid (only with ``on_invalid: null``)."""
    text = nfkc(values)
    if value_type == "string":
        return text, 0
    norm = NORMALISERS[value_type]
    codes, uniques = pd.factorize(text, use_na_sentinel=True)
    parsed: list[Any] = []
    bad: list[int] = []
    for i, u in enumerate(uniques):
        try:
            v = norm.parse(u)
        except (ValueError, OverflowError):
            v = None
            bad.append(i)
        parsed.append(v)
    n_nulled = 0
    if bad:
        bad_mask = np.isin(codes, np.array(bad))
        if on_invalid == "error":
            row = int(np.flatnonzero(bad_mask)[0]) + 1
            raise InputError(
                f"{where(table=table, file=file, row=row, column=str(values.name))}: "
                f"not a valid {value_type} ({int(bad_mask.sum())} invalid cells in this column; "
                "fix the extract or set on_invalid: null)"
            )
        n_nulled = int(bad_mask.sum())
    if norm.dtype == "datetime64[ns]":
        lookup = pd.array([pd.NaT if v is None else pd.Timestamp(v) for v in parsed] + [pd.NaT],
                          dtype="datetime64[ns]")
    else:
        lookup = pd.array([*parsed, None], dtype=norm.dtype)
    out = pd.Series(lookup[codes], index=values.index, name=values.name)  # codes -1 → the appended null
    return out, n_nulled
