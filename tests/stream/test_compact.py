"""``Compacting``: parts merged once the rows held pass twice what the last merge kept (linear, not
quadratic), and the merged result is the merge of every part."""

from __future__ import annotations

from pipeline.stream.compact import Compacting


def test_merges_are_geometric_and_the_result_holds_every_part() -> None:
    merged_rows: list[int] = []

    def merge(parts: list[list[int]]) -> list[int]:
        out = sorted({v for p in parts for v in p})  # a de-duplicating merge, as the passes' are
        merged_rows.append(sum(len(p) for p in parts))
        return out

    acc = Compacting(merge, len, floor=100)
    for i in range(10_000):
        acc.add([i, i + 1])  # every value but the first twice: the merges halve what they are given
        assert sum(len(p) for p in acc.parts) <= max(100, 2 * 10_001) + 2
    result = acc.merged()
    assert result == list(range(10_001))
    # each merge waits for twice what the previous one kept, which then grows by half (every other value
    # is new): about log1.5(10,000 / 100) = 12 merges; a fixed limit would merge 200 times
    assert 8 <= len(merged_rows) <= 16, merged_rows
    assert sum(merged_rows) < 4 * 20_000  # every row merged a bounded number of times


def test_nothing_added_merges_to_none_and_one_part_is_not_merged() -> None:
    calls: list[int] = []
    acc: Compacting[list[int]] = Compacting(lambda parts: calls.append(1) or parts[0], len, floor=10)
    assert acc.merged() is None
    acc.add([1, 2])
    assert acc.merged() == [1, 2] and calls == []
