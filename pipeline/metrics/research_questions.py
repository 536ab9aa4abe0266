"""Standard research questions answered on the input and on the release, with their relative error.

The questions a purpose-7 analyst and a reinsurer ask first (issue 13): claim rate (claimants / persons) by
age band × sex, claim rate by prefecture, and the product mix by region. Each is asked at a target level
(ten-year age bands, 都道府県, 地方) or, where most of the release is coarser, at the level released; released
rows coarser than that level cannot be placed in a group and count against the answer. The input side is
computed from the prepared (normalised) tables in memory; only group labels at the question's level, rates
and counts are kept.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from pipeline.config.model import ColumnSpec, TableSpec
from pipeline.hierarchies.base import Hierarchy
from pipeline.metrics.utility import compare, label_levels, leaves_up_to, mix_by, rate_by, up_to
from pipeline.prepare import Prepared
from pipeline.release.candidate import TableResult


def _find(spec: TableSpec, kind: str | None = None, type_: str | None = None) -> ColumnSpec | None:
    for c in spec.by_role("quasi_identifier"):
        if (kind and c.hierarchy is not None and c.hierarchy.kind == kind) or (type_ and c.type == type_):
            return c
    return None


def _target_level(h: Hierarchy, col: ColumnSpec, wanted: str, default: int) -> int:
    """The level named ``wanted`` (a band width or an address level), else ``default``."""
    from pipeline.config.priorities import level_names

    assert col.hierarchy is not None
    for i, names in enumerate(level_names(col.hierarchy)):
        if wanted in names:
            return min(i, h.height - 1)
    return min(default, h.height - 1)


def _asked_level(released: pd.Series, h: Hierarchy, target: int, persons: np.ndarray) -> int | None:
    """The target level, or the release's median level (over ``persons``, per released unit) where that is
    coarser ("or the level released"); None when most persons are released at the root (the dimension
    cannot be asked)."""
    levels_of = label_levels(h)
    codes, uniq = pd.factorize(released.astype(object))
    per = np.array([levels_of.get(str(u), h.height - 1) for u in uniq], dtype=np.int64)
    lv, weight = per[codes[codes >= 0]], np.asarray(persons, dtype=np.int64)[codes >= 0]
    median = target
    if weight.sum():  # the middle person's level: the persons' sorted levels at position total // 2
        order = np.argsort(lv, kind="stable")
        cum = np.cumsum(weight[order])
        median = int(lv[order][np.searchsorted(cum, cum[-1] // 2, side="right")])
    if median >= h.height - 1:
        return None
    return max(target, median)


@dataclass(frozen=True)
class Units:
    """Input persons grouped into units alike in what a question reads: per unit the leaf codes of the
    person table's columns with a hierarchy (input names), how many persons it holds, how many of them have
    a row in a later table (claimants), and the product column's value when that has no hierarchy. The
    whole-table path makes every person a unit (their first row); the streamed run one unit per first
    tuple (and product value), from its first pass."""

    codes: dict[str, np.ndarray]
    persons: np.ndarray
    claimants: np.ndarray | None = None
    values: pd.Series | None = None


@dataclass(frozen=True)
class InputSide:
    """What the questions read of the input: the person table, its hierarchies (input column name →
    hierarchy of ``codes``), the units of the claim-rate questions and of the product mix (None: not
    asked)."""

    spec: TableSpec
    hierarchies: dict[str, Hierarchy]
    rates: Units
    mix: Units | None = None


def person_table(specs: Iterable[TableSpec]) -> TableSpec | None:
    """The table the questions are asked of: the first with a person key and an age or address column."""
    return next((t for t in specs if t.person_key and (_find(t, kind="age") or _find(t, kind="address"))),
                None)


def input_side(prepared: Prepared, product: str | None = None) -> InputSide | None:
    """The whole-table path's input side: every person of the person table as a unit (their first row),
    claimants by their key among the later tables' rows."""
    spec = person_table(t.spec for t in prepared.tables.values())
    if spec is None:
        return None
    person = prepared.tables[spec.name]
    pk = spec.person_key
    assert pk is not None
    later = [t for t in prepared.tables.values() if t is not person and t.spec.person_key == pk]
    first = ~person.values[pk].duplicated().to_numpy()  # a person's values: their first row's
    claimants = None
    if later:
        claims_in = pd.concat([t.values[pk] for t in later], ignore_index=True)
        claimants = _member(person.values[pk][first], claims_in).astype(np.int64)
    asked = [c.name for c in (_find(spec, kind="age"), _find(spec, type_="sex"), _find(spec, kind="address"))
             if c is not None] + ([product] if product else [])
    codes = {name: person.leaf_codes(name)[first] for name in asked if name in person.leaves}
    values = None
    if product and product not in person.leaves and product in person.values:
        values = person.values[product][first].reset_index(drop=True)
    units = Units(codes, np.ones(int(first.sum()), dtype=np.int64), claimants, values)
    mix = units if product and (product in codes or values is not None) else None
    return InputSide(spec, {name: h for name, (_, h) in person.leaves.items()}, units, mix)


