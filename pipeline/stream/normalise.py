"""Normalising one column batch by batch, each distinct value parsed once for the whole file.

Same values, types and errors as :func:`pipeline.normalise.normalise_column` on the whole column (a test pins
it), but a batch at a time: NFKC in Arrow, then each distinct value of the batch looked up in a cross-batch
cache (value → parsed) and parsed only on a miss. The cache is bounded (:data:`CACHE_LIMIT` entries, then
cleared) so that a column of ten million distinct values cannot grow it without bound; dates, amounts and
codes have far fewer distinct values than rows, so in practice each is parsed once.

An invalid value does not stop the pass at once: like the whole-column normaliser, the error names the first
invalid row (1-based data row of the file) and counts every invalid cell of the column, so the pass goes on
counting (keeping nothing) and :meth:`ColumnNormaliser.check` raises at the end. Never the value.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from pipeline.errors import InputError, where
from pipeline.normalise.base import NORMALISERS

CACHE_LIMIT = 1_000_000
_ARROW_TYPES = {"date": pa.date32(), "amount": pa.int64(), "integer": pa.int64(), "sex": pa.string()}
_BAD = object()
_MISS = object()


_SHARED: dict[str, dict[str, Any]] = {}


def shared_cache(value_type: str) -> dict[str, Any]:
    """This process's cache for ``value_type`` (a parse depends on the text and the type only): lets the
    batches a Dask worker normalises one after another share their parsed distinct values."""
    return _SHARED.setdefault(value_type, {})


def nfkc_arrow(arr: pa.Array) -> pa.Array:
    """NFKC width normalisation and trimming of an Arrow string array; '' → null (as
    ``normalise.base.nfkc``)."""
    arr = pc.utf8_trim_whitespace(pc.utf8_normalize(arr, "NFKC"))
    return pc.if_else(pc.equal(arr, ""), pa.scalar(None, pa.string()), arr)


class ColumnNormaliser:
    """One column's normaliser for a whole file: feed batches in row order, then :meth:`check`,
    :meth:`series`."""

    def __init__(self, column: str, value_type: str, on_invalid: str, table: str | None, file: Path | str,
                 keep: bool = True, cache: dict[str, Any] | None = None) -> None:
        self.column, self.value_type, self.on_invalid = column, value_type, on_invalid
        self.table, self.file = table, file
        self.keep = keep
        self._parse = NORMALISERS[value_type].parse
        self._cache: dict[str, Any] = {} if cache is None else cache
        self._chunks: list[pa.Array] = []
        self.first_bad_row: int | None = None
        self.bad_cells = 0
        self.rows = 0

    def feed(self, arr: pa.Array, offset: int) -> pa.Array | None:
        """Normalise rows ``offset + 1 …`` of the column; returns the batch's normalised array (and keeps it
        when ``keep``), or None once an invalid value has been seen with ``on_invalid: error``."""
        self.rows += len(arr)
        text = nfkc_arrow(arr)
        if self.value_type == "string":
            out: pa.Array = text
        else:
            out = self._parsed(text, offset)
        if self.first_bad_row is not None and self.on_invalid == "error":
            self._chunks = []
            return None
        if self.keep:
            self._chunks.append(out)
        return out

    def _parsed(self, text: pa.Array, offset: int) -> pa.Array:
        encoded = pc.dictionary_encode(text)
        indices = encoded.indices
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
        if bad:
            mask = np.isin(indices.to_numpy(zero_copy_only=False), np.array(bad))
            mask &= ~np.asarray(pc.is_null(indices))
            if self.first_bad_row is None:
                self.first_bad_row = offset + int(np.flatnonzero(mask)[0]) + 1
            self.bad_cells += int(mask.sum())
        lookup = pa.array(parsed, _ARROW_TYPES[self.value_type])
        return lookup.take(indices)

    def absorb(self, later: ColumnNormaliser) -> None:
        """Append the next batch's result normalised elsewhere (a Dask worker): chunks, invalid cells,
        rows."""
        if later.first_bad_row is not None:
            if self.first_bad_row is None:
                self.first_bad_row = later.first_bad_row
            self.bad_cells += later.bad_cells
        self.rows += later.rows
        if self.first_bad_row is not None and self.on_invalid == "error":
            self._chunks = []
        elif self.keep:
            self._chunks.extend(later._chunks)

    def check(self) -> int:
        """After the last batch: raise the column's error, or return how many cells were nulled as invalid."""
        if self.first_bad_row is not None and self.on_invalid == "error":
            raise InputError(
                f"{where(table=self.table, file=self.file, row=self.first_bad_row, column=self.column)}: "
                f"not a valid {self.value_type} ({self.bad_cells} invalid cells in this column; "
                "fix the extract or set on_invalid: null)"
            )
        return self.bad_cells

    def series(self) -> pd.Series:
        """The whole normalised column, with the dtype :func:`pipeline.normalise.normalise_column` gives."""
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
