"""Table-driven tests of every registered recognizer: spellings found in real extracts, look-alikes that must
stay silent (released generalised values), and spans pointing into the ORIGINAL string."""

from __future__ import annotations

import pytest
from stdnum.jp import cn, in_

from pipeline.config.model import CustomPattern, DetectionSpec
from pipeline.detection.engine import LANGUAGE, build_analyzer
from pipeline.detection.normalize import normalise
from pipeline.detection.recognizers import RECOGNIZERS

MYNUM = "12345678901" + in_.calc_check_digit("12345678901")
BAD_MYNUM = MYNUM[:-1] + str((int(MYNUM[-1]) + 1) % 10)
CORP = cn.calc_check_digit("234567890123") + "234567890123"
FW = str.maketrans("0123456789-@.()", "０１２３４５６７８９－＠．（）")
SPEC = DetectionSpec(patterns=(CustomPattern(entity="POLICY_NUMBER", regex=r"KZ[0-9]{8}", score=0.9),))

# (text, entity, the exact original substring expected to be reported)
POSITIVE = [
    (f"個人番号{MYNUM}です", "JP_MY_NUMBER", MYNUM),
    (f"番号は{MYNUM[:4]} {MYNUM[4:8]} {MYNUM[8:]}", "JP_MY_NUMBER", f"{MYNUM[:4]} {MYNUM[4:8]} {MYNUM[8:]}"),
    (f"({MYNUM[:4]}-{MYNUM[4:8]}-{MYNUM[8:]})", "JP_MY_NUMBER", f"{MYNUM[:4]}-{MYNUM[4:8]}-{MYNUM[8:]}"),
    (f"マイナンバー：{MYNUM.translate(FW)}", "JP_MY_NUMBER", MYNUM.translate(FW)),
    (f"法人番号T{CORP}", "JP_CORPORATE_NUMBER", CORP),
    ("電話03-1234-5678まで", "PHONE_NUMBER", "03-1234-5678"),
    ("携帯０９０－１２３４－５６７８へ", "PHONE_NUMBER", "０９０－１２３４－５６７８"),
    ("TEL0312345678", "PHONE_NUMBER", "0312345678"),
    ("連絡先03(1234)5678", "PHONE_NUMBER", "03(1234)5678"),
    ("（03）1234-5678", "PHONE_NUMBER", "（03）1234-5678"),
    ("090 1234 5678に折り返し", "PHONE_NUMBER", "090 1234 5678"),
    ("050-1234-5678", "PHONE_NUMBER", "050-1234-5678"),
    ("0120-123-456", "PHONE_NUMBER", "0120-123-456"),
    ("0800-123-4567", "PHONE_NUMBER", "0800-123-4567"),
    ("09012345678", "PHONE_NUMBER", "09012345678"),
    ("〒100-0001 東京都", "JP_POSTAL_CODE", "100-0001"),
    ("〒１００－０００１", "JP_POSTAL_CODE", "１００－０００１"),
    ("郵便番号1000001", "JP_POSTAL_CODE", "1000001"),
    ("メールtaro.yamada@example.co.jpまでご連絡", "EMAIL_ADDRESS", "taro.yamada@example.co.jp"),
    ("ｔａｒｏ＠ｅｘａｍｐｌｅ．ｃｏｍへ", "EMAIL_ADDRESS", "ｔａｒｏ＠ｅｘａｍｐｌｅ．ｃｏｍ"),
    ("保険証の記号12-34 番号567", "JP_HEALTH_INSURANCE", "12-34"),
    ("保険者番号06123456", "JP_HEALTH_INSURANCE", "06123456"),
    ("旅券番号TK1234567", "JP_PASSPORT", "TK1234567"),
    ("運転免許証 第123456789011号", "JP_DRIVER_LICENSE", "123456789011"),
    ("普通預金 口座番号1234567", "JP_BANK_ACCOUNT", "1234567"),
    ("山田太郎様より入電", "PERSON", "山田太郎"),
    ("ヤマダ タロウ 様", "PERSON", "ヤマダ タロウ"),
    ("新住所は東京都千代田区神田1-2-3", "LOCATION", "東京都千代田区神田1-2-3"),
    ("証券番号KZ00053813の件", "POLICY_NUMBER", "KZ00053813"),
    # malformed identifiers after their label (issue 16 point 4): own entity, lower score
    ("連絡先 62-6872-7483", "JP_CONTACT_NUMBER", "62-6872-7483"),
    ("TEL：(664)206-3619（日中）", "JP_CONTACT_NUMBER", "(664)206-3619"),
    ("携帯 090-12345-6789 不通", "JP_CONTACT_NUMBER", "090-12345-6789"),
    (f"個人番号{BAD_MYNUM}", "JP_MY_NUMBER_INVALID", BAD_MYNUM),
    (f"マイナンバー：{BAD_MYNUM[:4]}-{BAD_MYNUM[4:8]}-{BAD_MYNUM[8:]}", "JP_MY_NUMBER_INVALID",
     f"{BAD_MYNUM[:4]}-{BAD_MYNUM[4:8]}-{BAD_MYNUM[8:]}"),
]

