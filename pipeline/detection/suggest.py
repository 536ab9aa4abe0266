"""``scan --suggest-config``: a starting config, a role and a type guessed per column from the scan's profile.

Why: a config author starts from a blank page and 17 columns per table; the scan already knows which
columns hold My Numbers, phones, names or addresses. Each guess is written with its evidence as a YAML
comment (entity shares, distinct count, parsed-date share), so the author reviews a reasoned draft instead
of writing one. The draft loads as it is (``anonymize run`` accepts it), but the release block holds
``TODO`` texts that must be filled in before a real release. The rules, first match wins:

1. empty column → ``identifier`` (deleted; nothing to keep);
2. My Number (valid or mistyped) in ≥ 50 % of filled cells → ``identification_code``;
3. phone, contact number, e-mail, postal code or a person's name in ≥ 50 % → ``identifier``; so are
   columns of katakana words with mostly distinct values (カナ names, which NER misses);
4. a detailed address (``LOCATION`` with block numbers) in ≥ 50 % → ``quasi_identifier``, ``address``;
5. ≥ 95 % of distinct values parse as dates → ``quasi_identifier``: ``age`` for a birth date (by name),
   else ``date`` (month, year);
6. ≥ 95 % parse as sex codes (男, F, 2, 女性 …), at most 16 distinct spellings → ``quasi_identifier``,
   ``sex``, ``flat``;
7. codes with ≥ 90 % distinct values (no spaces, ≤ 24 characters) → ``linking_code``; the first one, or
   one shared with another scanned file, is the ``person_key``;
8. ≥ 95 % parse as amounts or integers → ``attribute`` with ``type`` and a ``top_code`` at the 99th
   percentile (特異な記述);
9. long or mostly distinct text → ``free_text`` (deleted by default);
10. anything else → ``attribute`` (kept; categories held by fewer than k persons are merged).

Values are read to guess, never written: the file holds column names, counts and shares only.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from pipeline.detection.profile import ColumnProfile
from pipeline.normalise.amounts import parse_amount, parse_integer
from pipeline.normalise.dates import parse_date
from pipeline.normalise.sex import parse_sex

#: Distinct values parsed per column to measure the parse shares (a sample beyond that).
PARSE_SAMPLE = 2000
_KATAKANA = re.compile(r"^[ァ-ヴー\s　]+$")
_CODE = re.compile(r"^[0-9A-Za-z\-_]{1,24}$")
_BIRTH = ("生年月日", "誕生", "birth")
_AMOUNT_WORDS = ("円", "額", "料", "金", "amount", "yen")


@dataclass(frozen=True)
class Guess:
    column: str
    role: str
    evidence: str
    type: str = "string"
    hierarchy: str = ""  # a YAML flow mapping, e.g. "{kind: flat}"
    top_code: float | None = None


def _share(values: Sequence[str], parse: Callable[[str], object], none_ok: bool = False
           ) -> tuple[float, list[object]]:
    """Share of ``values`` (NFKC, as the normalisers see them) that ``parse`` accepts, and the parsed."""
    ok: list[object] = []
    n = 0
    for v in values:
        try:
            parsed = parse(unicodedata.normalize("NFKC", v).strip())
        except (ValueError, ArithmeticError, OverflowError):
            continue
        n += 1
        if parsed is not None:
            ok.append(parsed)
    return (n if none_ok else len(ok)) / max(len(values), 1), ok


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def guess_column(series: pd.Series, prof: ColumnProfile) -> Guess:
    """One column's guess (rules in the module docstring)."""
    name = prof.column
    if prof.filled == 0:
        return Guess(name, "identifier", "no filled cell")
    base = f"{prof.filled} filled cells, {prof.distinct} distinct"

    def top(*entities: str) -> tuple[str, float]:
        shares = [(e, prof.share(e)[0]) for e in entities]
        return max(shares, key=lambda x: x[1])

    e, s = top("JP_MY_NUMBER", "JP_MY_NUMBER_INVALID")
    if s >= 0.5:
        return Guess(name, "identification_code", f"{e} in {_pct(s)} of {base}")
    e, s = top("PHONE_NUMBER", "JP_CONTACT_NUMBER", "EMAIL_ADDRESS", "JP_POSTAL_CODE", "PERSON")
    if s >= 0.5:
        return Guess(name, "identifier", f"{e} in {_pct(s)} of {base}")
    distinct = pd.unique(series.dropna().astype(str))
    rng = np.random.default_rng(0)
    if len(distinct) > PARSE_SAMPLE:
        distinct = rng.choice(distinct, PARSE_SAMPLE, replace=False)
    sample = [str(v) for v in distinct]
    ratio = prof.distinct / prof.filled
    kana = sum(bool(_KATAKANA.match(v)) for v in sample) / len(sample)
    if kana >= 0.9 and ratio >= 0.5:
        return Guess(name, "identifier",
                     f"katakana words (a カナ name) in {_pct(kana)} of distinct values, {base}")
    s = prof.share("LOCATION")[0]
    if s >= 0.5:
        return Guess(name, "quasi_identifier", f"LOCATION (address) in {_pct(s)} of {base}; the address "
                     "hierarchy keeps 市区町村 at most", hierarchy="{kind: address}")
    date_share, _ = _share(sample, parse_date)
    if date_share >= 0.95:
        if any(w in name.lower() for w in _BIRTH):
            return Guess(name, "quasi_identifier", f"dates parsed in {_pct(date_share)} of distinct values "
                         "and a birth-date name: released as age bands", "date",
                         "{kind: age, bands: [5, 10], top_code: 90, bottom_code: 20}")
        return Guess(name, "quasi_identifier",
                     f"dates parsed in {_pct(date_share)} of distinct values, {base}", "date",
                     "{kind: date, date_levels: [month, year]}")
    sex_share, _ = _share(sample, parse_sex, none_ok=True)
    if sex_share >= 0.95 and prof.distinct <= 16:
        return Guess(name, "quasi_identifier", f"sex codes in {_pct(sex_share)} of {prof.distinct} distinct "
                     "values", "sex", "{kind: flat}")
    code = sum(bool(_CODE.match(v)) for v in sample) / len(sample)
    if ratio >= 0.9 and code >= 0.95:
        return Guess(name, "linking_code", f"codes, {_pct(ratio)} of filled cells distinct ({base})")
    for kind, parse in (("integer", parse_integer), ("amount", parse_amount)):
        num_share, parsed = _share(sample, parse)
        if num_share >= 0.95 and parsed:
            if kind == "integer" and any(w in name.lower() for w in _AMOUNT_WORDS):
                continue  # an amount written as plain digits: keep looking, amount parses it too
            top_code = float(np.percentile(np.asarray(parsed, dtype=float), 99))
            return Guess(name, "attribute", f"{kind}s parsed in {_pct(num_share)} of distinct values; "
                         "top_code at the 99th percentile", kind, top_code=top_code)
    lengths = [len(v) for v in sample]
    if (np.mean(lengths) >= 15 and ratio >= 0.1) or (ratio >= 0.5 and prof.distinct > 50):
        return Guess(name, "free_text", f"text, mean length {np.mean(lengths):.0f}, {base}; deleted by "
                     "default (free_text: scrub keeps it with personal data tagged)")
    return Guess(name, "attribute", f"categories: {base}; rare ones are merged into その他")


