"""Catalogue: cell values that crashed pandas or slipped through (issue 11 points 2, 6, 8).

Each case plants one bad value in row 1 of the good extract, beside the personal values of
``conftest.PERSONAL``: exit 4, one line naming table, file, row and column, never the value.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import pytest

from pipeline.normalise import normalise_column
from tests.hostile.conftest import (
    HEADER,
    PERSONAL,
    Case,
    Result,
    assert_failed_cleanly,
    digest,
    rows,
    write_csv,
)

#: (case id, column, value, words the error line must hold)
BAD_VALUES: list[tuple[str, str, str, tuple[str, ...]]] = [
    ("birth year 1000", "生年月日", "1000-07-23", ("row 1", "column 生年月日", "not a valid date")),
    ("birth year 0980", "生年月日", "0980-07-23", ("row 1", "column 生年月日", "not a valid date")),
    ("no-date placeholder 9999-12-31", "生年月日", "9999-12-31", ("9999-12-31 are invalid",)),
    ("beyond pandas 2262-04-12", "生年月日", "2262-04-12", ("row 1", "not a valid date")),
    ("before pandas 1677-09-20", "生年月日", "1677-09-20", ("row 1", "not a valid date")),
    ("year zero", "生年月日", "0000-01-01", ("row 1", "not a valid date")),
    ("compact far future", "生年月日", "99991231", ("row 1", "not a valid date")),
    ("wareki beyond its era", "生年月日", "平成45年1月1日", ("row 1", "not a valid date")),
    ("born after the reference date", "生年月日", "2030-01-01", ("row 1", "birth date after the reference")),
    ("23-digit amount", "保険料", "12345678901234567890123",
     ("row 1", "column 保険料", "not a valid amount")),
    ("amount in 万 overflowing", "保険料", "99999999999999万円", ("row 1", "not a valid amount")),
    ("amount with an exponent", "保険料", "1e30", ("row 1", "not a valid amount")),
    ("NUL in a kept value", "保険種類", "医療\x00保険", ("row 1", "column 保険種類", "U+0000")),
    ("escape character in a kept value", "保険種類", "医療\x1b[31m保険", ("U+001B",)),
    ("right-to-left override in a kept value", "保険種類", "医療\u202e険保", ("U+202E",)),
    ("NUL in the person key", "証券番号", "KZ3141\x005926", ("column 証券番号", "U+0000")),
    ("unknown sex code", "性別", "X", ("row 1", "column 性別", "not a valid sex")),
    ("address without a prefecture", "住所", "大和郡山市北郡山町248番地", ("row 1", "住所", "都道府県")),
    ("empty person key", "証券番号", "", ("row 1", "person key is empty")),
]


@pytest.mark.parametrize(("column", "value", "words"), [b[1:] for b in BAD_VALUES],
                         ids=[b[0] for b in BAD_VALUES])
def test_bad_value(case: Case, cli: Callable[..., Result], column: str, value: str,
                   words: tuple[str, ...]) -> None:
    data = rows()
    data[0][HEADER.index(column)] = value
    write_csv(case.csv, data=data)
    line = assert_failed_cleanly(cli(*case.run_args()), 4, case, digest(case.register))
    for w in words:
        assert w in line, line
    if len(value) > 3 and value != "9999-12-31":  # the hint names that placeholder itself
        assert value not in line and value.replace("\x00", "") not in line


def test_placeholder_dates_become_nulls_with_on_invalid_null() -> None:
    """``on_invalid: null``: 9999-12-31 and year 1000 are nulled and counted, the rest parsed."""
    s = pd.Series(["9999-12-31", "1980-03-14", "1000-01-01", None, "昭和55年3月14日"], name="生年月日")
    out, nulled = normalise_column(s, "date", "null", "t", "f.csv")
    assert nulled == 2
    assert out.isna().tolist() == [True, False, True, True, False]
    assert out[1] == pd.Timestamp("1980-03-14") and out[4] == pd.Timestamp("1980-03-14")


def test_personal_values_are_planted() -> None:
    """The catalogue's leak checks are only as good as the values they look for: row 1 really holds them."""
    first = dict(zip(HEADER, rows()[0], strict=True))
    assert first["氏名"] == PERSONAL["name"] and first["個人番号"] == PERSONAL["my_number"]
    from stdnum.jp import in_

    assert in_.is_valid(PERSONAL["my_number"])


@pytest.mark.parametrize(("exc", "code", "words"), [
    (ValueError(f"Out of bounds nanosecond timestamp: {PERSONAL['birth']} for {PERSONAL['name']}"), 1,
     ("internal error ValueError at", "message is withheld")),
    (KeyError(PERSONAL["my_number"]), 1, ("internal error KeyError",)),
    (MemoryError(), 1, ("out of memory",)),
    (OSError(28, "No space left on device", PERSONAL["address"]), 11, ("ENOSPC", "no release was written")),
])
def test_unexpected_exceptions_are_one_line_without_their_message(
        case: Case, cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch, exc: BaseException,
        code: int, words: tuple[str, ...]) -> None:
    """The last resort: an exception no layer typed still ends as one line, its message (which may quote a
    cell) withheld."""
    import pipeline.prepare

    def explode(*_args: object, **_kwargs: object) -> None:
        raise exc

    monkeypatch.setattr(pipeline.prepare, "read_table", explode)
    line = assert_failed_cleanly(cli(*case.run_args()), code, case, digest(case.register))
    for w in words:
        assert w in line, line


def test_unknown_municipality_falls_back_to_the_prefecture_and_is_counted(case: Case) -> None:
    """A 市区町村 missing from the official list (a typo here) is generalised to its 都道府県, never kept with
    its street, and counted for the manifest."""
    from pipeline.config import load_config
    from pipeline.prepare import prepare

    data = rows()
    data[1][HEADER.index("住所")] = "奈良県大和群山市北郡山町1番地"  # 群 for 郡: not a municipality
    data[2][HEADER.index("住所")] = "大阪府大阪市北区梅田1"
    write_csv(case.csv, data=data)
    prepared = prepare(load_config(case.config), {"policyholders": case.csv}).tables["policyholders"]
    leaves = prepared.leaves["住所"][0]
    assert leaves[0] == "奈良県大和郡山市" and leaves[1] == "奈良県" and leaves[2] == "大阪府大阪市北区"
    assert prepared.addresses_coarsened == {"居住地": 1}
