"""The scanner's vectorised pre-filter (pipeline.detection.prefilter) is exact: every finding the recognizers
make on all values, they make on the candidates it lets through; and the profile's pattern sample states
its estimates."""

from __future__ import annotations

import random
import unicodedata

import numpy as np
import pandas as pd
import pytest
from presidio_analyzer import EntityRecognizer, RecognizerResult
from stdnum.jp import in_

from pipeline.config.model import CustomPattern, DetectionSpec
from pipeline.detection.normalize import _CLUSTER, nfkc_text, normalise
from pipeline.detection.prefilter import candidates, re2_superset, recognizer_filters
from pipeline.detection.recognizers.base import valid_my_number
from pipeline.detection.scan import analyze_distinct, analyze_patterns, resolve

SPEC = DetectionSpec(patterns=(CustomPattern(entity="POLICY_NUMBER", regex=r"KZ[0-9]{8}", score=0.9),))
FW = str.maketrans("0123456789-()@.", "０１２３４５６７８９－（）＠．")


def _mynum(rng: random.Random) -> str:
    body = "".join(rng.choice("0123456789") for _ in range(11))
    return body + in_.calc_check_digit(body)


def _spellings(rng: random.Random) -> list[str]:
    """Identifiers in the spellings of real extracts: full width, hyphens of every kind, spaces, brackets,
    run together, after a label, inside a memo."""
    out = []
    for _ in range(60):
        m = _mynum(rng)
        for sep in ("", "-", " ", "ー", "－", "‐", "−"):
            plain = f"{m[:4]}{sep}{m[4:8]}{sep}{m[8:]}"
            out += [plain, plain.translate(FW), f"個人番号{plain}",
                    f"マイナンバー：{plain.translate(FW)}です", f"備考 {plain} 確認済"]
        bad = m[:-1] + str((int(m[-1]) + 1) % 10)
        out += [f"個人番号{bad}", f"マイナンバー {bad[:4]}-{bad[4:8]}-{bad[8:]}"]
        area = rng.choice(["03", "06", "045", "0120", "0466", "011"])
        width = {2: 4, 3: 3}.get(len(area), 2)
        mid = "".join(rng.choice("0123456789") for _ in range(width))
        last = "".join(rng.choice("0123456789") for _ in range(4))
        mob = rng.choice(["090", "080", "070", "050"]) + "".join(rng.choice("0123456789") for _ in range(8))
        for phone in (f"{area}-{mid}-{last}", f"({area}){mid}-{last}", f"{area}({mid}){last}",
                      f"{area} {mid} {last}", f"{area}{mid}{last}", mob, f"{mob[:3]}-{mob[3:7]}-{mob[7:]}",
                      f"{mob[:3]} {mob[3:7]} {mob[7:]}", f"{mob[:3]}ー{mob[3:7]}ー{mob[7:]}"):
            out += [phone, phone.translate(FW), f"TEL{phone}", f"電話：{phone}", f"携帯 {phone} 不通",
                    f"連絡先 {phone[1:]}"]
        zip7 = "".join(rng.choice("0123456789") for _ in range(7))
        out += [f"〒{zip7[:3]}-{zip7[3:]}", f"{zip7[:3]}-{zip7[3:]}", zip7, f"郵便番号{zip7}",
                f"〒{zip7[:3]}－{zip7[3:]}".translate(FW)]
        out += ["taro.yamada@example.co.jp", "ｔａｒｏ＠ｅｘａｍｐｌｅ．ｃｏｍ", "山田太郎様より入電",
                "ヤマダ タロウ 様", "新住所は東京都千代田区神田1-2-3", "名古屋市中区栄町3丁目4番5号",
                "口座 1234567", "普通預金 7654321",
                "旅券番号TK1234567", "運転免許証 第123456789011号", "保険者番号06123456", "記号12-34 番号567",
                "証券番号KZ00053813の件", "KZ00053813", "0123456789abcdef", "a3f9c01b2d4e5f60", "30-34歳",
                "2023-04-01", "¥1,790", "1,000,000", "ｶﾞｲﾄﾞ 〒100-0001", "㈱山田　電話０３－１２３４－５６７８"]
    return list(dict.fromkeys(out))


def _unfiltered(values: list[str], detection: DetectionSpec, context: list[str]
                ) -> dict[int, list[tuple[str, int, int, float]]]:
    """Every recognizer with every pattern on every value, settled as the scan settles them: what the
    pre-filter must not change."""
    out = {}
    for i, v in enumerate(values):
        found = resolve(EntityRecognizer.remove_duplicates(analyze_patterns(v, detection, context)))
        if found:
            out[i] = _plain(found)
    return out


def _plain(found: list[RecognizerResult]) -> list[tuple[str, int, int, float]]:
    return sorted((r.entity_type, r.start, r.end, round(r.score, 6)) for r in found)


