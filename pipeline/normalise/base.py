"""The normaliser contract and the column driver.

Null policy: empty cells are nulls and stay nulls. Error policy: a value that does not parse is an
:class:`InputError` naming table, file, row (1-based data row, header excluded) and column — never the
value — unless the column says ``on_invalid: null``, in which case it becomes null and is counted; a value
holding a control character is an error either way (its code point named).

One driver, :class:`ColumnNormaliser`, for a whole column (:func:`normalise_column`) and for a file read batch
by batch (:mod:`pipeline.stream.read`): the same rules and messages, whatever the batch size.
"""

from __future__ import annotations

import datetime as dt
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


def nfkc_array(arr: pa.Array) -> pa.Array:
    """NFKC width normalisation (全角→半角 digits and letters, 半角カナ→全角) and trimming; '' → null. An
    all-ASCII array (dates, amounts, codes: most columns of most batches) skips the normalisation, which
    leaves every ASCII character as it is, so the result is the same (checking is a byte scan; normalising
    cost a tenth of the first pass)."""
    if pc.all(pc.string_is_ascii(arr)).as_py() is False:
        arr = pc.utf8_normalize(arr, "NFKC")
    arr = pc.utf8_trim_whitespace(arr)
    return pc.if_else(pc.equal(arr, ""), pa.scalar(None, pa.string()), arr)


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

#: Distinct values a column's parse cache holds before it is cleared (a column of ten million distinct values
#: cannot grow it without bound; dates, amounts and codes have far fewer distinct values than rows).
CACHE_LIMIT = 1_000_000
_ARROW_TYPES = {"date": pa.date32(), "amount": pa.int64(), "integer": pa.int64(), "sex": pa.string()}
_BAD = object()
#: the supported range: whole years (checked on the year alone)
#: ``dates._WESTERN`` and ``dates._COMPACT`` in RE2, ASCII digits only
_WESTERN_RE2 = (r"^(?P<y>[0-9]{4})\s*[-/.年]\s*(?P<m>[0-9]{1,2})\s*[-/.月]\s*(?P<d>[0-9]{1,2})\s*日?$",
                r"^(?P<y>[0-9]{4})(?P<m>[0-9]{2})(?P<d>[0-9]{2})$")
_FIRST_YEAR, _LAST_YEAR = dates.EARLIEST.year, dates.LATEST.year
assert (dates.EARLIEST.month, dates.EARLIEST.day, dates.LATEST.month, dates.LATEST.day) == (1, 1, 12, 31)
_EPOCH = dt.date(1970, 1, 1)
_MISS = object()
_SHARED: dict[str, dict[str, Any]] = {}


def shared_cache(value_type: str) -> dict[str, Any]:
    """This process's parse cache for ``value_type`` (a parse depends on the text and the type only): lets the
    batches a Dask worker normalises one after another share their parsed distinct values."""
    return _SHARED.setdefault(value_type, {})


@dataclass
class Faults:
    """What a column's values broke, over every row fed so far: the first row (1-based data row) and the
    number of cells of each kind, and the code point of the first control character. Never a value."""

    control_row: int | None = None
    control_code: str = ""
    control_cells: int = 0
    invalid_row: int | None = None
    invalid_cells: int = 0

    def merge(self, other: Faults) -> None:
        """Add ``other``'s counts (rows of another batch of the same column, in any order)."""
        if other.control_row is not None and (self.control_row is None
                                              or other.control_row < self.control_row):
            self.control_row, self.control_code = other.control_row, other.control_code
        if other.invalid_row is not None and (self.invalid_row is None
                                              or other.invalid_row < self.invalid_row):
            self.invalid_row = other.invalid_row
        self.control_cells += other.control_cells
        self.invalid_cells += other.invalid_cells

    def error(self, value_type: str, on_invalid: str, table: str | None, file: Path | str | None,
              column: str) -> InputError | None:
        """The column's error, or None. A control character stops the run whatever ``on_invalid`` says.

        Why reject rather than strip: such a byte means the export is broken (a binary field, a wrong column
        mapping); stripping would silently merge it into another category or key, and a NUL would become a
        category of its own. The fix belongs in the extract.
        """
        if self.control_row is not None:
            return InputError(
                f"{where(table=table, file=file, row=self.control_row, column=column)}: control character "
                f"{self.control_code} in a value ({self.control_cells} such cells in this column); re-export "
                "the file"
            )
        if self.invalid_row is not None and on_invalid == "error":
            return InputError(
                f"{where(table=table, file=file, row=self.invalid_row, column=column)}: "
                f"not a valid {value_type}{_HINTS.get(value_type, '')} ({self.invalid_cells} invalid cells "
                "in this column; fix the extract or set on_invalid: null)"
            )
        return None


