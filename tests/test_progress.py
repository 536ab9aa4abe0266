"""Progress lines only for a person at a terminal; the summary is an aligned table."""

from __future__ import annotations

import io

import pytest

from pipeline import progress


class FakeTTY(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture(autouse=True)
def _reset(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setattr(progress, "REDRAW_EVERY", 0.0)
    progress.set_quiet(False)
    yield
    progress.set_quiet(False)


def test_draws_rows_per_second_on_a_tty():
    out = FakeTTY()
    with progress.step("read claims", total=1000, stream=out) as bar:
        for _ in range(4):
            bar.advance(250)
    text = out.getvalue()
    assert "read claims" in text
    assert "[" in text and "/1,000 rows" in text  # a bar while running
    last = text.rstrip("\n").split("\r")[-1]
    assert "1,000 rows" in last and "rows/s" in last and last.rstrip("\x1b[K").endswith("done")
    assert text.endswith("\n")


@pytest.mark.parametrize(
    ("stream", "quiet", "ci"),
    [
        (io.StringIO(), False, None),  # not a terminal (a log file, a pipe)
        (FakeTTY(), True, None),  # --quiet
        (FakeTTY(), False, "true"),  # CI
    ],
)
def test_silent(monkeypatch, stream, quiet, ci):
    if ci:
        monkeypatch.setenv("CI", ci)
    progress.set_quiet(quiet)
    with progress.step("search", total=10, stream=stream) as bar:
        bar.advance(10)
    assert stream.getvalue() == ""
    assert bar.done == 10  # counting still works


def test_failed_step_says_so_and_reraises():
    out = FakeTTY()
    with pytest.raises(RuntimeError), progress.step("write", stream=out):
        raise RuntimeError("boom")
    assert out.getvalue().rstrip("\n").split("\r")[-1].rstrip("\x1b[K").endswith("failed")


def test_nested_step_goes_on_its_own_line():
    out = FakeTTY()
    outer = progress.step("anonymise", stream=out)
    with outer, progress.step("search claims", unit="nodes", stream=out) as b:
        b.advance(3)
    lines = out.getvalue().split("\n")
    assert any(line.split("\r")[-1].startswith("  search claims") for line in lines)
    assert "nodes/s" in out.getvalue()


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
    assert len({progress.width(line) for line in lines[:4]}) == 1
    assert "1,000,000" in lines[2] and lines[3].endswith("-")
    # right-aligned: "52" ends in the same terminal column as "1,000,000" although 請求 is double-width
    end_big = lines[2].index("1,000,000") + len("1,000,000")
    end_small = lines[3].index("52") + 2
    assert progress.width(lines[2][:end_big]) == progress.width(lines[3][:end_small])
    assert lines[-1] == "published items: out/r1/published_items.ja.md"


def test_release_summary_rows_from_manifest():
    manifest = {"tables": {"claims": {
        "rows_in": 100, "rows": 95, "suppressed_rows": 5, "k": 5, "min_class_size": 6,
        "information_loss": {"lm": 0.3}, "search": {"exact": False, "fallback": "budget"},
        "risk": {"before": {"prosecutor_max": 1.0},
                 "after": {"prosecutor_max": 1 / 6, "prosecutor_avg": 0.05}},
    }}}
    (row,) = progress.release_summary_rows(manifest)
    assert row["rows out"] == 95 and row["k reached"] == 6 and row["risk max after"] == pytest.approx(1 / 6)
    assert row["optimum"] == "heuristic"
    before, after = progress.risk_summary_rows(manifest)
    assert (before["risk"], after["risk"]) == ("before", "after")
    assert before["prosecutor max"] == 1.0 and after["prosecutor avg"] == 0.05
    assert "0.1667" in progress.format_summary([row])


def test_muted_steps_draw_nothing_but_the_outer_bar():
    out = FakeTTY()
    with progress.step("explore", total=2, unit="runs", stream=out) as bar:
        for _ in range(2):
            with progress.muted(), progress.step("search claims", stream=out) as inner:
                inner.advance(5)
            bar.advance(1)
    assert "search claims" not in out.getvalue()
    assert out.getvalue().count("\n") == 1 and "2 runs" in out.getvalue()


def test_consecutive_nested_steps_leave_no_blank_lines():
    out = FakeTTY()
    with progress.step("anonymise", stream=out):
        for name in ("search a", "search b"):
            with progress.step(name, stream=out) as s:
                s.advance(1)
    lines = [line.split("\r")[-1] for line in out.getvalue().split("\n")]
    assert "" not in lines[:-1], lines


def test_recording_accumulates_nested_phases_by_parent_and_name():
    with progress.recording() as timings:
        for _ in range(3):
            with progress.step("round"), progress.phase("search"):
                pass
        with progress.phase("search"):  # same name, other parent: its own row
            pass
    rows = [(t.name, t.depth, t.calls) for t in timings]
    assert rows == [("round", 0, 3), ("search", 1, 3), ("search", 0, 1)]
    assert all(t.wall >= 0 and t.cpu >= 0 for t in timings)


def test_phases_cost_nothing_and_record_nothing_outside_recording():
    with progress.phase("anything"):
        pass
    with progress.recording() as timings:
        pass
    assert timings == []


def test_format_timings_indents_and_totals():
    t = [progress.PhaseTiming("anonymise", 0, 1, 3.0, 2.5),
         progress.PhaseTiming("search 傷病", 1, 2, 1.0, 1.0)]
    text = progress.format_timings(t, total_wall=4.0, total_cpu=3.0)
    lines = text.splitlines()
    assert lines[0].split() == ["phase", "calls", "wall", "s", "cpu", "s", "share"]
    assert lines[2].startswith("anonymise") and lines[2].endswith("75.0%")
    assert lines[3].startswith("  search 傷病") and "1.00" in lines[3]
    assert "other" in lines[4] and "1.00" in lines[4] and "0.50" in lines[4]
    assert lines[5].startswith("total") and lines[5].endswith("100.0%")
    # columns line up in display width (wide characters count twice)
    assert len({progress.width(line.rstrip()[-6:]) for line in lines[2:]}) == 1
