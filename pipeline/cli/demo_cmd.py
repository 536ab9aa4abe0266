"""``anonymize demo [--rows N] [--out DIR]``: generate a synthetic extract and run configs/demo.yaml on it.

The extract is written beside the release (``<out>-extract/``) so the run reads real files, CP932 for the
policyholders as many Japanese core systems export them.

The demo only ever touches what it made (issue 11). Its release carries ``"demo": true`` in the manifest and
its extract folder a marker file (:data:`MARKER`); a re-run replaces the two only when both are so marked,
and refuses, before deleting anything, when ``--out`` or ``<out>-extract`` is anything else: a real release,
a folder of the user's, a symbolic link. Demo releases are recorded in a register of their own,
``<out>-extract/register.jsonl``, never in the real one, so they are never published or provided as datasets
and a re-run cannot leave the real register pointing at a deleted release.
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from pipeline.cli.run_cmd import check_output_path, execute
from pipeline.errors import ConfigError, ReleaseExistsError
from pipeline.resources import project_dir

#: File in the extract folder that says ``anonymize demo`` made it (and may delete it).
MARKER = ".anonymize-demo"
#: The demo's own register, inside its extract folder.
DEMO_REGISTER = "register.jsonl"


def default_config() -> Path:
    here = project_dir("configs") / "demo.yaml"
    if not here.is_file():
        raise ConfigError(f"{here}: the demo config is missing (run from a checkout of the project)")
    return here


#: Policyholders the demo generates. 20,000, not 5,000: k = 5 on policyholders *and* on their claims joined to
#: them (about 0.6 claims per person) needs a few thousand claimants per prefecture × age band × sex to keep
#: those; at 5,000 the only safe release deletes 性別 and keeps 居住地 at 地方 for everyone, which shows the
#: tool's caution but not what an analyst gets from a real extract. At 20,000 the demo keeps 年齢 in 10-year
#: bands, 性別 and 居住地 at 都道府県 for about nine persons in ten (README "Decisions"). CPU ≈ 40 s.
DEMO_ROWS = 20_000


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--rows", type=int, default=DEMO_ROWS,
                   help=f"policyholder rows to generate (default {DEMO_ROWS:,})")
    p.add_argument("--out", type=Path, default=Path("out/demo"), help="release directory (default out/demo)")
    p.add_argument("--seed", type=int, default=20260401, help="seed of the synthetic extract")
    p.add_argument("--config", type=Path, default=None, help="config to run (default configs/demo.yaml)")
    p.add_argument("--keep", action="store_true",
                   help="refuse to replace an earlier demo release at --out (default: replace it)")


def is_demo_release(path: Path) -> bool:
    """A directory (not a link) whose manifest says ``"demo": true``. Read as the typed manifest: a file
    this tool did not write (unreadable, not JSON, of another shape) is never taken for a demo release, so
    it is never replaced."""
    from pipeline.errors import PipelineError
    from pipeline.release.manifest import read_manifest

    manifest = path / "manifest.json"
    if path.is_symlink() or not path.is_dir() or manifest.is_symlink() or not manifest.is_file():
        return False
    try:
        return read_manifest(path).demo
    except (OSError, PipelineError):
        return False


def is_demo_extract(path: Path) -> bool:
    return not path.is_symlink() and path.is_dir() and (path / MARKER).is_file()


def _clear(out: Path, extract: Path, keep: bool) -> None:
    """Remove an earlier demo's release and extract; refuse, deleting nothing, if either is not the demo's."""
    if (out.exists() or out.is_symlink()) and (keep or not is_demo_release(out)):
        why = "--keep was given" if keep else "it is not a release made by anonymize demo"
        raise ReleaseExistsError(f"{out} exists and {why}; nothing was deleted, choose another --out")
    if (extract.exists() or extract.is_symlink()) and not is_demo_extract(extract):
        raise ReleaseExistsError(f"{extract} exists and was not made by anonymize demo (no {MARKER} marker); "
                                 "nothing was deleted, choose another --out")
    for path in (out, extract):
        if path.exists():
            shutil.rmtree(path)


def run(args: argparse.Namespace) -> int:
    from pipeline.generate import generate_extracts

    if args.rows < 1:
        raise ConfigError(f"--rows must be at least 1, found {args.rows}")
    out: Path = args.out
    extract = out.parent / f"{out.name}-extract"
    check_output_path(out)
    _clear(out, extract, args.keep)
    extract.mkdir(parents=True)
    (extract / MARKER).write_text("made by anonymize demo; deleted by the next anonymize demo\n", "utf-8")
    files = generate_extracts(extract, rows=args.rows, seed=args.seed, fmt="csv", encoding="cp932")
    inputs = {k: Path(v) for k, v in files.items()}
    return execute(args.config or default_config(), out, inputs, extract / DEMO_REGISTER, demo=True)
