"""Free-text memo cells (備考, 担当者メモ): ordinary notes mixed with personal data, many cells empty.

Real memo fields are where PII hides: a name with 様, a call-back number, a My Number taken for the
支払調書, an e-mail or an old address. Templates are data; ``{field}`` slots are filled vectorised from
per-row arrays (never a Python call per row). Commas and double quotes occur, so CSV quoting matters.
"""

from __future__ import annotations

import string
from collections.abc import Mapping

import numpy as np
import pyarrow as pa

from pipeline.generate.render import by_group, choose, join

#: (template, weight); ``None`` is an empty cell.
POLICY_NOTES: tuple[tuple[str | None, float], ...] = (
    (None, 62.0),
    ("書類不備のため再送依頼", 4.0),
    ("口座振替依頼書 未着", 3.0),
    ("保険料未納のため督促状送付済", 3.0),
    ("代理店経由で申込、告知書確認済", 4.0),
    ("解約相談あり, 継続で合意", 2.0),
    ('お客様より"至急"対応の要望あり', 1.0),
    ("{name}様より電話あり、折り返し{phone}へ連絡", 4.0),
    ("連絡先を{phone}に変更", 3.0),
    ("メールアドレス変更 {email}", 2.5),
    ("{surname}様 本人確認済、個人番号 {my_number} 受領", 2.5),
    ("住所変更届受付（旧住所：{old_address}）", 2.0),
    ("ご家族（{family}さん）から問い合わせあり", 2.5),
    ("高齢のため{family}様が手続き代行、連絡先 {phone}", 1.5),
    ("受取人を{family}様に変更", 1.5),
    ("{surname}様、保険証券再発行、{address}へ送付", 1.0),
)

CLAIM_NOTES: tuple[tuple[str | None, float], ...] = (
    (None, 55.0),
    ("入院証明書受領", 6.0),
    ("診断書の記載内容を医療機関に照会中", 4.0),
    ("書類不備のため再送依頼", 4.0),
    ("請求書 記入漏れ, 再提出依頼済", 3.0),
    ("{hospital}より照会回答あり", 3.0),
    ("{name}様へ支払完了通知送付", 4.0),
    ("振込先口座変更の申出あり（{name}様）", 2.0),
    ("折り返し連絡先 {phone}", 3.0),
    ("支払調書作成のため個人番号 {my_number} 取得", 2.0),
    ("メール（{email}）で不足書類を案内", 2.0),
    ("{family}さん（ご家族）より代理請求、連絡先{phone}", 2.0),
    ('"至急"扱い、{surname}様へ電話連絡済', 1.0),
)


def _parts(template: str) -> list[tuple[str, str | None]]:
    return [(lit, field) for lit, field, _, _ in string.Formatter().parse(template)]


def fields_of(templates: tuple[tuple[str | None, float], ...]) -> set[str]:
    """Slot names the templates use (the caller must supply an array for each)."""
    return {f for t, _ in templates if t for _, f in _parts(t) if f}


def fill(
    templates: tuple[tuple[str | None, float], ...],
    fields: Mapping[str, pa.Array],
    n: int,
    rng: np.random.Generator,
) -> pa.StringArray:
    """One memo per row: a template drawn by weight, its slots filled from ``fields`` (arrays of length n)."""
    missing = fields_of(templates) - set(fields)
    if missing:
        raise ValueError(f"memo templates need fields {sorted(missing)}")
    chosen = choose(rng, n, [w for _, w in templates])

    def build(k: int, idx: np.ndarray) -> pa.Array:
        template = templates[k][0]
        if template is None:
            return pa.nulls(len(idx), type=pa.string())
        take = pa.array(idx)
        pieces: list[pa.Array | str] = []
        for literal, field in _parts(template):
            if literal:
                pieces.append(literal)
            if field:
                pieces.append(fields[field].take(take))
        if all(isinstance(p, str) for p in pieces):
            return pa.array([template] * len(idx), type=pa.string())
        return join(*pieces)

    return by_group(chosen, build)
