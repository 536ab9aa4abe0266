"""Text columns between pandas and Arrow, without a Python string per row: the two conversions the gates and
the streamed run's read-back share.

Why here: the released tables of a streamed run are held as Arrow strings and categoricals, and the steps
after the anonymisation (the read-back, linked persons in the manifest, the GX gate's categoricals) each
needed the same two moves; ten million surrogate keys as Python strings cost 60 bytes each.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc


def is_arrow_text(values: pd.Series) -> bool:
    """Whether the column is pandas' Arrow-backed string (``string[pyarrow]``)."""
    return isinstance(values.dtype, pd.StringDtype) and values.dtype.storage == "pyarrow"


def arrow_text(values: pd.Series, type: pa.DataType | None = None) -> pa.Array:
    """The column as one Arrow array: Arrow strings as they are (their chunks joined), anything else
    converted (nulls as nulls; ``type`` forces the type of the conversion). Raises Arrow's error for values
    Arrow cannot hold as that type."""
    if is_arrow_text(values):
        held = pa.array(values.array)
        return held.combine_chunks() if isinstance(held, pa.ChunkedArray) else held
    return pa.array(values.to_numpy(dtype=object, na_value=None), type=type, from_pandas=True)


def arrow_chunks(values: pd.Series) -> pa.ChunkedArray:
    """:func:`arrow_text` without its copy of an Arrow-text column's chunks into one array: a release read
    back from Parquet holds its linking codes in a chunk per row group, and joining ten million surrogate
    keys copied 230 MiB before any hash was built. For Arrow's kernels that take chunked input
    (``unique``, ``is_in``, ``index_in``, ``dictionary_encode``). Other dtypes converted as
    :func:`arrow_text` converts them."""
    held = pa.array(values.array) if is_arrow_text(values) else arrow_text(values)
    return held if isinstance(held, pa.ChunkedArray) else pa.chunked_array([held], type=held.type)


def chunked_codes(encoded: pa.ChunkedArray, dtype: type = np.int32) -> tuple[np.ndarray, int]:
    """``(codes, n)`` of a chunked ``dictionary_encode`` (its chunks share one dictionary): every chunk's
    indices in one array of ``dtype``, a null as -1, and the size of the dictionary."""
    codes: np.ndarray = np.empty(len(encoded), dtype=dtype)
    at = 0
    for chunk in encoded.chunks:
        codes[at:at + len(chunk)] = chunk.indices.fill_null(-1).to_numpy(zero_copy_only=False)
        at += len(chunk)
    return codes, len(encoded.chunks[0].dictionary) if encoded.num_chunks else 0


#: rows that one hash table of :func:`text_codes` holds at most (about: the parts are as even as the values'
#: last bytes); a million linking codes hash in about 100 MiB
PART_ROWS = 1 << 20
_TEXT = (pa.types.is_string, pa.types.is_large_string, pa.types.is_binary, pa.types.is_large_binary)


def text_codes(columns: Sequence[pa.ChunkedArray], dtype: type = np.int64, part_rows: int = PART_ROWS,
               null_value: bool = False) -> tuple[np.ndarray, int]:
    """``(codes, n)``: one code in ``0..n-1`` per distinct value over the rows of all ``columns`` (one after
    another; columns of different string types are read as large strings), a null -1, or with
    ``null_value`` one more value (code ``n - 1`` when some row is null). The partition of rows
    :func:`chunked_codes` of one ``dictionary_encode`` gives (the codes' order may differ), with no hash
    table of more than about ``part_rows`` rows, in the system allocator's memory.

    Why: one hash table of ten million linking codes (a release's person keys at 10M policyholders) took
    about 1 GiB while it was built, the peak of the report's class sizes, the gate's person counts and the
    risk measure (issue 17); Arrow's default pool also kept the tables it had outgrown. The rows are split
    into parts by their values' last two bytes (equal values share a part), each part hashed on its own and
    its codes offset by the values of the parts before it. Text and binary types; any other type (and
    fewer rows than ``part_rows``) is hashed in one table."""
    codes, n, _ = _encode_parts(columns, dtype, part_rows, keep_values=False)
    if null_value:
        null = codes < 0
        if null.any():
            codes[null] = n
            n += 1
    return codes, n


def text_encode(columns: Sequence[pa.ChunkedArray], dtype: type = np.int64, part_rows: int = PART_ROWS
                ) -> tuple[np.ndarray, pa.Array]:
    """:func:`text_codes` with the distinct values: ``(codes, values)``, ``values[c]`` the value of code
    ``c`` (one array: the parts' dictionaries one after another)."""
    codes, _, values = _encode_parts(columns, dtype, part_rows, keep_values=True)
    assert values is not None
    return codes, values


