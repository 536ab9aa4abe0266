"""Catalogue: ``anonymize demo`` only ever touches what it made (issue 11 point 3), and what a release may
hold: no My-Number-shaped sequence in any file (point 10), 市区町村 from the official list (point 11).

The refusals run in-process and fail before anything is generated; the real demo runs twice in a
subprocess (module fixture, marked slow) and its release is then scanned file by file.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from stdnum.jp import in_

import pipeline.validation.docs
from tests.conftest import anonymize
from tests.hostile.conftest import Result, assert_one_line


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _release(path: Path, demo: bool | None) -> Path:
    (path / "data").mkdir(parents=True)
    manifest = {"release_id": "20260101T000000-abcdef", "tables": {}}
    if demo is not None:
        manifest["demo"] = demo
    (path / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    (path / "data" / "policyholders.parquet").write_bytes(b"a third party's data")
    return path


def _extract(path: Path, marker: bool) -> Path:
    path.mkdir(parents=True)
    (path / "policyholders.csv").write_text("the user's own extract", encoding="utf-8")
    if marker:
        (path / ".anonymize-demo").write_text("", encoding="utf-8")
    return path


#: (case id, builds the workspace at (out, extract), what the error line says)
REFUSALS: list[tuple[str, Callable[[Path, Path], None], str]] = [
    ("extract folder of the user's", lambda o, e: _extract(e, marker=False),
     "was not made by anonymize demo"),
    ("a real release at --out", lambda o, e: _release(o, demo=None), "not a release made by anonymize demo"),
    ("a release saying demo: false", lambda o, e: _release(o, demo=False), "not a release made by anonymize"),
    ("a user's folder at --out", lambda o, e: _extract(o, marker=False), "not a release made by anonymize"),
    ("demo release but the user's extract", lambda o, e: (_release(o, demo=True), _extract(e, marker=False)),
     "was not made by anonymize demo"),
    ("--out a link to a demo release", lambda o, e: (_release(o.parent / "elsewhere", demo=True),
                                                     o.symlink_to(o.parent / "elsewhere")), "not a release"),
    ("extract a link to a marked folder", lambda o, e: (_extract(o.parent / "mine", marker=True),
                                                        e.symlink_to(o.parent / "mine")), "was not made"),
]


@pytest.mark.parametrize(("build", "words"), [r[1:] for r in REFUSALS], ids=[r[0] for r in REFUSALS])
def test_demo_refuses_to_delete_what_it_did_not_make(tmp_path: Path, cli: Callable[..., Result],
                                                     build: Callable[[Path, Path], None], words: str) -> None:
    out, extract = tmp_path / "w" / "demo", tmp_path / "w" / "demo-extract"
    out.parent.mkdir()
    build(out, extract)
    before = _tree(tmp_path)
    line = assert_one_line(cli("demo", "--out", str(out), "--rows", "50"), 10)
    assert words in line and "nothing was deleted" in line
    assert _tree(tmp_path) == before  # not one file changed, added or removed


def test_demo_keep_and_bad_rows(tmp_path: Path, cli: Callable[..., Result]) -> None:
    out = tmp_path / "demo"
    _release(out, demo=True)
    assert "--keep was given" in assert_one_line(cli("demo", "--out", str(out), "--keep"), 10)
    assert "--rows must be at least 1" in assert_one_line(cli("demo", "--out", str(tmp_path / "x"),
                                                              "--rows", "0"), 3)
    assert not (tmp_path / "x-extract").exists()


#: What a DLP scanner matches as a My Number: 12 digits, or 4-4-4 with one separator between the groups,
#: not inside a longer token of letters or digits; flagged when the check digit is valid.
_MY_NUMBER_SHAPE = re.compile(r"(?<![0-9A-Za-z])(?=(\d{4}[^\w]?\d{4}[^\w]?\d{4})(?![0-9A-Za-z]))")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)


def my_number_shaped(text: str) -> list[str]:
    found = (m.group(1) for m in _MY_NUMBER_SHAPE.finditer(text))
    return [s for s in found if in_.is_valid(re.sub(r"\D", "", s))]


def test_the_scanner_finds_what_a_dlp_scanner_finds() -> None:
    assert my_number_shaped("id 9b26b8db-2332-4096-8325-1a2b") == ["2332-4096-8325"]
    assert my_number_shaped("個人番号 123456789018 です") == ["123456789018"]
    assert my_number_shaped("1234 5678 9018") == ["1234 5678 9018"]
    assert my_number_shaped("sha f123456789018a, 2332-4096-8326, 1123456789018") == []


@pytest.fixture(scope="module")
def demo_twice(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, str]:
    """``anonymize demo`` run twice in a fresh working directory (the second replaces the first)."""
    cwd = tmp_path_factory.mktemp("demo_cwd")
    ids = []
    for _ in range(2):
        proc = anonymize("--quiet", "demo", "--rows", "800", "--out", "out/demo", cwd=cwd, check=True)
        ids.append(re.search(r"release (\S+) \(", proc.stdout).group(1))  # type: ignore[union-attr]
    return cwd, ids[0], ids[1]


@pytest.mark.slow
def test_demo_rerun_replaces_only_itself_and_never_the_real_register(
        demo_twice: tuple[Path, str, str]) -> None:
    cwd, first, second = demo_twice
    out, extract = cwd / "out" / "demo", cwd / "out" / "demo-extract"
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["demo"] is True and manifest["release_id"] == second != first
    assert (extract / ".anonymize-demo").is_file()
    assert not (cwd / "out" / "register.jsonl").exists()  # the real (default) register was never written
    events = [json.loads(line) for line in (extract / "register.jsonl").read_text("utf-8").splitlines()]
    # the demo register is new with each demo: the second run's pending line, then its created line
    assert [(e["event"], e["release_id"]) for e in events] == [("pending", second), ("created", second)]
    assert sorted(p.name for p in (cwd / "out").iterdir()) == ["demo", "demo-extract"]  # no staging left


@pytest.mark.slow
def test_no_release_file_holds_a_my_number_shaped_sequence(demo_twice: tuple[Path, str, str]) -> None:
    out = demo_twice[0] / "out" / "demo"
    files = [p for p in sorted(out.rglob("*")) if p.is_file()]
    assert len(files) > 8
    # Third-party web assets of the Data Docs (Vega's minified code holds constants such as 506628274631) are
    # not tool output: each must be a byte-identical copy of the file the package vendors from npm
    # (pipeline/validation/docs/vendor/SOURCES.md); everything the tool generates is scanned.
    vendor = Path(pipeline.validation.docs.__file__).parent / "vendor"
    shipped = [p for p in files if "static/vendor/" in p.relative_to(out).as_posix()]
    for p in shipped:
        rel = p.relative_to(out).as_posix().split("static/vendor/", 1)[1]
        assert p.read_bytes() == (vendor / rel).read_bytes(), (p, "not the vendored copy")
    files = [p for p in files if p not in shipped]
    for p in files:
        texts = [p.relative_to(out).as_posix()]
        if p.suffix == ".parquet":
            texts += [str(v) for col in pq.read_table(p).columns for v in col.to_pylist()]
        else:
            texts.append(p.read_bytes().decode("utf-8", errors="replace"))
        for text in texts:
            assert not my_number_shaped(text), (p, my_number_shaped(text)[:3])
            assert not _UUID.search(text), (p, "a tool-generated UUID")


@pytest.mark.slow
def test_released_municipalities_are_official_names(demo_twice: tuple[Path, str, str]) -> None:
    from pipeline.hierarchies.builtin import _prefectures, municipality_index

    out = demo_twice[0] / "out" / "demo"
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    level = manifest["tables"]["policyholders"]["levels"]["居住地"]
    values = set(pq.read_table(out / "data" / "policyholders.parquet").column("居住地").to_pylist()) - {None}
    index = municipality_index()
    official = {p + city for p, (_rx, spellings) in index.items() for city in spellings.values()}
    allowed = [official, set(_prefectures()), set(_prefectures().values()), {"*"}][level]
    assert values and values <= allowed | {"*"}, sorted(values - allowed)[:5]