def research_questions(inputs: InputSide | None, results: dict[str, TableResult],
                       product: str | None = None) -> tuple[str | None, list[dict]]:
    """The person table's name and the questions it and its claims allow (none without an age or address
    column): the input side from ``inputs`` (:func:`input_side`, or the streamed run's first pass), the
    release side from the released tables."""
    if inputs is None:
        return None, []
    spec = inputs.spec
    pk = spec.person_key
    assert pk is not None
    out_key = spec.column(pk).output_name
    released = results[spec.name].data
    first = first_rows(released[out_key])
    later = [t for name, t in results.items() if name != spec.name and t.spec.person_key == pk]
    flags_out = None
    if later and inputs.rates.claimants is not None:
        claims_out = (later[0].data[out_key] if len(later) == 1
                      else pd.concat([t.data[out_key] for t in later], ignore_index=True))
        flags_out = _member(released[out_key] if first.all() else released[out_key][first], claims_out)
    age, sex, addr = _find(spec, kind="age"), _find(spec, type_="sex"), _find(spec, kind="address")
    asked = [c.output_name for c in (age, sex, addr) if c is not None]
    if product and spec.column(product).output_name in released:
        asked.append(spec.column(product).output_name)
    rel = _released_units(released, first, asked, flags_out)
    questions = []
    if flags_out is not None:
        dims = [(c, w, d) for c, w, d in ((age, "10", 2), (sex, "", 0)) if c is not None]
        if dims:
            questions.append(_rate("claim rate by " + " × ".join(c.output_name for c, _, _ in dims),
                                   inputs, rel, dims))
        if addr is not None:
            questions.append(_rate(f"claim rate by {addr.output_name}", inputs, rel,
                                   [(addr, "都道府県", 1)]))
    if product and addr is not None and inputs.mix is not None:
        questions.append(_mix(f"{product} mix by {addr.output_name}", inputs, rel, addr, product))
    return spec.name, questions


def first_rows(keys: pd.Series) -> np.ndarray:
    """Per row: whether no earlier row holds its key. Keys of one width (the released surrogates: 14
    letters each) are compared as their bytes, packed into two 64-bit words chunk by chunk and sorted once
    (a stable sort: the first of equal keys is the first row); anything else through pandas. Why: pandas'
    ``duplicated`` on ten million Arrow strings made a Python object of each (10M released policyholders:
    +1.4 GiB, 6.5 s)."""
    import pyarrow as pa

    held = pa.array(keys, from_pandas=True)
    chunks = held.chunks if isinstance(held, pa.ChunkedArray) else [held]
    n = len(held)
    words = _packed(chunks, n) if n and held.null_count == 0 else None
    if words is None:
        return ~keys.duplicated().to_numpy()
    high, low = words
    order = np.lexsort((low, high))
    high, low = high[order], low[order]
    repeat = np.zeros(n, dtype=bool)
    repeat[order[1:]] = (high[1:] == high[:-1]) & (low[1:] == low[:-1])
    return ~repeat


