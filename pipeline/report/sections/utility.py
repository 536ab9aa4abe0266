"""Measured utility: how much of each quasi-identifier reaches the analyst at each level, and how well the
release answers standard research questions compared with the input (``pipeline.metrics.research_questions``).

Why here: lower information loss is not what an analyst asks; "can I compute claim rates by prefecture, and
how wrong are they?" is. The relative errors also make any bias of suppression visible (issue 13 point 5).
"""

from __future__ import annotations

from pipeline.release.candidate import TableResult
from pipeline.report.content import Note, Part, Table
from pipeline.report.sections.base import Section


class UtilitySection(Section):
    name = "utility"
    title_ja = "有用性（分析で使える粒度と集計の誤差）"
    title_en = "Utility (granularity analysts get, error of standard questions)"
    lead_ja = ("各準識別子について、入力行のうち各段階で公開された行の割合（削除行を含む）。続いて、標準的な"
               "分析（年齢階級×性別・居住地別の請求率、地域別の保険種類構成）を入力と公開データで計算した"
               "結果と相対誤差。")
    lead_en = ("Per quasi-identifier, the share of the input rows released at each level (suppressed rows "
               "included). Then standard research questions (claim rate by age band × sex and by area, "
               "product mix by region) computed on the input and on the release, with their relative error.")

    def body(self, table: TableResult) -> list[Part] | None:
        utility = table.metrics.get("utility") or {}
        levels = utility.get("levels") or {}
        if not levels:
            return None
        rows = []
        for col, shares in levels.items():
            for s in shares:
                if s["rows"]:
                    rows.append((col, s["granularity"], s["level"], s["rows"], f"{s['share']:.1%}"))
        suppressed = utility.get("suppressed_share", 0.0)
        rows.append(("(削除行 / suppressed)", "", "", table.suppressed_rows, f"{suppressed:.1%}"))
        parts: list[Part] = [Table(["列 / column", "公開の粒度 / released as", "段階 / level", "行 / rows",
                                    "入力行に対する割合 / share of input rows"], rows, numeric_from=2)]
        questions = utility.get("questions") or []
        if questions:
            parts += _questions(questions)
        recoding = (table.metrics.get("search") or {}).get("recoding")
        if recoding and questions:
            parts.append(_recoding(recoding))
        return parts


def _recoding(record: dict) -> Note:
    """``privacy.recoding: auto``: which release was kept and the claim-rate errors both gave."""
    names = {"global": ("大域的再符号化", "global recoding"), "local": ("局所的再符号化", "local recoding")}
    errors = record.get("claim_rate_error") or {}
    if not errors:
        return Note("recoding: auto。請求率を問える表の組がないため、大域的再符号化で公開しました。",
                           "recoding: auto. No linked tables, so no claim-rate question to judge local "
                           "recoding by: released with global recoding.")
    parts_ja, parts_en = [], []
    for mode in ("global", "local"):
        if mode not in errors:
            parts_ja.append(f"{names[mode][0]}: 実行不可")
            parts_en.append(f"{names[mode][1]}: infeasible")
            continue
        err = ", ".join(f"{q} {'—' if e is None else f'{e:.1%}'}" for q, e in errors[mode].items())
        parts_ja.append(f"{names[mode][0]}: {err}")
        parts_en.append(f"{names[mode][1]}: {err}")
    chosen = record.get("chosen", "global")
    limit = record.get("max_error", 0.05)
    return Note(
        f"recoding: auto。両方の加工を計算し、請求率の平均相対誤差がすべて{limit:.0%}以下"
        f"(または大域的再符号化以下)なら局所的再符号化を採用します。採用: {names[chosen][0]}。"
        f"{'; '.join(parts_ja)}。",
        f"recoding: auto. Both releases were computed; local recoding is kept when every claim-rate "
        f"question's mean relative error is at most {limit:.0%} (or no worse than global's). "
        f"Kept: {names[chosen][1]}. {'; '.join(parts_en)}.")


def _questions(questions: list[dict]) -> list[Part]:
    rows = []
    worst = []
    for q in questions:
        asked = "、".join(f"{c}: {lv}" for c, lv in q["levels"].items())
        if not q.get("answerable", True):
            rows.append((q["question"], asked, "—", "—", "—", "—", "回答不可 / not answerable"))
            continue
        top = q["max_relative_error"]
        rows.append((q["question"], asked, q["groups"], q["groups_missing"],
                     f"{q['mean_relative_error']:.1%}", "—" if top is None else f"{top:.1%}",
                     f"{q['placed_share']:.1%}"))
        for w in q.get("worst", []):
            release = "—" if w["release"] is None else f"{w['release']:.3f}"
            worst.append((q["question"], w["group"], f"{w['input']:.3f}", release, w["persons_in"],
                          f"{w['relative_error']:.1%}"))
    headers = ["問い / question", "集計の粒度 / asked at", "群 / groups", "欠落群 / groups lost",
               "平均相対誤差 / mean relative error", "最大相対誤差 / max (≥10 persons)",
               "集計に使えた人 / persons placed"]
    parts: list[Part] = [Table(headers, rows, numeric_from=2)]
    parts.append(Note("平均相対誤差は入力の人数で重み付け。公開データに無い群は誤差100%として数える。",
                      "The mean relative error weighs each group by its input persons; a group the release "
                      "lacks counts as 100 % error."))
    if worst:
        parts.append(Table(["問い / question", "群 / group", "入力 / input", "公開 / release",
                            "入力の人数 / persons (input)", "相対誤差 / relative error"], worst,
                           numeric_from=2))
    return parts
