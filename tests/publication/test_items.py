"""The published item list is derived from the release's actual columns and levels, never typed by hand."""

from __future__ import annotations

import json

import pytest

from pipeline.config.model import ColumnSpec
from pipeline.errors import ConfigError, ValidationFailed
from pipeline.publication import items as items_mod
from pipeline.publication.wareki import both, wareki
from pipeline.release.granularity import LINKING_CODE_WORDS
from tests.publication.conftest import make_candidate, make_config, replace_release, third_party_release


def labels(candidate) -> list[str]:
    return [i["label"] for i in items_mod.derive_items(candidate)]


def test_items_follow_the_released_columns_and_levels(candidate):
    assert labels(candidate) == [
        f"契約キー({LINKING_CODE_WORDS})",
        "年齢(5歳階級、90歳以上は一括)",
        "住所(地方)",
        "保険種類(元の区分のまま、まれな区分は「その他」に統合)",
        "保険料(円単位の金額、極端に大きい値・小さい値は上限・下限で一括)",
    ]


def test_deleted_columns_never_appear(candidate):
    text = json.dumps(items_mod.build_document(candidate), ensure_ascii=False)
    for deleted in ("氏名", "備考", "証券番号", "生年月日"):
        assert deleted not in text


@pytest.mark.parametrize(
    ("change", "expected_difference"),
    [
        ({"levels": {"年齢": 2, "住所": 0}}, {"年齢(10歳階級、90歳以上は一括)", "住所(都道府県)"}),
        ({"levels": {"年齢": 3, "住所": 1}}, {"年齢(全て一括、値を含まない)"}),
        ({"config": make_config(保険種類=ColumnSpec("保険種類", "identifier"))}, set()),
        (
            {"config": make_config(保険種類=ColumnSpec("保険種類", "attribute", rare="suppress"))},
            {"保険種類(元の区分のまま、まれな区分は削除)"},
        ),
        (
            {"config": make_config(証券番号=ColumnSpec("証券番号", "linking_code", output="連結ID"))},
            {f"連結ID({LINKING_CODE_WORDS})"},
        ),
    ],
)
def test_a_config_or_level_change_changes_the_list(change, expected_difference):
    base = set(labels(make_candidate()))
    changed = set(labels(make_candidate(**change)))
    assert changed != base
    assert expected_difference <= changed
    assert expected_difference.isdisjoint(base)


def test_deleting_a_column_in_config_removes_its_item():
    changed = labels(make_candidate(config=make_config(保険種類=ColumnSpec("保険種類", "identifier"))))
    assert not any(label.startswith("保険種類") for label in changed)
    assert len(changed) == len(labels(make_candidate())) - 1


def test_no_bin_edges_values_or_suppression_details(candidate):
    doc = items_mod.build_document(candidate)
    text = json.dumps(doc["items"], ensure_ascii=False)
    released_values = {str(v) for t in candidate.tables.values() for v in t.data.to_numpy().ravel()}
    assert not any(v in text for v in released_values if len(v) > 1)
    for forbidden in ("100000", "seed", "suppress", "抑制", "件"):
        assert forbidden not in text


def test_an_unknown_released_column_is_refused(candidate):
    candidate.tables["policyholders"].data["謎の列"] = 1
    with pytest.raises(ValidationFailed, match="謎の列"):
        items_mod.derive_items(candidate)


def test_release_facts_come_from_config():
    internal = items_mod.build_document(make_candidate())
    assert internal["third_party_provision"] is False and internal["provision_method"] is None
    assert internal["legal_category"] == "匿名加工情報"
    assert internal["created_date_ja"] == "令和7年4月1日(2025年4月1日)"
    third = items_mod.build_document(make_candidate(config=make_config(release=third_party_release())))
    assert third["third_party_provision"] is True
    assert third["provision_method"] == "暗号化したファイルをアクセス制御されたサーバで提供"
    assert third["recipient_category"] == "再保険会社" and third["continuous"] is True


