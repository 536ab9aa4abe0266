"""The whole pipeline through the CLI on generated CP932 and UTF-8 extracts (issue 2's "done when")."""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

import pandas as pd
import pytest
from pycanon import anonymity
from stdnum.jp import in_ as my_number

from tests.conftest import DEMO_CONFIG, anonymize, copy_extract

_DIGITS = re.compile(r"\d+")


def release_texts(release: Path) -> list[str]:
    """Every string a recipient can see: every cell of every Parquet table, every other file as text."""
    texts: list[str] = []
    for p in sorted(release.rglob("*")):
        if not p.is_file():
            continue
        if p.suffix == ".parquet":
            df = pd.read_parquet(p)
            texts.extend(df.columns.astype(str))
            for col in df.columns:
                texts.extend(df[col].dropna().astype(str).unique().tolist())
        else:
            texts.append(p.read_bytes().decode("utf-8", errors="replace"))
    return texts


def digits_only(s: str) -> str:
    return "".join(_DIGITS.findall(unicodedata.normalize("NFKC", s)))


def test_release_layout_and_manifest(release_cp932: Path) -> None:
    for rel in ["data/policyholders.parquet", "data/claims.parquet", "manifest.json", "published_items.json",
                "published_items.ja.md"]:
        assert (release_cp932 / rel).is_file(), rel
    m = json.loads((release_cp932 / "manifest.json").read_text("utf-8"))
    for key in ["release_id", "created_at", "tool_version", "config_sha256"]:
        assert m[key]
    for name in ["policyholders", "claims"]:
        t = m["tables"][name]
        df = pd.read_parquet(release_cp932 / t["file"])
        assert t["rows"] == len(df) and t["k"] == 5 and t["min_class_size"] >= 5
        assert t["person_key"] == "契約キー" and set(t["quasi_identifiers"]) <= set(df.columns)
        assert t["rows"] + t["suppressed_rows"] == t["rows_in"]
        assert t["suppressed_rows"] <= 0.05 * t["rows_in"] + 1e-9
    assert set(m["files"]) >= {"data/policyholders.parquet", "published_items.json"}
    assert not list(release_cp932.parent.glob(".*partial*")), "staging directory left behind"


def test_pycanon_confirms_k_per_person(release_cp932: Path) -> None:
    m = json.loads((release_cp932 / "manifest.json").read_text("utf-8"))
    for name, t in m["tables"].items():
        df = pd.read_parquet(release_cp932 / t["file"])
        qi = t["quasi_identifiers"]
        # pycanon counts rows; per person: one row per (person, QI tuple) first
        persons = df[[*qi, t["person_key"]]].drop_duplicates().fillna("(null)")
        k_persons = anonymity.k_anonymity(persons[qi].astype(str), qi)
        assert k_persons >= t["k"], f"{name}: pycanon finds k={k_persons}"
        assert k_persons == t["min_class_size"] or t["min_class_size"] >= t["k"]


def test_pycanon_confirms_k_per_person_on_the_joined_view(release_cp932: Path) -> None:
    """Joining the claims release to the policyholder release on the surrogate key (what any recipient of
    both can do) still leaves every combination of all six quasi-identifiers with at least k persons."""
    m = json.loads((release_cp932 / "manifest.json").read_text("utf-8"))
    ph, cl = m["tables"]["policyholders"], m["tables"]["claims"]
    key = cl["person_key"]
    joined = pd.read_parquet(release_cp932 / cl["file"]).merge(
        pd.read_parquet(release_cp932 / ph["file"])[[key, *ph["quasi_identifiers"]]], on=key, how="left")
    qi = [*cl["quasi_identifiers"], *ph["quasi_identifiers"]]
    persons = joined[[*qi, key]].drop_duplicates().fillna("(null)")
    assert anonymity.k_anonymity(persons[qi].astype(str), qi) >= cl["k"]
    # the strategy kept is the one of lower total loss, and both are recorded
    view = cl["search"]["joined_view"]
    assert view == ph["search"]["joined_view"]
    losses = view["total_lm"]
    kept = losses["joint" if view["strategy"] == "joint" else "earlier first"]
    assert all(kept <= other + 1e-12 for other in losses.values() if other is not None)