@pytest.mark.parametrize("threshold", [0.5, 0.3, 0.85])
@pytest.mark.parametrize("context", [[], ["電話"], ["口座番号"], ["郵便番号"], ["免許証"]])
def test_prefilter_is_exact_on_many_spellings(threshold: float, context: list[str]) -> None:
    """My Numbers in full width, with hyphens or spaces, phones in many spellings, labels, memos: the
    pre-filtered scan finds exactly what every recognizer on every value finds (fails if the pre-filter
    dropped a true match)."""
    values = _spellings(random.Random(7))
    detection = DetectionSpec(score_threshold=threshold, patterns=SPEC.patterns)
    expected = _unfiltered(values, detection, context)
    got = analyze_distinct(values, detection, context=context)
    assert {i: _plain(f) for i, f in got.items()} == expected
    assert len(expected) > len(values) // 2  # the spellings are found, not skipped


@pytest.mark.parametrize("context", [[], ["電話"]])
def test_arrow_strings_are_scanned_as_python_strings_are(context: list[str]) -> None:
    """A released column held as Arrow strings (the streamed run's linking codes) is scanned without a
    Python string per value: the same findings, on the same first rows, as the same column as objects;
    with full-width spellings (NFKC in Python for the non-ASCII values only), nulls, empty strings and
    values repeated across rows."""
    from pipeline.detection.prefilter import ArrowTexts
    from pipeline.detection.scan import factorise, scan_series

    rng = random.Random(5)
    values = _spellings(rng) + ["".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(12))
                                for _ in range(500)]
    rows = [*values, None, "", *values[::7], None]
    plain = pd.Series(rows, dtype=object, name="x")
    arrow = plain.astype("string[pyarrow]")
    detection = DetectionSpec(patterns=SPEC.patterns)
    name = context[0] if context else "契約キー"
    want = scan_series(plain, detection, column=name, cleared=set())
    got = scan_series(arrow, detection, column=name, cleared=set())
    assert isinstance(factorise(arrow)[1], ArrowTexts)
    assert got.distinct == want.distinct and (got.codes == want.codes).all()
    assert {i: _plain(f) for i, f in got.hits.items()} == {i: _plain(f) for i, f in want.hits.items()}
    assert got.first_rows() == want.first_rows() and len(want.hits) > 100


def test_prefilter_keeps_every_value_a_recognizer_matches() -> None:
    """Per recognizer: a value with a finding at or above the threshold is among its candidates."""
    values = _spellings(random.Random(11))
    texts = [nfkc_text(v) for v in values]
    per_recognizer, possible = candidates(texts, SPEC)
    allowed = {(rec.name, int(i)) for rec, idx, _ in per_recognizer for i in idx}
    for i, v in enumerate(values):
        for f in recognizer_filters(SPEC):
            found = [r for r in f.recognizer.analyze(v, f.recognizer.supported_entities)
                     if r.score >= SPEC.score_threshold]
            if found:
                assert (f.recognizer.name, i) in allowed, (f.recognizer.name, i)
                assert possible[i]


def test_translation_to_re2_is_a_superset_or_refused() -> None:
    assert re2_superset(r"(?<![0-9])[0-9]{4}(?![0-9])") == "(?sm)[0-9]{4}"
    assert re2_superset(r"山田(?=[ ]?様)") == "(?sm)山田(?:[ ]?様)"      # a closing lookahead is required
    assert re2_superset(r"(?=x)y") == "(?sm)y"                           # an opening lookahead is not
    assert re2_superset(r"(?<=TEL)[0-9]+") == "(?sm)(?:TEL)[0-9]+"
    for untranslatable in (r"(?i)abc", r"(a)\1", r"a++", r"\p{Han}+", r"[[:alpha:]]", r"a{2000}", r"[\D]"):
        assert re2_superset(untranslatable) is None, untranslatable
    assert re2_superset(r"\bword\b") == "(?sm)word"  # zero-width, dropped


