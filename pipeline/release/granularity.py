"""The granularity of one released column in plain Japanese words.

Derived from what the release actually did to the column: its role, the hierarchy level chosen by the
search (or fixed in the config), top/bottom coding and the rare-value policy. It states rules, never
numbers that would help restore values: no bin edges of the caller's choosing, no seeds, no counts of
suppressed or merged cells (APPI.md §4: items and granularity only).

Why in ``release/``: the manifest states each column's granularity (``tables.<name>.granularity``) and the
published items and data dictionary (``publication/``) state the same words; it needs only the config and
the hierarchies, so here, below publication, both use one definition without an import cycle.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.config.model import ColumnSpec
from pipeline.hierarchies.base import Hierarchy

#: Linking codes are replaced by per-release random surrogates (APPI.md §1 rule 3).
LINKING_CODE_WORDS = "ランダムな識別子、リリースごとに異なり元の番号とは照合不可"
ALL_GENERALISED_WORDS = "全て一括、値を含まない"
#: Local recoding with most rows at the root: the rows that keep a value are named after it.
MOSTLY_GENERALISED_WORDS = "大部分は一括で値を含まない"
_LABEL = re.compile(r"^(?P<name>[^(（]+)[(（](?P<words>.*)[)）]$")

_TYPE_WORDS: dict[str, str] = {
    "date": "日単位の日付",
    "amount": "円単位の金額",
    "integer": "数値",
    "sex": "男女の区分",
    "string": "元の区分のまま",
}


@dataclass(frozen=True)
class Granularity:
    """``name`` is the item as released (the output column), ``words`` its granularity."""

    name: str
    words: str

    @property
    def label(self) -> str:
        """``年齢(5歳階級、90歳以上は一括)``: the form used in published lists."""
        return f"{self.name}({self.words})" if self.words else self.name


def describe(column: str, spec: ColumnSpec, hierarchy: Hierarchy | None, level: int) -> Granularity:
    """Plain-words granularity of output ``column`` released at ``level`` of ``hierarchy`` (if any)."""
    if spec.role == "linking_code":
        return Granularity(column, LINKING_CODE_WORDS)
    if spec.role == "free_text":
        return Granularity(column, "自由記述、個人を識別する記述を検出して置換済み")
    if hierarchy is not None:
        if level >= hierarchy.height - 1:
            return Granularity(column, ALL_GENERALISED_WORDS)
        words = _words_of(hierarchy.level_descriptions[level])
        if not words or words in (column, spec.name, hierarchy.name):  # "性別(性別)" says nothing
            words = _TYPE_WORDS.get(spec.type, "元の区分のまま")
        return Granularity(column, _with_rare_rule(words, spec))
    words = _TYPE_WORDS.get(spec.type, "元の値のまま")
    if spec.type in ("amount", "integer") and (spec.top_code is not None or spec.bottom_code is not None):
        words = f"{words}、極端に大きい値・小さい値は上限・下限で一括"
    return Granularity(column, _with_rare_rule(words, spec))


def describe_levels(column: str, spec: ColumnSpec, hierarchy: Hierarchy, shares: dict[int, float]
                    ) -> Granularity:
    """A column released at several levels (local recoding): the level most rows are at, then
    ``一部は`` the others, finest first: ``居住地(都道府県、一部は市区町村・地方)``.
    One level: :func:`describe`."""
    if len(shares) <= 1:
        return describe(column, spec, hierarchy, next(iter(shares), 0))
    main = max(shares, key=lambda b: shares[b])
    others = "・".join(short_words(column, spec, hierarchy, b) for b in sorted(shares) if b != main)
    if main >= hierarchy.height - 1:  # most rows carry no value: "全て一括" would contradict 一部は
        return Granularity(column, f"{MOSTLY_GENERALISED_WORDS}、一部は{others}")
    return Granularity(column, f"{describe(column, spec, hierarchy, main).words}、一部は{others}")


def short_words(column: str, spec: ColumnSpec, hierarchy: Hierarchy, level: int) -> str:
    """The granularity of one level in a word or two (``5歳階級``, ``地方``; the root: ``一括``)."""
    if level >= hierarchy.height - 1:
        return "一括"
    return describe(column, spec, hierarchy, level).words.split("、")[0]


def level_breakdown(column: str, spec: ColumnSpec, hierarchy: Hierarchy, shares: dict[int, float],
                    present: set[str]) -> list[dict[str, object]]:
    """Per level released (finest first): its granularity, the share of released rows, and the values of
    that level that occur (``present``: the column's released values; hierarchy labels, never raw data)."""
    out: list[dict[str, object]] = []
    seen: set[str] = set()
    for b in sorted(shares):
        values = [str(v) for v in hierarchy.labels[b] if str(v) in present and str(v) not in seen]
        seen.update(values)
        out.append({"level": int(b), "granularity": short_words(column, spec, hierarchy, b),
                    "share": round(float(shares[b]), 4), "values": values})
    return out


def _words_of(description: str) -> str:
    """``年齢(5歳階級、90歳以上は一括)`` → ``5歳階級、90歳以上は一括``; a bare description stays whole."""
    m = _LABEL.match(description.strip())
    return m.group("words") if m else description.strip()


def _with_rare_rule(words: str, spec: ColumnSpec) -> str:
    """Categorical kept columns: 特異な記述 (rare categories) are merged or removed; say so, as a rule."""
    if spec.role not in ("attribute", "sensitive") or spec.type not in ("string",):
        return words
    rule = f"まれな区分は「{spec.rare_label}」に統合" if spec.rare == "merge" else "まれな区分は削除"
    return f"{words}、{rule}"