def test_identifiers_deleted_and_surrogates_unlinkable(release_cp932: Path,
                                                        extract_cp932: dict[str, Path]) -> None:
    ph = pd.read_csv(extract_cp932["policyholders"], encoding="cp932", dtype=str)
    cl = pd.read_csv(extract_cp932["claims"], encoding="cp932", dtype=str)
    released = pd.read_parquet(release_cp932 / "data/policyholders.parquet")
    gone_columns = ["氏名", "カナ", "住所", "電話", "e-mail", "個人番号", "郵便番号", "備考", "証券番号",
                    "生年月日"]
    for gone in gone_columns:
        assert gone not in released.columns
    joined = set(released["契約キー"]) & (set(ph["証券番号"]) | set(cl["請求番号"]))
    assert not joined, "a surrogate equals a source code"
    claims = pd.read_parquet(release_cp932 / "data/claims.parquet")
    assert set(claims["契約キー"]) & set(released["契約キー"]), \
        "claims must join their policies in one release"


def test_no_personal_value_anywhere_in_release(release_cp932: Path, extract_cp932: dict[str, Path]) -> None:
    ph = pd.read_csv(extract_cp932["policyholders"], encoding="cp932", dtype=str)
    cl = pd.read_csv(extract_cp932["claims"], encoding="cp932", dtype=str)
    blob = "\n".join(release_texts(release_cp932))
    nfkc_blob = unicodedata.normalize("NFKC", blob)
    digit_runs = set(_DIGITS.findall(nfkc_blob))
    for mn in ph["個人番号"].dropna():
        assert digits_only(mn) not in digit_runs
    # any My-Number-shaped sequence (12 digits, optionally spaced/hyphenated in fours) with a valid check
    # digit;
    # not inside hex tokens (SHA-256 digests, GX's result UUIDs such as …-164945414785), which are not numbers
    shaped = re.findall(r"(?<![0-9A-Za-z.])(?<![0-9A-Fa-f]-)(\d{4})[ -]?(\d{4})[ -]?(\d{4})(?![0-9A-Za-z.])",
                        nfkc_blob)
    assert not [m for m in shaped if my_number.is_valid("".join(m))], "a valid My Number is in the release"
    for phone in ph["電話"].dropna():
        d = digits_only(phone)
        assert d not in digit_runs
    emails = [unicodedata.normalize("NFKC", v) for v in ph["e-mail"].dropna()]
    assert not found_in(nfkc_blob, emails), "an e-mail address is in the release"
    names = ph["氏名"].dropna().tolist()
    names += [name.replace(" ", "").replace("\u3000", "") for name in names]
    assert not found_in(blob, names), "a name is in the release"
    assert not found_in(blob, pd.concat([ph["証券番号"], cl["請求番号"]]).dropna().tolist()), \
        "a policy or claim number is in the release"


def found_in(blob: str, needles: list[str]) -> list[str]:
    """The needles that occur in ``blob``, as ``needle in blob`` finds them, without scanning the blob once
    per needle (thousands of names over megabytes of release): a needle whose two-character pieces are not
    all in the blob cannot occur in it, so only the others are searched."""
    pieces = {blob[i:i + 2] for i in range(len(blob) - 1)}
    return [n for n in dict.fromkeys(needles)
            if all(n[i:i + 2] in pieces for i in range(len(n) - 1)) and n in blob]


def test_found_in_finds_what_in_finds() -> None:
    blob = "契約キー abc 山田花子 x"
    needles = ["山田花子", "山田", "田花", "花子 x", "x", "", "山田太郎", "abcd", " ", "キー a"]
    assert found_in(blob, needles) == [n for n in needles if n in blob]


def test_utf8_extract_through_cli(tmp_path: Path, extract_utf8: dict[str, Path]) -> None:
    out = tmp_path / "rel"
    proc = anonymize("--phases", "run", str(DEMO_CONFIG), "--out", str(out), "--register",
                     str(tmp_path / "reg.jsonl"), *[f"--input={k}={v}" for k, v in extract_utf8.items()])
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "rows in" in proc.stdout and "published items" in proc.stdout
    df = pd.read_parquet(out / "data/policyholders.parquet")
    assert len(df) > 0
    # --phases: the time table on stderr, every phase of the run, names and seconds only
    phases = [line.strip().split("  ")[0] for line in proc.stderr.splitlines()[2:]]
    for name in ("read policyholders", "normalise claims", "hierarchies", "surrogates", "joined-view round 1",
                 "search claims", "residual PII scan", "write", "report", "validate", "checksums", "total"):
        assert name in phases, name
    raw = pd.read_csv(extract_utf8["policyholders"], dtype=str)
    cells = {v for col in ("氏名", "住所", "職業", "証券番号") for v in raw[col].dropna()}
    assert not any(v in proc.stderr for v in cells)


