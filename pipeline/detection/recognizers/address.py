"""Detailed Japanese addresses: a prefecture or municipality followed by block numbers (丁目, 番地, 1-2-3).

The block may follow the town after one space (``下鴨本町 7番8号``) and its 丁目 be in kanji
(``二丁目5番地``). Why block numbers are required: ``東京都`` and ``東京都千代田区`` are released
generalisation levels (都道府県, 市区町村); only the part down to the house is an identifier. Reported as
Presidio's LOCATION.
"""

from __future__ import annotations

from pipeline.detection.recognizers.base import SEP, JapanesePatternRecognizer

_PREF = r"(?:北海道|東京都|京都府|大阪府|[一-龥]{2,3}県)"
_PLACE = r"[一-龥ぁ-んァ-ヴー々ヶケ]"
_BLOCK = (rf"(?:[0-9]{{1,5}}(?:丁目|番地|番|号|{SEP})|[一二三四五六七八九十]{{1,3}}丁目)"
          rf"(?:[0-9]{{1,5}}(?:丁目|番地|番|号|{SEP})?)*")
#: An optional building and room after the block (``1-2-3 サンハイツ101号室``).
_BUILDING = rf"(?:[ ]?{_PLACE}{{1,20}}[0-9]{{1,5}}(?:号室)?)?"
#: Not an age band, an amount or a count (``年齢区分30-34歳``).
_END = r"(?![0-9]|歳|才|円|%|件|日|か月|ヶ月|年|回|人)"


class AddressRecognizer(JapanesePatternRecognizer):
    ENTITY = "LOCATION"
    TRIGGER = r"[市区町村郡道都府県]"
    PATTERNS = (
        ("address_prefecture",
         rf"{_PREF}[ ]?(?:{_PLACE}|[A-Za-z]){{1,24}}?[ ]?{_BLOCK}{_END}{_BUILDING}", 0.7),
        (
            "address_municipality",
            rf"(?<!{_PLACE}){_PLACE}{{1,8}}[市区町村郡](?![分域間別民長役]){_PLACE}{{1,16}}?[ ]?{_BLOCK}"
            rf"{_END}{_BUILDING}",
            0.6,
        ),
    )
    CONTEXT = ("住所", "所在地", "自宅", "転居", "引越", "〒")
