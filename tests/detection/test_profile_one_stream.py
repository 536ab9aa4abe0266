"""``scan`` runs NER once over the texts of all columns (issue 16, point 2): the same profile as column by
column, one ``nlp.pipe`` stream, a text shared by two columns read once, progress counted in texts."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline.config.model import DetectionSpec
from pipeline.detection import ner, profile

FRAME = pd.DataFrame({
    "氏名": ["山田 太郎", "佐藤 花子", "鈴木 一郎", None, "山田 太郎", "田中 美咲"],
    "備考": ["入院先 大阪市北区の病院", "特になし", "山田 太郎 様より連絡", "連絡先 090-1234-5678", "",
           "特になし"],
    "職業": ["会社員", "教員", "会社員", "自営業", "会社員", "看護師"],
    "電話": ["090-1111-2222", "03-1234-5678", "06-9876-5432", "080-1234-5678", "090-5555-6666", None],
})


def _summary(p: profile.ColumnProfile) -> tuple:
    return (p.column, p.filled, p.distinct, p.ner_exact, p.ner_sampled, p.ner_distinct, p.ner_cells,
            p.pattern_cells, {k: [(r.entity_type, r.start, r.end) for r in v] for k, v in p.hits.items()})


@pytest.mark.parametrize("full", [False, True])
def test_one_stream_gives_the_column_by_column_profile(monkeypatch: pytest.MonkeyPatch, full: bool) -> None:
    detection = DetectionSpec()
    alone = [profile.profile_column(FRAME[c].rename(c), detection, ner_sample=3, full=full) for c in FRAME]
    ner._cache.clear()  # the second pass must read the model again, not the first pass's cache
    calls: list[int] = []
    real = ner.entity_spans

    def counting(texts, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(len(texts))
        return real(texts, *args, **kwargs)

    monkeypatch.setattr(profile, "entity_spans", counting)
    progress: list[tuple[int, int]] = []
    together = profile.profile_frame(FRAME, detection, ner_sample=3, full=full,
                                     on_ner=lambda done, total: progress.append((done, total)))
    assert [_summary(p) for p in together] == [_summary(p) for p in alone]
    assert len(calls) == 1  # one stream for the whole frame
    staged = profile.stage_frame(FRAME, detection, ner_sample=3, full=full)
    texts = profile.ner_texts(staged)
    assert calls[0] == len(texts) == len(set(texts))  # each distinct text once, shared ones too
    assert progress and progress[-1] == (len(texts), len(texts))
    if full:  # 山田 太郎 is in 氏名 and inside a memo: the name column's value is read once
        assert texts.count("山田 太郎") == 1
        assert any("PERSON" in p.ner_cells for p in together if p.column == "氏名")


@pytest.mark.parametrize("text", [
    "1967年2月27日", "平成27年4月18日", "令和元年5月1日", "S40.10.26", "H2.1.5", "4470円", "１１４００円",
    "12万5千円", "KZ00090625", "AG5199", "3ヶ月", "45歳"])
def test_numbers_dates_and_codes_are_not_read_by_ner(text: str) -> None:
    assert not ner.ner_worthy(text)


@pytest.mark.parametrize("text", [
    "山田 太郎", "Tanaka1", "秋元", "連絡先を０９０６９０５４０２９に変更", "大阪市北区",
    "1967年生まれの田中", "明治", "AG5199 山田", "年金受給者", "taro.yamada@example.jp"])
def test_any_other_letter_kana_or_kanji_is(text: str) -> None:
    assert ner.ner_worthy(text)


def test_a_value_wholly_an_e_mail_is_not_read_by_ner_in_full() -> None:
    frame = pd.DataFrame({"e-mail": ["taro.yamada@example.jp", "hanako@example.com", "メール未登録"]})
    staged = profile.stage_frame(frame, DetectionSpec(), full=True)
    assert profile.ner_texts(staged) == ["メール未登録"]
    prof = profile.finish_ner(staged)[0]
    assert prof.share("EMAIL_ADDRESS")[0] == pytest.approx(2 / 3) and prof.ner_exact