def _encode_parts(columns: Sequence[pa.ChunkedArray], dtype: type, part_rows: int, keep_values: bool
                  ) -> tuple[np.ndarray, int, pa.Array | None]:
    pool = pa.system_memory_pool()
    chunks = [c for column in columns for c in column.chunks]
    type_ = columns[0].type if columns else pa.large_string()
    if any(column.type != type_ for column in columns):
        type_ = pa.large_string()
        chunks = [c.cast(type_) for c in chunks]
    whole = pa.chunked_array(chunks, type=type_)
    n_rows = len(whole)
    parts = -(-n_rows // max(part_rows, 1))
    if parts <= 1 or not any(is_(type_) for is_ in _TEXT):
        encoded = pc.dictionary_encode(whole, memory_pool=pool)
        codes, n = chunked_codes(encoded, dtype)
        values = (encoded.chunks[0].dictionary if encoded.num_chunks else pa.array([], type=type_)
                  ) if keep_values else None
        return codes, n, values
    part = np.concatenate([_tail(c) % parts for c in chunks]).astype(np.uint16)
    codes = np.full(n_rows, -1, dtype=dtype)
    dictionaries = []
    total = 0
    for p in range(parts):
        mask = part == p
        rows = np.flatnonzero(mask)
        if not len(rows):
            continue
        # a mask filters chunk by chunk (0.4 s for ten parts of 10M keys; ``take`` of global row numbers
        # from a chunked array took 1.7 s)
        encoded = pc.dictionary_encode(pc.filter(whole, pa.array(mask), memory_pool=pool), memory_pool=pool)
        local, n = chunked_codes(encoded, dtype)
        if keep_values and n:
            dictionaries.append(encoded.chunks[0].dictionary)
        del encoded
        codes[rows] = np.where(local >= 0, local + total, -1)
        total += n
    values = (pa.concat_arrays(dictionaries) if dictionaries else pa.array([], type=type_)) if keep_values \
        else None
    return codes, total, values


def _tail(chunk: pa.Array) -> np.ndarray:
    """Per value of a text or binary array, its last two bytes as one number (a shorter value: 0 for each
    byte it lacks), read from the array's offsets and data buffers without a Python object per value. A
    null's slot reads whatever bytes its offsets span (its part does not matter: its code is -1)."""
    large = pa.types.is_large_string(chunk.type) or pa.types.is_large_binary(chunk.type)
    buffers = chunk.buffers()
    if buffers[1] is None or not len(chunk):
        return np.zeros(len(chunk), dtype=np.uint32)
    offsets = np.frombuffer(buffers[1], dtype=np.int64 if large else np.int32)
    bounds: np.ndarray = offsets[chunk.offset: chunk.offset + len(chunk) + 1].astype(np.int64)
    end: np.ndarray = bounds[1:]
    length: np.ndarray = end - bounds[:-1]
    data = np.frombuffer(buffers[2], dtype=np.uint8) if buffers[2] is not None and buffers[2].size else None
    if data is None:
        return np.zeros(len(chunk), dtype=np.uint32)
    top = len(data) - 1
    last = np.where(length >= 1, data[np.clip(end - 1, 0, top)], 0).astype(np.uint32)
    before = np.where(length >= 2, data[np.clip(end - 2, 0, top)], 0).astype(np.uint32)
    return last * 257 + before


def sorted_categorical(codes: np.ndarray, dictionary: pa.Array, dtype: object) -> pd.Categorical:
    """A pandas categorical from dictionary ``codes`` (-1: null) into ``dictionary``: the categories are the
    values some row uses, in code-point order (``astype("category")``'s order: UTF-8 byte order is code point
    order), held in ``dtype`` (Arrow strings stay in Arrow); the rows' codes are
    renumbered, no row's value is touched."""
    codes = np.asarray(codes, dtype=np.int64)
    used = np.flatnonzero(np.bincount(codes[codes >= 0], minlength=len(dictionary)) > 0)
    present = dictionary.take(pa.array(used, type=pa.int64()))
    order = pc.array_sort_indices(present).to_numpy()
    rank = np.full(len(dictionary), -1, dtype=np.int64)
    rank[used[order]] = np.arange(len(order))
    ordered = present.take(pa.array(order, type=pa.int64()))
    if isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow":
        categories = pd.Index(pd.array(ordered, dtype=dtype))
    else:
        categories = pd.Index(ordered.to_numpy(zero_copy_only=False), dtype=dtype)
    renumbered = np.where(codes >= 0, rank[np.maximum(codes, 0)], -1)
    return pd.Categorical.from_codes(renumbered, dtype=pd.CategoricalDtype(categories), validate=False)
