"""A labelled evaluation set of Japanese call-centre notes (Faker ``ja_JP``) and span-overlap scoring.

Why generated: real notes cannot leave the insurer, and a fixed seed makes the quality figures reproducible
(benchmarks/pii_eval.py prints them; tests/detection pins them). Every entity is written in the spellings
found in real extracts: full-width digits, hyphens, spaces, brackets, 〒, honorifics, kanji and katakana
names. Sentences without PII but full of look-alike numbers (amounts, dates, claim numbers) measure precision.

Scoring: a prediction is a true positive when it overlaps a gold span of the same entity type; a gold span
is found when a prediction of its type overlaps it (partial credit is fine for redaction purposes).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from faker import Faker
from stdnum.jp import in_

EVALUATED = ("JP_MY_NUMBER", "PHONE_NUMBER", "EMAIL_ADDRESS", "JP_POSTAL_CODE", "PERSON", "LOCATION")
_FW = str.maketrans("0123456789-@.()abcdefghijklmnopqrstuvwxyz",
                    "０１２３４５６７８９－＠．（）ａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ")


@dataclass(frozen=True)
class Example:
    text: str
    #: (entity type, start, end) of every personal item in ``text``.
    spans: tuple[tuple[str, int, int], ...]


def _full(s: str) -> str:
    return s.translate(_FW)


def my_number(rng: random.Random) -> str:
    body = "".join(rng.choice("0123456789") for _ in range(11))
    n = body + in_.calc_check_digit(body)
    style = rng.randrange(6)
    return [n, f"{n[:4]} {n[4:8]} {n[8:]}", f"{n[:4]}-{n[4:8]}-{n[8:]}", _full(n),
            _full(f"{n[:4]}-{n[4:8]}-{n[8:]}"), f"{n[:4]}　{n[4:8]}　{n[8:]}"][style]


def phone(rng: random.Random) -> str:
    d = lambda k: "".join(rng.choice("0123456789") for _ in range(k))  # noqa: E731
    kind = rng.randrange(7)
    if kind == 0:
        parts = (rng.choice(["03", "06"]), d(4), d(4))
    elif kind == 1:
        parts = ("0" + rng.choice("1234579") + d(1), d(3), d(4))
    elif kind == 2:
        parts = ("0" + rng.choice("12345") + d(2), d(2), d(4))
    elif kind == 3:
        parts = (rng.choice(["070", "080", "090"]), d(4), d(4))
    elif kind == 4:
        parts = ("050", d(4), d(4))
    elif kind == 5:
        parts = ("0120", d(3), d(3))
    else:
        parts = ("0800", d(3), d(4))
    if kind in (1, 2) and parts[0][:3] in ("050", "070", "080", "090"):
        return phone(rng)  # 0X0 prefixes are 11-digit mobile/IP numbers, never 10-digit fixed lines
    style = rng.randrange(6)
    a, b, c = parts
    return [f"{a}-{b}-{c}", f"{a}{b}{c}", f"({a}){b}-{c}", f"{a}({b}){c}", _full(f"{a}-{b}-{c}"),
            f"{a} {b} {c}"][style]


def postal(fake: Faker, rng: random.Random) -> str:
    code = fake.postcode()
    bare = code.replace("-", "")
    spellings = [f"〒{code}", f"〒{bare}", f"〒 {code}", _full(f"〒{code}"), f"郵便番号{bare}",
                 f"郵便番号：{code}"]
    return spellings[rng.randrange(len(spellings))]


def email(fake: Faker, rng: random.Random) -> str:
    e = fake.email()
    return _full(e) if rng.random() < 0.1 else e


def person(fake: Faker, rng: random.Random) -> tuple[str, str]:
    """A name and the honorific (possibly empty) written after it."""
    kind = rng.randrange(5)
    if kind == 0:
        name = fake.name()
    elif kind == 1:
        name = fake.name().replace(" ", "")
    elif kind == 2:
        name = fake.kana_name()
    elif kind == 3:
        name = fake.last_name()
    else:
        name = fake.name().replace(" ", "　")
    honorific = rng.choice(["様", "様", "さん", "さま", "氏", " 様", ""])
    return name, honorific


# Templates: {slot} holes; a slot's type decides the entity. ``P`` is a person (with honorific).
_TEMPLATES = (
    "{P}より入電。{TEL}へ折り返し希望。",
    "契約者{P}の住所変更。新住所：{ZIP} {ADDR}",
    "{P}から個人番号の届出あり（{MYNUM}）。",
    "メールアドレス変更の依頼、{EMAIL}へ確認メール送付済み。",
    "{P}、電話番号{TEL}、メール{EMAIL}。",
    "マイナンバー{MYNUM}を確認しました。",
    "本人確認済み。{P}の携帯は{TEL}です。",
    "{ADDR}在住の{P}より、入院給付金の請求について問い合わせ。",
    "{ZIP}　{ADDR}　{P}",
    "ご家族の{P}から連絡あり。連絡先{TEL}、個人番号{MYNUM}",
    "{P}へ書類を{ZIP}{ADDR}宛に郵送。",
    "担当{P}が{EMAIL}宛に回答済み。",
    "受取人{P}の口座確認のため{TEL}に架電、不在。",
    "個人番号カードの写し（番号{MYNUM}）受領。",
    "{P}よりメール({EMAIL})にて解約の申出。",
)
_NEGATIVE = (
    "保険金額{AMOUNT}円、入院日数{DAYS}日、{DATE}に支払済み。",
    "請求番号{CLAIM}の書類不備、再提出待ち。",
    "年齢区分30-34歳、都道府県は東京都、契約月2023-04。",
    "保険料{AMOUNT}円を{DATE}に口座振替。前回から{DAYS}日経過。",
    "証券番号{POLICY}の契約内容照会。満期は{DATE}。",
    "支払額10,000-19,999円の区分、件数{DAYS}件。",
    "手術給付金{AMOUNT}円（請求番号{CLAIM}）を承認。",
)


def _fill(template: str, fake: Faker, rng: random.Random,
          extra: dict[str, Callable[[], tuple[str, str | None]]] | None = None) -> Example:
    makers: dict[str, Callable[[], tuple[str, str | None]]] = {**(extra or {}),
        "TEL": lambda: (phone(rng), "PHONE_NUMBER"),
        "MYNUM": lambda: (my_number(rng), "JP_MY_NUMBER"),
        "EMAIL": lambda: (email(fake, rng), "EMAIL_ADDRESS"),
        "ADDR": lambda: (fake.address(), "LOCATION"),
        "AMOUNT": lambda: (f"{rng.randrange(1, 500) * 1000:,}", None),
        "DAYS": lambda: (str(rng.randrange(1, 120)), None),
        "DATE": lambda: (fake.date(pattern=rng.choice(["%Y-%m-%d", "%Y年%m月%d日", "%Y/%m/%d"])), None),
        "CLAIM": lambda: (f"C{rng.randrange(10**9):09d}", None),
        "POLICY": lambda: (f"{rng.randrange(10**7):07d}-{rng.randrange(100):02d}", None),
    }
    text, spans, i = "", [], 0
    while i < len(template):
        if template[i] == "{":
            j = template.index("}", i)
            slot = template[i + 1: j]
            if slot == "ZIP":
                value = postal(fake, rng)
                # The gold span is the code itself (〒 / 郵便番号 are labels, not data).
                code_start = next(k for k, ch in enumerate(value) if ch in "0123456789０１２３４５６７８９")
                spans.append(("JP_POSTAL_CODE", len(text) + code_start, len(text) + len(value)))
                text += value
            elif slot == "P":
                name, honorific = person(fake, rng)
                spans.append(("PERSON", len(text), len(text) + len(name)))
                text += name + honorific
            else:
                value, entity = makers[slot]()
                if entity:
                    spans.append((entity, len(text), len(text) + len(value)))
                text += value
            i = j + 1
        else:
            text += template[i]
            i += 1
    return Example(text, tuple(spans))


def generate(n: int = 300, seed: int = 20240401, negative_share: float = 0.25) -> list[Example]:
    """``n`` labelled notes; about ``negative_share`` of them hold no personal data at all."""
    fake = Faker("ja_JP")
    fake.seed_instance(seed)
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        pool = _NEGATIVE if rng.random() < negative_share else _TEMPLATES
        out.append(_fill(rng.choice(pool), fake, rng))
    return out


def bad_phone(rng: random.Random) -> str:
    """A phone-shaped number no phone recognizer accepts: the leading 0 lost, or a digit too many."""
    d = lambda k: "".join(rng.choice("0123456789") for _ in range(k))  # noqa: E731
    kind = rng.randrange(3)
    if kind == 0:
        parts = (rng.choice("123456789") + d(1), d(4), d(4))  # 03-… written as 3-… / 62-6872-7483
    elif kind == 1:
        parts = (rng.choice(["090", "080"]), d(5), d(4))  # one digit too many
    else:
        parts = (rng.choice("123456789") + d(2), d(3), d(4))
    a, b, c = parts
    return [f"{a}-{b}-{c}", _full(f"{a}-{b}-{c}"), f"({a}){b}-{c}", f"{a} {b} {c}"][rng.randrange(4)]


def bad_my_number(rng: random.Random) -> str:
    """Twelve digits whose check digit is wrong: a mistyped My Number."""
    body = "".join(rng.choice("0123456789") for _ in range(11))
    good = in_.calc_check_digit(body)
    n = body + rng.choice([c for c in "0123456789" if c != good])
    return [n, f"{n[:4]}-{n[4:8]}-{n[8:]}", f"{n[:4]} {n[4:8]} {n[8:]}", _full(n)][rng.randrange(4)]


#: Malformed identifiers after their label (positives) and look-alikes without one (negatives).
MALFORMED = ("JP_CONTACT_NUMBER", "JP_MY_NUMBER_INVALID")
_MALFORMED_TEMPLATES = (
    "連絡先 {BADTEL}",
    "本人より入電、連絡先{BADTEL}へ折り返し。",
    "TEL：{BADTEL}（日中）",
    "携帯 {BADTEL} に架電したが不通。",
    "電話番号{BADTEL}は使われていない旨のアナウンス。",
    "個人番号{BADMYNUM}を受領、番号確認中。",
    "マイナンバー：{BADMYNUM}（記載誤りの可能性）",
)
_MALFORMED_NEGATIVE = (
    "電話受付 {DATE}、書類発送済み。",
    "連絡先変更の申出あり。請求番号{CLAIM}。",
    "電話にて保険金額{AMOUNT}円の確認。",
    "個人番号カードの写し未着、{DAYS}日後に再送依頼。",
    "証券番号{POLICY}の解約返戻金{AMOUNT}円。",
    "参照番号 {CODE12} の照会結果を受領。",
    "支払額{AMOUNT}円、伝票番号 {CODE10}。",
)


def generate_malformed(n: int = 200, seed: int = 20240401, negative_share: float = 0.4) -> list[Example]:
    """``n`` labelled notes holding malformed phone numbers and My Numbers after their labels, and
    look-alike numbers without a label (precision)."""
    fake = Faker("ja_JP")
    fake.seed_instance(seed)
    rng = random.Random(seed)
    extra: dict[str, Callable[[], tuple[str, str | None]]] = {
        "BADTEL": lambda: (bad_phone(rng), "JP_CONTACT_NUMBER"),
        "BADMYNUM": lambda: (bad_my_number(rng), "JP_MY_NUMBER_INVALID"),
        "CODE12": lambda: (bad_my_number(rng).replace("-", "").replace(" ", ""), None),
        "CODE10": lambda: (f"{rng.randrange(10, 99)}-{rng.randrange(1000, 9999)}-{rng.randrange(1000, 9999)}",
                           None),
    }
    out = []
    for _ in range(n):
        pool = _MALFORMED_NEGATIVE if rng.random() < negative_share else _MALFORMED_TEMPLATES
        out.append(_fill(rng.choice(pool), fake, rng, extra))
    return out


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def evaluate(examples: Sequence[Example], predictions: Sequence[Sequence[tuple[str, int, int]]]
             ) -> dict[str, dict[str, float]]:
    """Per entity type: gold, found (recall numerator), predicted, correct (precision numerator), P, R."""
    stats: dict[str, dict[str, float]] = {}

    def row(entity: str) -> dict[str, float]:
        return stats.setdefault(entity, {"gold": 0, "found": 0, "predicted": 0, "correct": 0})

    for ex, preds in zip(examples, predictions, strict=True):
        for entity, s, e in ex.spans:
            r = row(entity)
            r["gold"] += 1
            if any(p[0] == entity and _overlap((s, e), (p[1], p[2])) for p in preds):
                r["found"] += 1
        for entity, s, e in preds:
            r = row(entity)
            r["predicted"] += 1
            if any(g[0] == entity and _overlap((s, e), (g[1], g[2])) for g in ex.spans):
                r["correct"] += 1
    for r in stats.values():
        r["recall"] = r["found"] / r["gold"] if r["gold"] else float("nan")
        r["precision"] = r["correct"] / r["predicted"] if r["predicted"] else float("nan")
    return dict(sorted(stats.items()))