@pytest.mark.parametrize("letter", ["d", "s", "w", "D", "S", "W"])
def test_unicode_classes_match_what_python_regex_matches(letter: str) -> None:
    """``\\d``, ``\\s``, ``\\w`` and their complements, translated, match in RE2 exactly the code points
    Python ``regex`` matches them with (every code point but the surrogates), alone and inside a class."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import regex

    from pipeline.detection.recognizers.base import FLAGS

    points = [chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF]
    # the class matches one code point: its matches over all of them in one string are the points it takes
    # (one C scan instead of a fullmatch per point: 1.1M calls were 10-15 s a letter)
    want = np.zeros(len(points), dtype=bool)
    want[[m.start() for m in regex.finditer(f"\\{letter}", "".join(points), FLAGS)]] = True
    assert want.any() and not want.all()
    array = pa.array(points)
    for pattern in (f"\\{letter}", f"[\\{letter}]" if letter.islower() else None):
        if pattern is None:
            continue
        translated = re2_superset(pattern)
        assert translated is not None
        got = pc.match_substring_regex(array, f"^(?:{translated})$").to_numpy(zero_copy_only=False)
        assert np.array_equal(got, want), pattern


def test_a_custom_pattern_with_unicode_digits_and_boundaries_finds() -> None:
    """A config pattern in Python syntax (``\\d`` is Unicode there, ``\\b`` too) finds what Python finds:
    Arabic-Indic digits included, none that Python would not report (a boundary inside a word), through the
    RE2 pre-filter; an untranslatable one (inline flag) falls back to Python matching."""
    spec = DetectionSpec(patterns=(CustomPattern(entity="CLAIM_NUMBER", regex=r"\bCL\d{6}\b", score=0.9),))
    values = ["請求 CL123456 の件", "CL12345", "CL١٢٣٤٥٦", "xCL123456"]
    found = analyze_distinct(values, spec)
    assert sorted(found) == [0, 2] and all(r.entity_type == "CLAIM_NUMBER" for r in found[0] + found[2])
    assert recognizer_filters(spec)[-1].patterns[0].re2 is not None
    flagged = DetectionSpec(patterns=(CustomPattern(entity="CLAIM_NUMBER", regex=r"(?i)cl\d{6}", score=0.9),))
    assert recognizer_filters(flagged)[-1].patterns[0].re2 is None
    assert sorted(analyze_distinct(["cl123456", "CL١٢٣٤٥٦", "CL12"], flagged)) == [0, 1]


def test_nfkc_text_is_the_recognizers_text() -> None:
    rng = random.Random(3)
    pool = "ｶﾞｷﾞﾊﾟ㈱１２３－ＡＢｃ＠．\u3099\u309a\u0301e가\u1100\u1161 0-9ー丁目市区"
    for _ in range(3000):
        s = "".join(rng.choice(pool) for _ in range(rng.randint(0, 12)))
        assert nfkc_text(s) == normalise(s).text, s


def test_joiner_class_matches_unicodedata() -> None:
    """The cluster regex's joiners are unicodedata's combining marks (plus code points unassigned in
    Python's Unicode tables, whose NFKC is themselves)."""
    for cp in range(0x30000):
        ch = chr(cp)
        joiner = ch in "\uff9e\uff9f\u3099\u309a" or unicodedata.combining(ch) != 0
        matched = _CLUSTER.fullmatch("a" + ch) is not None
        assert matched == joiner or (matched and unicodedata.category(ch) == "Cn"), hex(cp)


def test_my_number_check_is_stdnums() -> None:
    rng = random.Random(5)
    for _ in range(20000):
        d = "".join(rng.choice("0123456789") for _ in range(rng.choice([11, 12, 12, 12, 13])))
        assert valid_my_number(d) == in_.is_valid(d), d


def test_profile_samples_patterns_and_states_the_interval() -> None:
    """A column with more candidates than the pattern sample: the big entity is estimated with its 95 %
    interval, the rare one (fewer candidates than the sample) is counted exactly, never sampled away."""
    from pipeline.detection.profile import profile_column

    rng = random.Random(1)
    phones = [f"090-{rng.randrange(10**4):04d}-{i:04d}" for i in range(3000)]
    values = phones + ["特になし"] * 1000
    values[5] = f"個人番号{_mynum(rng)}"
    series = pd.Series(values, name="連絡先メモ")
    sampled = profile_column(series, DetectionSpec(ner=False), pattern_sample=500)
    exact = profile_column(series, DetectionSpec(ner=False), pattern_sample=None)
    share, lo, hi, is_exact = sampled.share("PHONE_NUMBER")
    assert not is_exact and sampled.pattern_sampled == 500 and lo <= share <= hi
    true = exact.share("PHONE_NUMBER")[0]
    assert lo <= true <= hi and abs(true - 2999 / 4000) < 1e-9
    once = 1 / 4000
    assert sampled.share("JP_MY_NUMBER") == exact.share("JP_MY_NUMBER") == (once, once, once, True)
    assert "JP_MY_NUMBER" in sampled.entities()
    assert np.array_equal(sampled.codes, exact.codes)


def test_values_that_are_not_utf8_fall_back_to_python_matching() -> None:
    """A lone surrogate (a broken export read with surrogateescape) cannot go to Arrow: same findings."""
    clean = ["電話 090-1234-5678", "口座 1234567", "なし"]
    broken = [v + "\udc80" for v in clean]
    def plain(values: list[str]) -> dict[int, list[tuple[str, int, int, float]]]:
        return {i: _plain(f) for i, f in analyze_distinct(values, SPEC).items()}
    assert plain(broken) == plain(clean) != {}