def _packed(chunks: list, n: int) -> tuple[np.ndarray, np.ndarray] | None:
    """Each string of ``chunks`` (Arrow, no nulls) as two 64-bit words of its bytes, zero-padded; None unless
    every string has the same width, at most 16 bytes."""
    import pyarrow as pa

    high, low = np.empty(n, dtype=np.uint64), np.empty(n, dtype=np.uint64)
    width = None
    at = 0
    for chunk in chunks:
        if not (pa.types.is_string(chunk.type) or pa.types.is_large_string(chunk.type)):
            return None
        m = len(chunk)
        if not m:
            continue
        offsets_type = np.int64 if pa.types.is_large_string(chunk.type) else np.int32
        _, offsets_buf, data_buf = chunk.buffers()
        offsets = np.frombuffer(offsets_buf, dtype=offsets_type)[chunk.offset: chunk.offset + m + 1]
        width = int(offsets[1] - offsets[0]) if width is None else width
        if not 0 < width <= 16 or not (np.diff(offsets) == width).all():
            return None
        start = int(offsets[0])
        data = np.frombuffer(data_buf, dtype=np.uint8)[start: start + m * width].reshape(m, width)
        high[at: at + m], low[at: at + m] = _word(data[:, :8]), _word(data[:, 8:])
        at += m
    return high, low


def _word(part: np.ndarray) -> np.ndarray:
    """Up to 8 bytes per row as one 64-bit word (zero-padded)."""
    out = np.zeros((len(part), 8), dtype=np.uint8)
    out[:, : part.shape[1]] = part
    return out.view(np.uint64).ravel()


def _released_units(released: pd.DataFrame, first: np.ndarray, columns: list[str],
                    flags: np.ndarray | None) -> pd.DataFrame:
    """The released persons (each their first row) grouped by their labels in ``columns`` and claimant flag:
    one row per group with the labels (nulls as None), ``_persons`` and ``_claimants``. Why: a released
    person table of ten million rows was copied, then held as Python objects per column and grouped by them
    (10M: 4.1 GiB, the run's peak); its labels are a dozen per column, so the groups are few, built on the
    codes."""
    whole = bool(first.all())  # one row per person: no copy of the columns
    n = int(first.sum())
    flag = np.zeros(n, dtype=np.int64) if flags is None else np.asarray(flags, dtype=np.int64)
    key = flag.copy()  # the packed key: (… (code₁ · card₂ + code₂) …) · 2 + flag, codes shifted past the null
    labels, cards = [], []
    for name in columns:
        col = released[name]
        if isinstance(col.dtype, pd.CategoricalDtype):
            c, uniq = col.cat.codes.to_numpy(), col.cat.categories
            c = c if whole else c[first]
        else:
            c, uniq = pd.factorize(col if whole else col[first])
        labels.append(np.array([None, *(uniq.astype(object))], dtype=object))
        cards.append(len(uniq) + 1)
        key += (np.asarray(c, dtype=np.int64) + 1) * (2 * int(np.prod(cards[:-1], dtype=np.int64)))
    if float(np.prod(np.array(cards, dtype=np.float64))) * 2 >= 2.0 ** 62:
        raise ValueError("too many released labels to group the questions' persons")
    inv, packed = pd.factorize(key)
    del key
    packed = np.asarray(packed, dtype=np.int64)
    frame = {}
    rest = packed // 2
    for i, name in enumerate(columns):
        frame[name] = labels[i][rest % cards[i]]
        rest //= cards[i]
    m = len(packed)
    return pd.DataFrame({**frame, "_persons": np.bincount(inv, minlength=m).astype(np.int64),
                         "_claimants": np.bincount(inv, weights=flag, minlength=m).astype(np.int64)})


