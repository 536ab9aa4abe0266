"""Phase timings (``--phases``): nesting by parent and name, calls, wall and CPU seconds, an aligned table."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from wcwidth import wcswidth

from pipeline import progress


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


def test_a_failing_phase_is_recorded_and_the_recording_ends_with_its_block():
    with pytest.raises(ValueError), progress.recording() as timings, progress.phase("write"):
        raise ValueError("boom")
    assert [(t.name, t.calls) for t in timings] == [("write", 1)]
    with progress.phase("after"):  # no recording open any more: nothing is added anywhere
        pass
    assert [t.name for t in timings] == ["write"]


def test_recordings_nest_without_mixing():
    with progress.recording() as outer:
        with progress.phase("a"), progress.recording() as inner, progress.phase("b"):
            pass
        with progress.phase("c"):
            pass
    assert [(t.name, t.depth) for t in inner] == [("b", 0)]
    assert [(t.name, t.depth) for t in outer] == [("a", 0), ("c", 0)]


def test_format_timings_indents_and_totals():
    t = [progress.PhaseTiming("anonymise", 0, 1, 3.0, 2.5),
         progress.PhaseTiming("search 傷病", 1, 2, 1.0, 1.0)]
    text = progress.format_timings(t, total_wall=4.0, total_cpu=3.0)
    lines = text.splitlines()
    assert lines[0].split() == ["phase", "calls", "wall", "s", "cpu", "s", "share", "start", "MiB", "peak",
                                 "MiB", "end", "MiB"]
    assert set(lines[1]) == {"-", " "}
    assert lines[2].startswith("anonymise") and lines[2].split()[-4:] == ["75.0%", "-", "-", "-"]
    assert lines[3].startswith("  search 傷病") and "1.00" in lines[3]
    assert "other" in lines[4] and "1.00" in lines[4] and "0.50" in lines[4]
    assert lines[5].startswith("total") and "100.0%" in lines[5]
    # every column right-aligned on the same terminal column although 傷病 is double-width
    assert len({wcswidth(line) for line in lines}) == 1
    # the phase name is followed by two spaces at least (tests/test_end_to_end.py reads names so)
    assert [line.strip().split("  ")[0] for line in lines[2:]] == [
        "anonymise", "search 傷病", "other (start-up, imports, config)", "total"]


def test_format_timings_without_a_total_shares_the_top_level_phases():
    text = progress.format_timings([progress.PhaseTiming("read", 0, 1, 1.0, 1.0),
                                    progress.PhaseTiming("write", 0, 1, 3.0, 0.5)])
    lines = text.splitlines()
    assert len(lines) == 4 and "25.0%" in lines[2] and "75.0%" in lines[3]


@pytest.mark.skipif(not Path("/proc/self/clear_refs").exists(), reason="peak memory is read on Linux only")
def test_each_phase_records_its_own_peak_and_a_parent_covers_its_children():
    mib = 2**20
    with progress.recording() as timings, progress.phase("parent"):
        with progress.phase("allocates"):
            block = np.ones(300 * mib, dtype=np.uint8)  # touched: resident
            del block
        with progress.phase("after"):
            pass
    peaks = {t.name: t.peak for t in timings}
    assert all(p is not None for p in peaks.values())
    assert peaks["allocates"] - peaks["after"] > 250 * mib  # the reset at "after" forgot the block
    assert peaks["parent"] >= peaks["allocates"]  # carried over the child's resets
    table = progress.format_timings(timings)
    assert table.splitlines()[3].split()[-2] == f"{peaks['allocates'] / mib:,.0f}"


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="memory is read on Linux only")
def test_each_phase_records_what_it_left_resident():
    mib = 2**20
    with progress.recording() as timings:
        with progress.phase("holds"):
            block = np.ones(300 * mib, dtype=np.uint8)  # touched: resident, and still held at the end
        with progress.phase("frees"):
            del block
    ends = {t.name: t.end for t in timings}
    assert ends["holds"] is not None and ends["frees"] is not None
    assert ends["holds"] - ends["frees"] > 250 * mib
    assert progress.format_timings(timings).splitlines()[2].split()[-1] == f"{ends['holds'] / mib:,.0f}"


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="memory is read on Linux only")
def test_each_phase_records_what_was_resident_when_it_began():
    mib = 2**20
    with progress.recording() as timings:
        with progress.phase("before"):
            pass
        block = np.ones(300 * mib, dtype=np.uint8)  # held between the phases
        with progress.phase("after"):
            pass
        del block
    starts = {t.name: t.start for t in timings}
    assert starts["before"] is not None and starts["after"] is not None
    assert starts["after"] - starts["before"] > 250 * mib
    row = progress.format_timings(timings).splitlines()[3].split()
    assert row[-3] == f"{starts['after'] / mib:,.0f}"  # start MiB, then peak and end
