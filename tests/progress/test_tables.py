"""Plain-text tables: aligned in terminal cells (Japanese takes two), numbers right, never wrapped or
styled."""

from __future__ import annotations

from wcwidth import wcswidth

from pipeline import progress


def test_format_summary_aligns_wide_characters_and_numbers():
    rows = [
        {"table": "policyholders", "rows in": 1_000_000, "suppressed": 1234, "risk after": 0.2},
        {"table": "請求", "rows in": 52, "suppressed": 0, "risk after": None},
    ]
    text = progress.format_summary(rows, notes=["published items: out/r1/published_items.ja.md"])
    lines = text.splitlines()
    assert lines[0].split() == ["table", "rows", "in", "suppressed", "risk", "after"]
    assert set(lines[1]) == {"-", " "}
    # every row has the same display width up to its last column, so numbers line up on the right
    assert len({wcswidth(line) for line in lines[:4]}) == 1
    assert "1,000,000" in lines[2] and lines[3].endswith("-")
    # right-aligned: "52" ends in the same terminal column as "1,000,000" although 請求 is double-width
    end_big = lines[2].index("1,000,000") + len("1,000,000")
    end_small = lines[3].index("52") + 2
    assert wcswidth(lines[2][:end_big]) == wcswidth(lines[3][:end_small])
    # columns start where their header starts, two spaces after the widest cell before them
    assert lines[0].index("rows in") == len("policyholders") + 2
    assert lines[-1] == "published items: out/r1/published_items.ja.md"


def test_cells_numbers_and_missing_values():
    text = progress.format_summary([{"a": 0.16666, "b": 12345.0, "c": True, "d": None, "e": "請求"},
                                    {"a": 3}])
    row, short = text.splitlines()[2:]
    assert row.split() == ["0.1667", "12,345", "yes", "-", "請求"]
    assert short.split() == ["3", "-", "-", "-", "-"]  # a key a row lacks is a missing cell


def test_nothing_is_read_as_markup_and_nothing_is_wrapped():
    long = "x" * 300
    text = progress.format_summary([{"name": "[bold]a[/bold] :smile:", "note": long}])
    assert "[bold]a[/bold] :smile:" in text and long in text
    assert "\x1b" not in text and len(text.splitlines()) == 3


def test_render_table_without_rule_and_with_a_minimum_width():
    text = progress.render_table([[("a", False), ("1", True)], [("請求", False), ("22", True)]],
                                 header=[("n", False), ("v", True)], rule=False, min_widths=[6])
    assert text.splitlines() == ["n        v", "a        1", "請求    22"]
    bare = progress.render_table([[("ab", False), ("x", False)]], min_widths=[4])
    assert bare == "ab    x"