def _member(values: pd.Series, pool: pd.Series) -> np.ndarray:
    """Per value: whether it occurs in ``pool`` (a null never does), by Arrow's hash set of the pool: no
    Python object per key (10M released persons against 5.9M claims: 3.5 s; a pandas factorisation of both
    built one hash table of all 16M)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    held = pa.array(values, from_pandas=True)  # an Arrow string column: its own chunks, not a copy
    if pa.types.is_null(held.type):
        return np.zeros(len(values), dtype=bool)
    value_set = pa.array(pool, from_pandas=True)
    if isinstance(value_set, pa.ChunkedArray):
        value_set = value_set.combine_chunks()
    found = pc.is_in(held, value_set=value_set.cast(held.type), skip_nulls=True)
    if isinstance(found, pa.ChunkedArray):
        return np.concatenate([c.fill_null(False).to_numpy(zero_copy_only=False) for c in found.chunks]
                              or [np.zeros(0, dtype=bool)])
    return found.fill_null(False).to_numpy(zero_copy_only=False)


def _groups(inputs: InputSide, units: Units, rel: pd.DataFrame, dims: list[tuple[ColumnSpec, str, int]],
            ) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, str]]:
    before, after, levels = {}, {}, {}
    for col, wanted, default in dims:
        h = inputs.hierarchies[col.name]
        lv = _asked_level(rel[col.output_name], h, _target_level(h, col, wanted, default),
                          rel["_persons"].to_numpy())
        if lv is None:
            levels[col.output_name] = f"{h.level_descriptions[-1]}: not asked"
            continue
        before[col.output_name] = leaves_up_to(units.codes[col.name], h, lv)
        after[col.output_name] = up_to(rel[col.output_name], h, lv)
        levels[col.output_name] = h.level_descriptions[lv]
    return pd.DataFrame(before), pd.DataFrame(after), levels


def _placed(after: pd.DataFrame, persons: np.ndarray) -> tuple[int, float]:
    """(released persons, the share of them placed in a group: every dimension at the asked level)."""
    total = int(persons.sum())
    placed = int(persons[after.notna().all(axis=1).to_numpy()].sum()) if len(after) else 0
    return total, placed / total if total else 0.0


def _rate(name: str, inputs: InputSide, rel: pd.DataFrame, dims: list[tuple[ColumnSpec, str, int]]) -> dict:
    units = inputs.rates
    assert units.claimants is not None
    before, after, levels = _groups(inputs, units, rel, dims)
    if before.empty:
        return {"question": name, "levels": levels, "answerable": False}
    persons = rel["_persons"].to_numpy()
    persons_out, placed = _placed(after, persons)
    return {"question": name, "levels": levels, "persons_in": int(units.persons.sum()),
            "persons_out": persons_out, "placed_share": placed,
            **compare(rate_by(before, units.claimants, units.persons),
                      rate_by(after, rel["_claimants"].to_numpy(), persons))}


#: The label of the input values a release does not hold (the report never names them).
NOT_RELEASED = "(not released)"


def _mix(name: str, inputs: InputSide, rel: pd.DataFrame, addr: ColumnSpec, product: str) -> dict:
    units = inputs.mix
    assert units is not None
    before, after, levels = _groups(inputs, units, rel, [(addr, "地方", 2)])
    if before.empty:
        return {"question": name, "levels": levels, "answerable": False}
    col = inputs.spec.column(product)
    values_out = rel[col.output_name].astype(object)
    persons = rel["_persons"].to_numpy()
    if product in inputs.hierarchies:  # a quasi-identifier, or promoted by protect_attributes: asked at the
        h = inputs.hierarchies[product]  # level released, if any
        lv = _asked_level(values_out, h, 0, persons)
        if lv is None:
            levels[col.output_name] = f"{h.level_descriptions[-1]}: not asked"
            return {"question": name, "levels": levels, "answerable": False}
        values_in = leaves_up_to(units.codes[product], h, lv)
        values_out = up_to(values_out, h, lv)
        levels[col.output_name] = h.level_descriptions[lv]
    else:
        assert units.values is not None
        values_in = units.values.reset_index(drop=True)
    # Only released labels are named (the report shows the worst groups): an input value the release does
    # not hold (merged into その他, or suppressed) is one group, lost as a whole
    released = {str(v) for v in pd.unique(values_out.dropna())}
    values_in = values_in.astype(object).where(values_in.isna() | values_in.astype(str).isin(released),
                                               NOT_RELEASED)
    persons_out, placed = _placed(after, persons)
    return {"question": name, "levels": levels, "persons_in": int(units.persons.sum()),
            "persons_out": persons_out, "placed_share": placed,
            **compare(mix_by(before, values_in, units.persons), mix_by(after, values_out, persons))}
