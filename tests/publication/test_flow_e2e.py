"""The whole third-party flow on a generated extract, through the CLI: run (x2) → provide refused →
publish → provide → register; then issue 6 point 6: nothing restorable is kept anywhere.

One module-scoped flow (two pipeline runs on 2,000 policies) feeds every test here.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import secrets
import tempfile
from pathlib import Path

import pandas as pd
import pytest

from pipeline.cli.main import main
from pipeline.generate import generate_extracts
from tests.publication import htmlcheck

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "configs" / "reinsurer.yaml"
LINK_COLUMNS = {"policyholders": ("契約キー",), "claims": ("契約キー", "請求キー")}


class Flow:
    def __init__(self, base: Path) -> None:
        self.base = base
        self.extract = base / "extract"
        self.reg = base / "out" / "register.jsonl"
        self.rel1, self.rel2 = base / "out" / "rel1", base / "out" / "rel2"
        self.site, self.bundle, self.refused = (
            base / "out" / "site",
            base / "out" / "bundle",
            base / "out" / "b0",
        )
        self.tmp = base / "tmp"
        self.codes: dict[str, int] = {}
        self.seeds: list[int] = []
        self.logs = io.StringIO()

    def cli(self, *argv: str | Path) -> int:
        with contextlib.redirect_stdout(self.logs), contextlib.redirect_stderr(self.logs):
            code = main([str(a) for a in argv])
        self.codes[" ".join(str(a) for a in argv[:1]) + f"#{len(self.codes)}"] = code
        return code


@pytest.fixture(scope="module")
def flow(tmp_path_factory) -> Flow:
    f = Flow(tmp_path_factory.mktemp("flow"))
    files = generate_extracts(f.extract, rows=2000, seed=7, fmt="csv", encoding="utf-8")
    f.tmp.mkdir()
    real_randbits = secrets.randbits

    def recording_randbits(k: int) -> int:  # every seed the run draws, to look for it afterwards
        value = real_randbits(k)
        f.seeds.append(value)
        return value

    inputs = [a for t, p in files.items() for a in ("--input", f"{t}={p}")]
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(secrets, "randbits", recording_randbits)
        mp.setenv("TMPDIR", str(f.tmp))
        mp.setattr(tempfile, "tempdir", str(f.tmp))
        f.run1 = f.cli("--quiet", "run", CONFIG, *inputs, "--out", f.rel1, "--register", f.reg)
        f.run2 = f.cli("--quiet", "run", CONFIG, *inputs, "--out", f.rel2, "--register", f.reg)
        f.provide_early = f.cli("provide", f.rel1, "--out", f.refused, "--register", f.reg)
        f.publish = f.cli("publish", "--site", f.site, "--register", f.reg)
        f.provide = f.cli("provide", f.rel1, "--out", f.bundle, "--register", f.reg)
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            f.register_json = main(["register", "--register", str(f.reg), "--json"])
        f.events = [json.loads(line) for line in out.getvalue().splitlines()]
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            main(["register", "--register", str(f.reg)])
        f.table = out.getvalue()
    (f.base / "logs.txt").write_text(f.logs.getvalue(), encoding="utf-8")
    return f


def test_the_flow_succeeds_in_order_and_refuses_provision_before_publication(flow):
    assert (flow.run1, flow.run2, flow.publish, flow.provide, flow.register_json) == (0, 0, 0, 0, 0)
    assert flow.provide_early == 9  # RegisterError: not yet published
    assert not flow.refused.exists()
    kinds = [e["event"] for e in flow.events]
    assert kinds == ["pending", "created", "pending", "created", "published", "published", "provided"]
    assert flow.events[1]["pending_seq"] == 1 and flow.events[3]["pending_seq"] == 3
    rel1_id = json.loads((flow.rel1 / "manifest.json").read_text(encoding="utf-8"))["release_id"]
    published = [e for e in flow.events if e["event"] == "published" and e["release_id"] == rel1_id]
    assert published[0]["provision_method"].startswith("暗号化したファイル")
    assert flow.events[-1]["release_id"] == rel1_id and flow.events[-1]["recipient_category"] == "再保険会社"
    created = flow.events[1]
    assert created["config_sha256"] and created["validation"]["success"] is True
    assert set(created["tables"]) == {"policyholders", "claims"}
    assert all(t["min_class_size"] >= t["k"] for t in created["tables"].values())
    assert rel1_id in flow.table and "provided" in flow.table


def test_items_are_the_released_columns(flow):
    doc = json.loads((flow.rel1 / "published_items.json").read_text(encoding="utf-8"))
    assert doc["third_party_provision"] is True and doc["legal_category"] == "匿名加工情報"
    for table in ("policyholders", "claims"):
        columns = list(pd.read_parquet(flow.rel1 / "data" / f"{table}.parquet").columns)
        assert [i["column"] for i in doc["items"] if i["table"] == table] == columns
    labels = {i["column"]: i["label"] for i in doc["items"]}
    assert "氏名" not in labels and "個人番号" not in labels and "備考" not in labels
    assert "照合不可" in labels["契約キー"]
    page = htmlcheck.check((flow.rel1 / "published_items.ja.html").read_text(encoding="utf-8"))
    assert all(i["label"] in "".join(page.text) for i in doc["items"])
    index = htmlcheck.check((flow.site / "index.html").read_text(encoding="utf-8"))
    assert len(index.links) == 2 and all((flow.site / link).is_file() for link in index.links)
    bundle_dict = json.loads((flow.bundle / "data_dictionary.json").read_text(encoding="utf-8"))
    assert [c["column"] for c in bundle_dict["columns"]] == [i["column"] for i in doc["items"]]


def _written_files(flow: Flow) -> list[Path]:
    return [p for p in flow.base.rglob("*") if p.is_file() and flow.extract not in p.parents]


def _content(path: Path) -> bytes:
    """What a reader of the file sees: Parquet pages are compressed, so read their cells instead."""
    if path.suffix == ".parquet":
        df = pd.read_parquet(path)
        cells = [str(c) for c in df.columns] + [str(v) for v in df.astype(str).to_numpy().ravel()]
        return "\n".join(cells).encode()
    return path.read_bytes()


def _shape_regex(codes: set[str]) -> re.Pattern[bytes]:
    """One overlapping pattern per code shape (KZ00074893 → [A-Za-z]{2}[0-9]{8}): fast on megabytes, and
    every match is then looked up in the set of source codes."""
    shapes = set()
    for code in codes:
        runs = re.findall(r"[A-Za-z]+|[0-9]+|[^A-Za-z0-9]+", code)
        shapes.add(
            "".join(
                f"[A-Za-z]{{{len(r)}}}"
                if r[0].isalpha()
                else f"[0-9]{{{len(r)}}}"
                if r[0].isdigit()
                else re.escape(r)
                for r in runs
            )
        )
    return re.compile(("(?=(" + "|".join(sorted(shapes)) + "))").encode())


def test_no_source_code_or_seed_is_written_anywhere(flow):
    codes: set[str] = set()
    for name, col in (("policyholders.csv", "証券番号"), ("claims.csv", "請求番号")):
        codes |= set(pd.read_csv(flow.extract / name, dtype=str)[col].dropna().str.strip())
    assert len(codes) > 2000 and flow.seeds
    shape = _shape_regex(codes)
    code_bytes = {c.encode() for c in codes}
    seeds: list[bytes] = []
    for seed in flow.seeds:
        seeds += [str(seed).encode(), f"{seed:x}".encode(), f"{seed:032x}".encode()]
        seeds += [seed.to_bytes(16, "little"), seed.to_bytes(16, "big")]
    files = _written_files(flow)
    assert any(p.name == "logs.txt" for p in files) and any(p.suffix == ".parquet" for p in files)
    for path in files:
        data = _content(path)
        found = {m.group(1) for m in shape.finditer(data)} & code_bytes
        assert not found, f"{path.relative_to(flow.base)} holds {len(found)} source linking codes"
        assert not any(s in data for s in seeds), f"{path.relative_to(flow.base)} holds a seed"
    assert not [p for p in files if p.suffix in (".pkl", ".pickle", ".npy", ".npz", ".key")]


def test_the_scan_would_find_a_leaked_mapping(flow, tmp_path):
    """The scan above is not vacuous: a mapping written as Parquet (compressed) is found."""
    codes = pd.read_csv(flow.extract / "policyholders.csv", dtype=str)["証券番号"].head(3)
    leak = tmp_path / "mapping.parquet"
    pd.DataFrame({"source": codes, "surrogate": ["a", "b", "c"]}).to_parquet(leak, compression="zstd")
    found = {m.group(1) for m in _shape_regex(set(codes)).finditer(_content(leak))}
    assert found == {c.encode() for c in codes}


def test_no_temporary_file_is_left_behind(flow):
    assert list(flow.tmp.iterdir()) == []
    leftovers = [p.name for p in (flow.base / "out").iterdir() if p.name.startswith(".")]
    assert leftovers == []
    assert sorted(p.name for p in (flow.base / "out").iterdir()) == [
        "bundle",
        "register.jsonl",
        "rel1",
        "rel2",
        "site",
    ]


def test_two_releases_of_the_same_input_share_no_surrogate(flow):
    for table, columns in LINK_COLUMNS.items():
        a = pd.read_parquet(flow.rel1 / "data" / f"{table}.parquet")
        b = pd.read_parquet(flow.rel2 / "data" / f"{table}.parquet")
        for col in columns:
            sa, sb = set(a[col].dropna()), set(b[col].dropna())
            assert len(sa) > 100 and len(sb) > 100
            assert not (sa & sb), f"{table}.{col}: {len(sa & sb)} surrogates shared"
    # consistent within one release: every claim's 契約キー is a policyholder's 契約キー
    p = pd.read_parquet(flow.rel1 / "data" / "policyholders.parquet")
    c = pd.read_parquet(flow.rel1 / "data" / "claims.parquet")
    assert c["契約キー"].dropna().isin(set(p["契約キー"])).mean() > 0.9