# Released generalised values and look-alikes: nothing may reach the gate threshold.
NEGATIVE = [
    "30-34歳", "90歳以上", "東京都", "東京都千代田区", "2023-04", "2023-04-01", "123", "10,000-19,999円", "*",
    "a3f9c01b2d4e5f60", "0123456789abcdef", "男", "会社員", "その他", "5,000,000", "年齢区分30-34歳",
    BAD_MYNUM, f"番号{BAD_MYNUM}", "62-6872-7483", "電話受付 2024-04-01", "連絡先変更 20240401",
    "お客様より入電", "1234-5678-9012-3456", "12345678", "AB1234567", "2023年4月1日",
    "保険料12,345円", "C568790242",
]


@pytest.fixture(scope="module")
def analyzer():  # type: ignore[no-untyped-def]
    return build_analyzer(SPEC, False)


@pytest.mark.parametrize(("text", "entity", "expected"), POSITIVE)
def test_positive(analyzer, text: str, entity: str, expected: str) -> None:  # type: ignore[no-untyped-def]
    found = analyzer.analyze(text, language=LANGUAGE, score_threshold=SPEC.score_threshold)
    spans = {text[r.start:r.end] for r in found if r.entity_type == entity}
    assert expected in spans, (text, [(r.entity_type, text[r.start:r.end], r.score) for r in found])


@pytest.mark.parametrize("text", NEGATIVE)
def test_negative(analyzer, text: str) -> None:  # type: ignore[no-untyped-def]
    found = analyzer.analyze(text, language=LANGUAGE, score_threshold=SPEC.score_threshold)
    assert found == [], [(r.entity_type, r.score) for r in found]


def test_every_registered_recognizer_is_documented_and_tested() -> None:
    entities = {e for _, e, _ in POSITIVE}
    for name, cls in RECOGNIZERS.items():
        module = __import__(cls.__module__, fromlist=["_"])
        assert module.__doc__ and len(module.__doc__) > 40, name
        assert cls.ENTITY in entities, f"recognizer {name} has no positive case"


@pytest.mark.parametrize(
    ("text", "entity"),
    [("連絡先 03-1234-5678", "PHONE_NUMBER"), (f"個人番号{MYNUM}", "JP_MY_NUMBER")],
)
def test_valid_number_is_reported_once_under_its_own_entity(text: str, entity: str) -> None:
    from pipeline.detection.scan import analyze_distinct

    (found,) = analyze_distinct([text], DetectionSpec(ner=False)).values()
    assert [r.entity_type for r in found] == [entity]


def test_malformed_identifiers_score_below_valid_ones_and_follow_the_threshold() -> None:
    from pipeline.detection.scan import analyze_distinct

    texts = ["連絡先 62-6872-7483", f"個人番号{BAD_MYNUM}"]
    found = analyze_distinct(texts, DetectionSpec(ner=False))
    assert {r.entity_type for f in found.values() for r in f} == {"JP_CONTACT_NUMBER", "JP_MY_NUMBER_INVALID"}
    assert all(r.score < 0.7 for f in found.values() for r in f)
    assert analyze_distinct(texts, DetectionSpec(ner=False, score_threshold=0.7)) == {}