def test_other_legal_category_is_refused_even_past_the_loader():
    config = replace_release(make_config(release=third_party_release()), legal_category="仮名加工情報")
    with pytest.raises(ConfigError, match="匿名加工情報"):
        items_mod.build_document(make_candidate(config=config))


def test_write_published_items_writes_every_form(tmp_path):
    cand = make_candidate(config=make_config(release=third_party_release()))
    paths = items_mod.write_published_items(cand, tmp_path)
    names = sorted(p.name for p in paths)
    assert names == sorted(
        [
            "published_items.json",
            "published_items.ja.md",
            "published_items.ja.html",
            "data_dictionary.json",
            "data_dictionary.ja.md",
            "provision_notice.ja.md",
        ]
    )
    doc = json.loads((tmp_path / "published_items.json").read_text(encoding="utf-8"))
    md = (tmp_path / "published_items.ja.md").read_text(encoding="utf-8")
    html = (tmp_path / "published_items.ja.html").read_text(encoding="utf-8")
    for item in doc["items"]:
        assert item["label"] in md
        assert item["label"] in html
    assert "暗号化したファイルをアクセス制御されたサーバで提供" in md
    notice = (tmp_path / "provision_notice.ja.md").read_text(encoding="utf-8")
    for must in ("第2条第6項", "匿名加工情報", "第44条", "第45条", "第46条", "再保険会社"):
        assert must in notice
    dictionary = json.loads((tmp_path / "data_dictionary.json").read_text(encoding="utf-8"))
    by_col = {c["column"]: c for c in dictionary["columns"]}
    assert set(by_col) == set(cand.tables["policyholders"].data.columns)
    assert by_col["保険料"]["type"] == "整数" and by_col["年齢"]["type"] == "文字列"
    assert by_col["住所"]["meaning"] == "契約者の居住地" and by_col["契約キー"]["person_key"] is True


def test_internal_release_has_no_provision_notice(tmp_path, candidate):
    names = {p.name for p in items_mod.write_published_items(candidate, tmp_path)}
    assert "provision_notice.ja.md" not in names and not (tmp_path / "provision_notice.ja.md").exists()


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        ((2019, 5, 1), "令和元年5月1日"),
        ((2019, 4, 30), "平成31年4月30日"),
        ((1989, 1, 7), "昭和64年1月7日"),
        ((1989, 1, 8), "平成元年1月8日"),
        ((2026, 11, 27), "令和8年11月27日"),
    ],
)
def test_wareki(day, expected):
    import datetime as dt

    assert wareki(dt.date(*day)) == expected
    assert both(dt.date(*day)).startswith(expected + "(")


def test_a_description_that_only_repeats_the_name_falls_back_to_type_words():
    from pipeline.hierarchies.base import Hierarchy
    from pipeline.release.granularity import describe

    h = Hierarchy.from_rows("性別", [["男", "*"], ["女", "*"]], ("性別(性別)", "性別(削除)"))
    g = describe("性別", ColumnSpec("性別", "quasi_identifier", type="sex"), h, 0)
    assert g.label == "性別(男女の区分)"


def test_mixed_levels_with_most_rows_at_the_root_do_not_claim_all_are_generalised():
    """Local recoding releasing 95 % of a column at the root and 5 % as is: the label says 大部分, never
    全て一括 beside 一部は (a contradiction an auditor would read as a wrong item list)."""
    from pipeline.hierarchies.base import Hierarchy
    from pipeline.release.granularity import describe_levels

    h = Hierarchy.from_rows("保険種類", [["医療", "*"], ["がん", "*"]], ["保険種類", "保険種類(削除)"])
    spec = ColumnSpec(name="保険種類", role="quasi_identifier")
    label = describe_levels("保険種類", spec, h, {0: 0.05, 1: 0.95}).label
    assert "全て" not in label and "大部分は一括" in label and "一部は" in label, label
    mostly_kept = describe_levels("保険種類", spec, h, {0: 0.95, 1: 0.05}).label
    assert mostly_kept.startswith("保険種類(元の区分のまま、一部は一括"), mostly_kept
