"""``measure_release``: each released column encoded once, the joined view built from codes; the figures must
equal those of the joined frame built with pandas from the values (an independent construction)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from pipeline.attributes import measure_release
from pipeline.metrics.attribute_risk import attribute_risk


def _table(name: str, data: pd.DataFrame, qis: tuple[str, ...],
           attributes: tuple[str, ...]) -> SimpleNamespace:
    return SimpleNamespace(name=name, data=data, person_key="key", quasi_identifiers=qis,
                           attributes=attributes, spec=SimpleNamespace(person_key="証券番号"))


@pytest.mark.parametrize("dtype", ["object", "string[pyarrow]"])
def test_the_joined_view_from_codes_equals_the_joined_frame_from_values(dtype: str) -> None:
    rng = np.random.default_rng(5)
    n_ph, n_cl = 400, 700
    keys = np.array([f"K{i:04d}" for i in range(n_ph)], dtype=object)
    ph = pd.DataFrame({
        "key": keys,
        "年齢": rng.choice(["20-24", "25-29", "30-34", None], n_ph, p=[0.4, 0.3, 0.25, 0.05]),
        "居住地": rng.choice(["東京都", "大阪府", "北海道"], n_ph),
        "保険料": rng.integers(0, 30, n_ph).astype(str),
    }).astype(dtype)
    # claims of persons the policyholders hold (some with several claims) and of 30 they do not hold
    claim_keys = np.concatenate([rng.choice(keys[:300], n_cl - 30),
                                 [f"X{i:04d}" for i in rng.integers(0, 20, 30)]])
    cl = pd.DataFrame({
        "key": claim_keys,
        "入院日数": rng.choice(["0-27", "28-55", None], n_cl, p=[0.7, 0.25, 0.05]),
        "支払額": rng.integers(0, 12, n_cl).astype(str),
    }).astype(dtype)
    tables = {"policyholders": _table("policyholders", ph, ("年齢", "居住地"), ("保険料",)),
              "claims": _table("claims", cl, ("入院日数",), ("支払額",))}
    views = measure_release(tables, 3)  # type: ignore[arg-type]

    linked = ph.rename(columns={c: f"policyholders.{c}" for c in ("年齢", "居住地", "保険料")})
    frame = cl.merge(linked, on="key", how="left").astype(object)
    frame = frame.where(frame.notna(), None)
    columns = ["入院日数", "支払額", "policyholders.年齢", "policyholders.居住地", "policyholders.保険料"]
    expected = attribute_risk(frame, columns, frame["key"].to_numpy(), 3)
    got = views["claims_joined"]
    assert got.as_dict() == expected.as_dict()
    np.testing.assert_allclose(got.row_score, expected.row_score)
    assert got.unique_rows > 0 and got.persons == cl["key"].nunique()
    own = attribute_risk(cl.astype(object), ["入院日数", "支払額"], cl["key"].to_numpy(dtype=object), 3)
    assert views["claims"].as_dict() == own.as_dict()
    assert views["policyholders"].as_dict() == attribute_risk(ph, ["年齢", "居住地", "保険料"],
                                                             ph["key"].to_numpy(), 3).as_dict()


def test_three_tables_on_one_key_each_joined_view_from_every_earlier_one_and_codes_let_go_after_use(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Policyholders, claims and payments on one person key: the payments' joined view carries the columns of
    both earlier tables (equal to the frame joined with pandas); each table's codes are let go of after the
    last view that reads them (the policyholders' and the claims' after the payments' joined view is built,
    not after the claims'), and the figures equal those of a run that keeps every code."""
    from pipeline.attributes import measure as measure_module

    rng = np.random.default_rng(9)
    keys = np.array([f"K{i:03d}" for i in range(200)], dtype=object)
    ph = pd.DataFrame({"key": keys, "年齢": rng.choice(["20-24", "25-29", None], 200),
                       "保険料": rng.integers(0, 8, 200).astype(str)})
    cl = pd.DataFrame({"key": rng.choice(keys, 300), "支払額": rng.integers(0, 6, 300).astype(str)})
    pay = pd.DataFrame({"key": rng.choice(keys[:150], 250), "月": rng.choice(["1月", "2月", "3月"], 250)})
    tables = {"policyholders": _table("policyholders", ph, ("年齢",), ("保険料",)),
              "claims": _table("claims", cl, (), ("支払額",)),
              "payments": _table("payments", pay, ("月",), ())}
    forgotten: list[tuple[str, int]] = []
    forget = measure_module._Encoded.forget
    joined_built: list[str] = []
    joined_codes = measure_module.joined_codes

    def recorded(self: object, table: str) -> None:
        forgotten.append((table, len(joined_built)))
        forget(self, table)  # type: ignore[arg-type]

    def counted(t, earlier, enc):  # type: ignore[no-untyped-def]
        joined_built.append(t.name)
        return joined_codes(t, earlier, enc)

    monkeypatch.setattr(measure_module._Encoded, "forget", recorded)
    monkeypatch.setattr(measure_module, "joined_codes", counted)
    views = measure_release(tables, 3)  # type: ignore[arg-type]
    assert forgotten == [("policyholders", 3), ("claims", 3), ("payments", 3)]
    monkeypatch.setattr(measure_module._Encoded, "forget", lambda self, table: None)
    kept = measure_release(tables, 3)  # type: ignore[arg-type]
    assert {k: v.as_dict() for k, v in views.items()} == {k: v.as_dict() for k, v in kept.items()}
    frame = pay.merge(ph.rename(columns={"年齢": "policyholders.年齢", "保険料": "policyholders.保険料"}),
                      on="key", how="left")
    first_claim = cl.drop_duplicates("key").rename(columns={"支払額": "claims.支払額"})
    frame = frame.merge(first_claim, on="key", how="left").astype(object)
    frame = frame.where(frame.notna(), None)
    columns = ["月", "policyholders.年齢", "policyholders.保険料", "claims.支払額"]
    expected = attribute_risk(frame, columns, frame["key"].to_numpy(), 3)
    assert views["payments_joined"].as_dict() == expected.as_dict()
    np.testing.assert_allclose(views["payments_joined"].row_score, expected.row_score)


def test_person_keys_held_by_arrow_are_numbered_as_pandas_numbers_them() -> None:
    """``_number``: Arrow's dictionary encoding (in the system allocator) gives the partition pandas'
    factorisation gives: the same key one number in every table, a null key one more person."""
    from pipeline.attributes.measure import _number

    first = pd.Series(["a", "b", None, "c", "b"], dtype="string[pyarrow]")
    second = pd.concat([pd.Series(["c", None], dtype="string[pyarrow]"),
                        pd.Series(["z", "a"], dtype="string[pyarrow]")], ignore_index=True)  # two chunks
    codes, n = _number([first, second])
    want, uniq = pd.factorize(pd.concat([first, second], ignore_index=True).astype(object),
                              use_na_sentinel=False)
    assert n == len(uniq) == 5 and codes.dtype == np.int64
    pairs = set(zip(codes.tolist(), want.tolist(), strict=True))
    assert len(pairs) == n  # one to one
    object_codes, object_n = _number([first.astype(object), second.astype(object)])
    assert object_n == n and set(zip(object_codes.tolist(), want.tolist(), strict=True)) == {
        (c, c) for c in range(n)}
