"""Person names followed by an honorific (様, さん, 氏, 殿, さま, 君, ちゃん): kanji or katakana.

Why next to GiNZA's NER: the model misses many katakana names and splits ``田中様`` oddly; in
call-centre notes
a name is nearly always followed by an honorific, which makes it a reliable cue on its own. Words that take
an honorific but are no name (お客様, 担当者様, 奥様 …) are excluded.
"""

from __future__ import annotations

from typing import ClassVar

from pipeline.detection.recognizers.base import JapanesePatternRecognizer

_KANJI = r"[一-龥々〆ヵヶ]"
_KATA = r"[ァ-ヴー]"
_HONORIFIC = r"(?=[ ]?(?:様|さん|さま|氏(?![名族])|殿|君|ちゃん))"


class PersonHonorificRecognizer(JapanesePatternRecognizer):
    ENTITY = "PERSON"
    TRIGGER = r"様|さん|さま|氏|殿|君|ちゃん"
    PATTERNS = (
        ("kanji_name", rf"(?<!{_KANJI}){_KANJI}{{1,4}}(?:[ ]?{_KANJI}{{1,4}})?{_HONORIFIC}", 0.7),
        ("katakana_name", rf"(?<!{_KATA}){_KATA}{{2,8}}(?:[ ]{_KATA}{{2,8}})?{_HONORIFIC}", 0.6),
    )
    #: Nouns that take 様/さん but name no one.
    NOT_NAMES: ClassVar[frozenset[str]] = frozenset({
        "客", "お客", "皆", "皆々", "奥", "旦那", "患者", "担当", "担当者", "契約者", "被保険者", "保険者",
        "受取人", "代理人", "代理店", "会員", "利用者", "申込者", "先生", "医師", "看護師", "家族",
        "ご家族", "ご主人", "主人", "息子", "娘", "お子", "子供", "母", "父", "兄", "姉", "弟", "妹",
        "相手", "相手方", "各位", "殿方", "オペレーター", "オペレータ", "スタッフ", "ドクター", "ナース",
        "ママ", "パパ", "ユーザー", "カスタマー", "メンバー", "業者", "店員", "ご本人", "本人", "本人様",
        "同僚", "上司", "部長", "課長", "係長", "社長", "営業", "窓口", "病院", "弁護士", "税理士",
        "保護者", "配偶者", "世帯主", "申請者", "請求者", "加入者", "名義人", "相続人", "ご契約者",
        "受益者", "隣人", "友人", "知人", "お父", "お母", "お兄", "お姉", "神", "仏",
    })

    def invalidate_result(self, pattern_text: str) -> bool:
        return pattern_text.replace(" ", "") in self.NOT_NAMES or pattern_text.endswith(("者", "人", "員"))
