"""The normaliser contract and the column driver.

Null policy: empty cells are nulls and stay nulls. Error policy: a value that does not parse is an
:class:`InputError` naming table, file, row (1-based data row, header excluded) and column — never the
value — unless the column says ``on_invalid: null``, in which case it becomes null and is counted.
"""

from __future__ import annotations

import re
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


_HINTS = {
    "date": f" (a calendar day from {dates.EARLIEST.year} to {dates.LATEST.year}; placeholders such as "
            "9999-12-31 are invalid)",
    "amount": " (yen below 10^15)",
    "integer": " (below 10^15)",
}

#: C0/C1 control characters except TAB, LF, CR, and the bidirectional overrides/isolates (which make a
#: report or a dictionary display something else than the data holds).
_CONTROL_RE2 = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\x{202a}-\x{202e}\x{2066}-\x{2069}]"
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def reject_control_characters(text: pd.Series, table: str | None, file: Path | str | None) -> None:
    """A kept or linking value holding a NUL or another control character stops the run (row and column named,
    and the code point, never the value).

    Why reject rather than strip: such a byte means the export is broken (a binary field, a wrong column
    mapping); stripping would silently merge it into another category or key, and a NUL would become a
    category of its own. The fix belongs in the extract.
    """
    arr = pa.array(text.array)
    hit = pc.fill_null(pc.match_substring_regex(arr, _CONTROL_RE2), False).to_numpy(zero_copy_only=False)
    if not hit.any():
        return
    row = int(np.flatnonzero(hit)[0])
    found = _CONTROL.search(str(text.iloc[row]))
    code = f"U+{ord(found.group()):04X}" if found else "a control character"
    raise InputError(
        f"{where(table=table, file=file, row=row + 1, column=str(text.name))}: control character "
        f"{code} in a value ({int(hit.sum())} such cells in this column); re-export the file"
    )


def normalise_column(
    values: pd.Series,
    value_type: str,
    on_invalid: str = "error",
    table: str | None = None,
    file: Path | str | None = None,
) -> tuple[pd.Series, int]:
    """Return the typed column and how many cells were nulled as invalid (only with ``on_invalid: null``)."""
    text = nfkc(values)
    reject_control_characters(text, table, file)
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
                f"not a valid {value_type}{_HINTS.get(value_type, '')} ({int(bad_mask.sum())} invalid cells "
                "in this column; fix the extract or set on_invalid: null)"
            )
        n_nulled = int(bad_mask.sum())
    if norm.dtype == "datetime64[ns]":
        lookup = pd.array([pd.NaT if v is None else pd.Timestamp(v) for v in parsed] + [pd.NaT],
                          dtype="datetime64[ns]")
    else:
        lookup = pd.array([*parsed, None], dtype=norm.dtype)
    out = pd.Series(lookup[codes], index=values.index, name=values.name)  # codes -1 → the appended null
    return out, n_nulled