def link_shared(drafts: dict[str, list[Guess]]) -> dict[str, list[Guess]]:
    """A column named like a linking code of another table is that linking code here too (証券番号 in
    claims repeats: not distinct, but the key of the policyholders it belongs to)."""
    keys = {g.column for gs in drafts.values() for g in gs if g.role == "linking_code"}
    out = {}
    for table, guesses in drafts.items():
        own = {g.column for g in guesses if g.role == "linking_code"}
        out[table] = [
            Guess(g.column, "linking_code", f"the name of a linking code of another table; {g.evidence}")
            if g.column in keys - own and g.role in ("attribute", "free_text") else g
            for g in guesses
        ]
    return out


def render(tables: dict[str, tuple[str, list[Guess]]], today: dt.date | None = None) -> str:
    """The YAML text: table name → (the extract's path relative to the config, guesses)."""
    today = today or dt.date.today()
    linking = [{g.column for g in gs if g.role == "linking_code"} for _, gs in tables.values()]
    shared = set.intersection(*linking) if len(linking) > 1 else set()
    lines = [
        "# Drafted by `anonymize scan --suggest-config`: every guess below is commented with its evidence.",
        "# Review each column's role before a real release; fill in the TODO texts of the release block.",
        "release:",
        "  dataset_name: 'TODO: データセット名'",
        "  legal_category: 匿名加工情報",
        "  audience: internal",
        "  purpose: 'TODO: 利用目的'",
        "  contact: 'TODO: 問い合わせ窓口'",
        "",
        "privacy:",
        "  k: 5",
        "  suppression_limit: 0.05",
        f"  reference_date: {today.isoformat()}",
        "",
        "tables:",
    ]
    for table, (path, guesses) in tables.items():
        keys = [g.column for g in guesses if g.role == "linking_code"]
        person = next((c for c in keys if c in shared), keys[0] if keys else None)
        lines += [f"  {_q(table)}:", f"    file: {_q(path)}", "    encoding: auto"]
        if person is not None:
            lines.append(f"    person_key: {_q(person)}  # a linking code"
                         + (" shared with another table" if person in shared else ""))
        lines.append("    columns:")
        for g in guesses:
            lines.append(f"      # {g.evidence}")
            parts = [f"role: {g.role}"]
            if g.type != "string":
                parts.append(f"type: {g.type}")
            if g.hierarchy:
                parts.append(f"hierarchy: {g.hierarchy}")
            if g.top_code is not None:
                parts.append(f"top_code: {math.ceil(g.top_code)}")
            lines.append(f"      {_q(g.column)}: {{{', '.join(parts)}}}")
    return "\n".join(lines) + "\n"


def _q(text: str) -> str:
    """A YAML scalar in single quotes (column names may hold ``:``, ``#`` or start with digits)."""
    return "'" + text.replace("'", "''") + "'"