def test_email_does_not_swallow_kana() -> None:
    text = "連絡はｔａｒｏ＠ｅｘａｍｐｌｅ．ｃｏｍまで"
    (r,) = build_analyzer(DetectionSpec(), False).analyze(text, language=LANGUAGE)
    assert text[r.start:r.end] == "ｔａｒｏ＠ｅｘａｍｐｌｅ．ｃｏｍ"


def test_bare_fixed_line_needs_context_and_column_name_gives_it() -> None:
    analyzer = build_analyzer(DetectionSpec(), False)
    assert analyzer.analyze("0312345678", language=LANGUAGE, score_threshold=0.5) == []
    (r,) = analyzer.analyze("0312345678", language=LANGUAGE, score_threshold=0.5, context=["電話"])
    assert r.entity_type == "PHONE_NUMBER" and r.score >= 0.85


@pytest.mark.parametrize(
    ("text", "needle"),
    [("㈱山田　電話０３－１２３４－５６７８", "０３－１２３４－５６７８"),   # ㈱ → (株): NFKC is longer
     ("ｶﾞｲﾄﾞ 〒100-0001", "100-0001"),                                        # ｶﾞ → ガ: NFKC is shorter
     ("plain 03-1234-5678", "03-1234-5678")],
)
def test_spans_refer_to_the_original_text(text: str, needle: str) -> None:
    assert len(normalise(text).text) != len(text) or text.startswith("plain")
    found = build_analyzer(DetectionSpec(), False).analyze(text, language=LANGUAGE, score_threshold=0.5)
    assert needle in {text[r.start:r.end] for r in found}


def test_offset_map_round_trip() -> None:
    norm = normalise("ｶﾞ㈱１２")
    assert norm.text == "ガ(株)12"
    assert norm.original_span(0, 1) == (0, 2)
    assert norm.original_span(1, 4) == (2, 3)
    assert norm.original_span(4, 6) == (3, 5)


@pytest.mark.parametrize(("text", "entity", "expected"), POSITIVE)
def test_prefilter_never_drops_a_detectable_value(text: str, entity: str, expected: str) -> None:
    """The scanner's vectorised pre-filter passes every value to the recognizer that reports it (exact)."""
    from pipeline.detection.normalize import nfkc_text
    from pipeline.detection.prefilter import candidates

    per_recognizer, possible = candidates([nfkc_text(text)], SPEC)
    assert possible.all()
    assert entity in {rec.supported_entities[0] for rec, _, _ in per_recognizer} or entity in (
        "PERSON", "LOCATION")  # also NER's


def test_prefilter_rejects_surrogate_keys() -> None:
    """Random hex keys (a million distinct values per release) must not reach Presidio one by one."""
    from pipeline.detection.prefilter import candidates

    values = ["a3f9c01b2d4e5f60", "0123456789abcdef", "ffe0123abc456def", "*", "男", "会社員"]
    per_recognizer, possible = candidates(values, DetectionSpec())
    assert per_recognizer == [] and not possible.any()


def test_scan_with_a_shared_cleared_set_finds_the_same() -> None:
    """One cleared set across the tables of a release skips repeated values, never a finding."""
    import pandas as pd

    from pipeline.detection.scan import scan_frame

    values = [t for t, _, _ in POSITIVE] + ["qwertyuiopasdf", "zxcvbnmlkjhgfd", "45-49歳", "男", None]
    first = pd.DataFrame({"契約キー": values, "年齢": ["45-49歳"] * len(values)})
    second = pd.DataFrame({"契約キー": values[::-1]})
    cleared: set[str] = set()
    shared = scan_frame(first, SPEC, cleared=cleared) + scan_frame(second, SPEC, cleared=cleared)
    alone = scan_frame(first, SPEC) + scan_frame(second, SPEC)
    assert {"qwertyuiopasdf", "男"} <= cleared and not any(t in cleared for t, _, _ in POSITIVE)
    for a, b in zip(shared, alone, strict=True):
        assert a.column == b.column and a.codes.tolist() == b.codes.tolist() and a.distinct == b.distinct
        assert {c: [(r.entity_type, r.start, r.end, r.score) for r in f] for c, f in a.hits.items()} == {
            c: [(r.entity_type, r.start, r.end, r.score) for r in f] for c, f in b.hits.items()}
    assert shared[0].hits and shared[2].hits
