"""Progress bars only for a person at a terminal (rich), never with --quiet, in CI or into a file."""

from __future__ import annotations

import io
import re

import pytest

from pipeline import progress
from pipeline.cli.main import main
from pipeline.progress import bars

_CONTROL = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


class FakeTTY(io.StringIO):
    def isatty(self) -> bool:
        return True


def frames(text: str) -> list[list[str]]:
    """The frames rich drew, each as its lines without colour or cursor codes (every redraw starts by
    erasing the lines it drew before, with ESC [2K)."""
    out = []
    for frame in re.split(r"\r?(?:\x1b\[2K(?:\x1b\[1A)?)+", text):
        lines = [line.rstrip() for line in _CONTROL.sub("", frame).split("\n")]
        while lines and not lines[-1]:
            lines.pop()
        if lines:
            out.append(lines)
    return out


@pytest.fixture(autouse=True)
def _reset(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setenv("COLUMNS", "120")
    monkeypatch.setattr(bars, "REDRAW_EVERY", 0.0)


def test_draws_a_bar_and_rows_per_second_on_a_tty():
    out = FakeTTY()
    with progress.step("read claims", total=1000, stream=out) as bar:
        for _ in range(4):
            bar.advance(250)
    drawn = frames(out.getvalue())
    quarter = [f[0] for f in drawn if "250/1,000 rows" in f[0]]
    assert quarter and "━" in quarter[0] and " 25%" in quarter[0] and "rows/s  eta" in quarter[0]
    (last,) = drawn[-1]
    assert last.startswith("read claims") and "1,000 rows" in last and "rows/s" in last
    assert last.endswith("done") and "━" not in last  # the finished line keeps figures, not the bar
    assert out.getvalue().endswith("\n\x1b[?25h")  # a new line after it, the cursor shown again


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
    with progress.quiet(quiet), progress.step("search", total=10, stream=stream) as bar:
        bar.advance(10)
    assert stream.getvalue() == ""
    assert bar.done == 10  # counting still works


@pytest.mark.parametrize("ci", ["", "0", "false", "no", "No "])
def test_ci_set_to_no_still_draws(monkeypatch, ci):
    monkeypatch.setenv("CI", ci)
    out = FakeTTY()
    with progress.step("search", stream=out):
        pass
    (last,) = frames(out.getvalue())[-1]
    assert last.startswith("search") and last.endswith("done")


def test_quiet_ends_with_its_block():
    with progress.quiet():
        assert not progress.enabled(FakeTTY())
    assert progress.enabled(FakeTTY())


def test_the_quiet_flag_holds_for_its_command_only(tmp_path, monkeypatch, capsys):
    """``anonymize --quiet …`` run in-process (as the tests do) leaves no quiet state behind."""
    seen = []
    monkeypatch.setattr("pipeline.cli.register_cmd.run",
                        lambda args: seen.append(progress.enabled(FakeTTY())))
    assert main(["--quiet", "register", "--register", str(tmp_path / "reg.jsonl")]) == 0
    assert main(["register", "--register", str(tmp_path / "reg.jsonl")]) == 0
    assert seen == [False, True]
    assert progress.enabled(FakeTTY())


def test_failed_step_says_so_and_reraises():
    out = FakeTTY()
    with pytest.raises(RuntimeError), progress.step("write", stream=out):
        raise RuntimeError("boom")
    assert frames(out.getvalue())[-1][0].endswith("failed")
    assert out.getvalue().endswith("\x1b[?25h")  # the cursor is back even after a failure


def test_nested_step_goes_on_its_own_indented_line():
    out = FakeTTY()
    with progress.step("anonymise", stream=out), \
            progress.step("search claims", unit="nodes", stream=out) as b:
        b.advance(3)
    last = frames(out.getvalue())[-1]
    assert last[0].startswith("anonymise") and last[0].endswith("done")
    assert last[1].startswith("  search claims") and "3 nodes" in last[1] and "nodes/s" in last[1]


def test_consecutive_nested_steps_leave_no_blank_lines():
    out = FakeTTY()
    with progress.step("anonymise", stream=out):
        for name in ("search a", "search b"):
            with progress.step(name, stream=out) as s:
                s.advance(1)
    last = frames(out.getvalue())[-1]
    assert [re.split(r"\s{2,}", line.strip())[0] for line in last] == ["anonymise", "search a", "search b"]
    assert [line.startswith("  ") for line in last] == [False, True, True]


def test_muted_steps_draw_nothing_but_the_outer_bar():
    out = FakeTTY()
    with progress.step("explore", total=2, unit="runs", stream=out) as bar:
        for _ in range(2):
            with progress.muted(), progress.step("search claims", stream=out) as inner:
                inner.advance(5)
            bar.advance(1)
        assert inner.done == 5
    assert "search claims" not in out.getvalue()
    (last,) = frames(out.getvalue())[-1]
    assert "2 runs" in last and last.endswith("done")


def test_a_step_name_is_text_not_markup():
    out = FakeTTY()
    with progress.step("[bold]read[/bold] 請求", stream=out):
        pass
    assert frames(out.getvalue())[-1][0].startswith("[bold]read[/bold] 請求")


def test_rows_of_a_step_figures():
    from pipeline.progress._columns import figures

    assert figures(250, 1000, 2.0, "rows") == " 25%  250/1,000 rows  125 rows/s  eta 6.0 s"
    assert figures(0, 1000, 0.5, "rows") == "  0%  0/1,000 rows  0.5 s"
    assert figures(3, None, 0.6, "nodes") == "3 nodes  5.0 nodes/s  0.6 s"
    assert figures(1000, 1000, 125.0, "rows", "done") == "1,000 rows  8.0 rows/s  2 min 05 s  done"
    assert figures(0, None, 0.0, "rows", "failed") == "0.0 s  failed"


def test_stdout_is_left_alone_while_bars_are_drawn(capsys):
    out = FakeTTY()
    with progress.step("scan", stream=out):
        print("a line of the profile")
    assert capsys.readouterr().out == "a line of the profile\n"
    assert "a line of the profile" not in out.getvalue()