def _expect_failure(tmp_path: Path, inputs: dict[str, Path], pattern: str) -> str:
    out = tmp_path / "rel"
    proc = anonymize("run", str(DEMO_CONFIG), "--out", str(out), "--register", str(tmp_path / "reg.jsonl"),
                     *[f"--input={k}={v}" for k, v in inputs.items()])
    assert proc.returncode != 0
    err = proc.stderr.strip().splitlines()
    assert len(err) == 1, proc.stderr  # one clear line, no traceback
    assert re.search(pattern, err[0]), err[0]
    assert not out.exists() and not list(tmp_path.glob(".rel*")), "a (partial) release directory was left"
    return err[0]


def test_unclassified_column_fails_closed(tmp_path: Path, extract_utf8: dict[str, Path]) -> None:
    inputs = copy_extract(extract_utf8, tmp_path / "in")
    df = pd.read_csv(inputs["policyholders"], dtype=str)
    df["その他"] = "x"
    df.to_csv(inputs["policyholders"], index=False)
    # named by position (18th of 18), never by the file's own name: without a header row that is a record
    line = _expect_failure(tmp_path, inputs, r"1 column\(s\) not classified in the config: column 18 of 18;")
    assert "その他" not in line


def test_impossible_date_names_row_and_column(tmp_path: Path, extract_utf8: dict[str, Path]) -> None:
    inputs = copy_extract(extract_utf8, tmp_path / "in")
    df = pd.read_csv(inputs["policyholders"], dtype=str)
    df.loc[41, "生年月日"] = "2023-02-30"
    df.to_csv(inputs["policyholders"], index=False)
    line = _expect_failure(tmp_path, inputs, r"row 42, column 生年月日: not a valid date")
    assert "2023-02-30" not in line


def test_truncated_csv(tmp_path: Path, extract_cp932: dict[str, Path]) -> None:
    inputs = copy_extract(extract_cp932, tmp_path / "in")
    data = inputs["policyholders"].read_bytes()
    inputs["policyholders"].write_bytes(data[: int(len(data) * 0.6)])
    _expect_failure(tmp_path, inputs, r"policyholders\.csv")


def test_non_numeric_amount(tmp_path: Path, extract_utf8: dict[str, Path]) -> None:
    inputs = copy_extract(extract_utf8, tmp_path / "in")
    df = pd.read_csv(inputs["claims"], dtype=str)
    df.loc[3, "支払額"] = "たくさん"
    df.to_csv(inputs["claims"], index=False)
    _expect_failure(tmp_path, inputs, r"table claims, .*row 4, column 支払額: not a valid amount")


def test_existing_out_is_never_overwritten(tmp_path: Path, extract_utf8: dict[str, Path]) -> None:
    out = tmp_path / "rel"
    out.mkdir()
    (out / "keep.txt").write_text("x")
    inputs = [f"--input={k}={v}" for k, v in extract_utf8.items()]
    proc = anonymize("run", str(DEMO_CONFIG), "--out", str(out), *inputs)
    assert proc.returncode != 0 and "already exists" in proc.stderr
    assert (out / "keep.txt").read_text() == "x"


@pytest.mark.parametrize("k", [10**6])
def test_k_larger_than_persons(tmp_path: Path, extract_utf8: dict[str, Path], k: int) -> None:
    cfg = tmp_path / "c.yaml"
    text = DEMO_CONFIG.read_text("utf-8").replace("k: 5", f"k: {k}")
    text = text.replace("hierarchies/", str(DEMO_CONFIG.parent / "hierarchies") + "/")
    cfg.write_text(text, "utf-8")
    inputs = [f"--input={k_}={v}" for k_, v in extract_utf8.items()]
    proc = anonymize("run", str(cfg), "--out", str(tmp_path / "rel"), *inputs)
    assert proc.returncode != 0 and "larger than the number of persons" in proc.stderr
    assert not (tmp_path / "rel").exists()