class ColumnNormaliser:
    """One column of one file, normalised batch by batch: :meth:`feed` the batches in row order, then
    :meth:`check` and :meth:`series`. The whole column at once is one batch (:func:`normalise_column`).

    Each batch is NFKC-normalised in Arrow, searched for control characters, and each of its distinct values
    looked up in a cache (value → parsed) shared by the batches, parsed only on a miss. A bad value does not
    stop the pass: the error names the column's first bad row and counts every bad cell, so the pass goes on
    counting (keeping nothing once the column is bound to fail) and :meth:`check` raises at the end.
    """

    def __init__(self, column: str, value_type: str, on_invalid: str = "error", table: str | None = None,
                 file: Path | str | None = None, cache: dict[str, Any] | None = None) -> None:
        self.column, self.value_type, self.on_invalid = column, value_type, on_invalid
        self.table, self.file = table, file
        self._parse = NORMALISERS[value_type].parse
        self._cache: dict[str, Any] = {} if cache is None else cache
        self._chunks: list[pa.Array] = []
        self.faults = Faults()
        self.rows = 0

    @property
    def failed(self) -> bool:
        """The column will raise at :meth:`check`: nothing more is kept."""
        f = self.faults
        return f.control_row is not None or (f.invalid_row is not None and self.on_invalid == "error")

    def feed(self, arr: pa.Array, offset: int) -> pa.Array | None:
        """Normalise rows ``offset + 1 …`` of the column; keeps and returns the batch's normalised array, or
        None once the column is bound to fail."""
        self.rows += len(arr)
        text = nfkc_array(arr)
        self._find_control(text, offset)
        out = text if self.value_type == "string" else self._parsed(text, offset)
        if self.failed:
            self._chunks = []
            return None
        self._chunks.append(out)
        return out

    def _find_control(self, text: pa.Array, offset: int) -> None:
        hit = pc.fill_null(pc.match_substring_regex(text, _CONTROL_RE2), False).to_numpy(zero_copy_only=False)
        if not hit.any():
            return
        if self.faults.control_row is None:
            first = int(np.flatnonzero(hit)[0])
            found = _CONTROL.search(str(text[first].as_py()))
            self.faults.control_row = offset + first + 1
            self.faults.control_code = f"U+{ord(found.group()):04X}" if found else "a control character"
        self.faults.control_cells += int(hit.sum())

    def _parsed(self, text: pa.Array, offset: int) -> pa.Array:
        encoded = pc.dictionary_encode(text)
        indices = encoded.indices
        if self.value_type == "date":
            return self._dates(encoded.dictionary, indices, offset)
        cache, parse = self._cache, self._parse
        parsed: list[Any] = []
        bad: list[int] = []
        for i, u in enumerate(encoded.dictionary.to_pylist()):
            v = cache.get(u, _MISS)
            if v is _MISS:
                try:
                    v = parse(u)
                except (ValueError, OverflowError):
                    v = _BAD
                if len(cache) >= CACHE_LIMIT:
                    cache.clear()
                cache[u] = v
            if v is _BAD:
                bad.append(i)
                v = None
            parsed.append(v)
        self._count_bad(indices, bad, offset)
        return pa.array(parsed, _ARROW_TYPES[self.value_type]).take(indices)

    def _count_bad(self, indices: pa.Array, bad: list[int], offset: int) -> None:
        """Record the rows whose dictionary entry (``bad``: positions in the dictionary) did not parse."""
        if bad:
            mask = np.isin(indices.to_numpy(zero_copy_only=False), np.array(bad))
            mask &= ~np.asarray(pc.is_null(indices))
            if self.faults.invalid_row is None:
                self.faults.invalid_row = offset + int(np.flatnonzero(mask)[0]) + 1
            self.faults.invalid_cells += int(mask.sum())

    def _dates(self, dictionary: pa.Array, indices: pa.Array, offset: int) -> pa.Array:
        """The date column's distinct values parsed: western spellings with ASCII digits (what most
        extracts hold) in Arrow, the rest (wareki, other digits) by
        :func:`~pipeline.normalise.dates.parse_date` through the cache. The Arrow path takes a value only
        when its year, month and day are a real calendar day inside ``EARLIEST … LATEST`` (Arrow's
        ``strptime`` rolls 1980-02-30 over into March, so the day it gives must have the same year, month
        and day; else the value goes to ``parse_date``, which refuses it), so both give the same day.
        Why: a Python call per distinct date and batch was a quarter of the first pass's normalising."""
        # western spellings with ASCII digits (1980-03-14, 1980/3/14, 1980年3月14日, 19800314) spelled again
        # as YYYY-MM-DD: RE2's \s and [0-9] are subsets of Python's \s and \d, so whatever matches here
        # matches the same way in parse_date, with the same numbers
        parts = [pc.extract_regex(dictionary, rx) for rx in _WESTERN_RE2]
        ymd = [pc.cast(pc.coalesce(*[pc.struct_field(p, f) for p in parts]), pa.int32())
               for f in ("y", "m", "d")]
        day = pc.binary_join_element_wise(*[pc.cast(v, pa.string()) for v in ymd], "-")
        stamp = pc.strptime(day, format="%Y-%m-%d", unit="s", error_is_null=True)
        # a real day: Arrow's parse gives back the same year, month and day; inside the range: its year
        same = pc.and_(pc.and_(pc.equal(pc.year(stamp), ymd[0]), pc.equal(pc.month(stamp), ymd[1])),
                       pc.equal(pc.day(stamp), ymd[2]))
        iso = pc.and_(pc.greater_equal(ymd[0], _FIRST_YEAR), pc.less_equal(ymd[0], _LAST_YEAR))
        same, iso = pc.fill_null(same, False), pc.fill_null(iso, False)
        fast = np.asarray(pc.and_(iso, same).to_numpy(zero_copy_only=False), dtype=bool)
        days = np.asarray(pc.cast(pc.cast(stamp, pa.date32()), pa.int32()).fill_null(0).to_numpy(),
                          dtype=np.int32).copy()
        valid = fast.copy()
        cache, parse = self._cache, self._parse
        bad: list[int] = []
        slow = np.flatnonzero(~fast)
        for i, u in zip(slow.tolist(), dictionary.take(pa.array(slow)).to_pylist(), strict=True):
            v = cache.get(u, _MISS)
            if v is _MISS:
                try:
                    v = parse(u)
                except (ValueError, OverflowError):
                    v = _BAD
                if len(cache) >= CACHE_LIMIT:
                    cache.clear()
                cache[u] = v
            if v is _BAD:
                bad.append(i)
            else:
                days[i] = (v - _EPOCH).days
                valid[i] = True
        self._count_bad(indices, bad, offset)
        return pa.array(days, pa.int32(), mask=~valid).cast(pa.date32()).take(indices)

    def absorb(self, later: ColumnNormaliser) -> None:
        """Append the next batch's result normalised elsewhere (a Dask worker): chunks, faults, rows."""
        self.faults.merge(later.faults)
        self.rows += later.rows
        if self.failed:
            self._chunks = []
        else:
            self._chunks.extend(later._chunks)

    def check(self) -> int:
        """After the last batch: raise the column's error, or return how many cells were nulled as invalid."""
        error = self.faults.error(self.value_type, self.on_invalid, self.table, self.file, self.column)
        if error is not None:
            raise error
        return self.faults.invalid_cells

    def series(self) -> pd.Series:
        """The whole normalised column: ``string[pyarrow]``, ``datetime64[ns]`` or ``Int64``."""
        chunks = self._chunks or [pa.array([], _ARROW_TYPES.get(self.value_type, pa.string()))]
        self._chunks = []
        arr = pa.chunked_array(chunks)
        if self.value_type == "date":
            out = pd.Series(arr.cast(pa.timestamp("ns")).to_pandas(), name=self.column)
            return out.astype("datetime64[ns]")
        if self.value_type in ("amount", "integer"):
            return pd.Series(arr.to_pandas(types_mapper={pa.int64(): pd.Int64Dtype()}.get), name=self.column,
                             dtype="Int64")
        return pd.Series(pd.arrays.ArrowStringArray(arr), name=self.column)


def normalise_column(
    values: pd.Series,
    value_type: str,
    on_invalid: str = "error",
    table: str | None = None,
    file: Path | str | None = None,
) -> tuple[pd.Series, int]:
    """Return the typed column and how many cells were nulled as invalid (only with ``on_invalid: null``):
    the whole column as one batch of :class:`ColumnNormaliser`, so whole columns and batches share every
    rule and message."""
    norm = ColumnNormaliser(str(values.name), value_type, on_invalid, table, file)
    arr = pa.array(values.astype("string[pyarrow]").array)
    offset = 0
    for chunk in arr.chunks if isinstance(arr, pa.ChunkedArray) else [arr]:
        norm.feed(chunk, offset)
        offset += len(chunk)
    nulled = norm.check()
    out = norm.series()
    out.index, out.name = values.index, values.name
    return out, nulled
