"""``anonymize`` entry point. Library code raises; this edge turns errors into one line and an exit code.

Each command is a module with ``NAME``, ``HELP``, ``add_arguments(parser)`` and ``run(args) -> int``,
registered by name in :data:`COMMANDS` (an explicit list, STYLE.md §2).
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import importlib
import os
import sys
import time
import traceback
import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path

from pipeline import __version__, progress
from pipeline.cli import signals
from pipeline.errors import PipelineError

#: command name → module under pipeline.cli (imported lazily: Presidio / GX are slow to import).
COMMANDS: dict[str, str] = {
    "run": "pipeline.cli.run_cmd",
    "demo": "pipeline.cli.demo_cmd",
    "generate": "pipeline.cli.generate_cmd",
    "verify": "pipeline.cli.verify_cmd",
    "explore": "pipeline.cli.explore_cmd",
    "scan": "pipeline.cli.scan_cmd",
    "publish": "pipeline.cli.publish_cmd",
    "provide": "pipeline.cli.provide_cmd",
    "register": "pipeline.cli.register_cmd",
}

HELP: dict[str, str] = {
    "run": "anonymise the extracts named in CONFIG into a release directory",
    "demo": "generate a synthetic extract and run configs/demo.yaml on it",
    "generate": "write synthetic policyholder and claims extracts (Faker ja_JP, seeded)",
    "verify": "check a release directory: every file's SHA-256 and the expectation suite on its data",
    "explore": "compare information loss and risk over a range of k and suppression limits",
    "scan": "profile an extract (CSV or Parquet) column by column for personal data",
    "publish": "render every release in the register into one static site (公表); records published events",
    "provide": "build the provision bundle of a published third-party release (明示 notice, dictionary)",
    "register": "list the release register (created / published / provided); --json for machines",
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="anonymize", description="APPI 匿名加工情報 pipeline")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--quiet", "-q", action="store_true", help="no progress output")
    parser.add_argument("--phases", action="store_true",
                        help="print wall-clock and CPU seconds per pipeline phase to stderr at the end")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, module in COMMANDS.items():
        p = sub.add_parser(name, help=HELP.get(name, ""), description=HELP.get(name, ""))
        p.set_defaults(_module=module)
        importlib.import_module(module).add_arguments(p)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        return _main(argv)
    finally:
        # what the command held (a traceback's frames, Parquet readers) freed now, while Arrow's thread pools
        # still run: freed at interpreter exit instead, an Arrow reader's thread can meet torn-down pools and
        # abort the process (``terminate called without an active exception``, exit -6; apache/arrow#34314),
        # seen once on ``verify``'s failing exit under load
        import gc

        gc.collect()


def _main(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not sys.warnoptions:
        # stderr carries progress and one-line errors only: library warnings (a missing font glyph, a pandas
        # conversion) are noise to a user and may quote a value; PYTHONWARNINGS / -W show them again.
        warnings.simplefilter("ignore")
    module = importlib.import_module(args._module)
    signals.install()
    with progress.quiet(args.quiet), _phase_table(args.phases):
        try:
            return int(module.run(args) or 0)
        except PipelineError as exc:
            print(f"error: {_one_line(str(exc))}", file=sys.stderr)
            return exc.exit_code
        except KeyboardInterrupt as exc:
            name, status = signals.exit_status(exc)
            print(f"error: interrupted by {name}; what the command was writing was removed", file=sys.stderr)
            return status
        except Exception as exc:  # the last resort: one line, never the exception's own message
            print(f"error: {unexpected(exc)}", file=sys.stderr)
            return 1


def _one_line(text: str) -> str:
    return " ".join(text.split())


def unexpected(exc: BaseException) -> str:
    """One line for an exception no layer turned into a :class:`PipelineError`.

    Why without ``str(exc)``: library messages quote what they choke on (pandas prints the timestamp it
    cannot hold, csv the line it cannot split): a cell, perhaps a birth date or a name. The line carries only
    the exception's type, an errno name for operating-system errors, and where in the code it was raised.
    """
    if isinstance(exc, MemoryError):
        return "out of memory; the command stopped (try a machine with more memory, or fewer rows)"
    if isinstance(exc, OSError) and exc.errno is not None:
        name = errno.errorcode.get(exc.errno, str(exc.errno))
        return (f"operating system error {name} ({os.strerror(exc.errno)}); "
                "the command stopped (check free space, permissions and the paths given)")
    tb = traceback.extract_tb(exc.__traceback__)
    at = f" at {Path(tb[-1].filename).name}:{tb[-1].lineno}" if tb else ""
    return (f"internal error {type(exc).__name__}{at} (its message is withheld: it may quote the data); "
            "the command stopped; please report it with the command line")


@contextlib.contextmanager
def _phase_table(enabled: bool) -> Iterator[None]:
    """``--phases``: record the run's steps and print their times to stderr (names and seconds only)."""
    if not enabled:
        yield
        return
    wall, cpu = time.perf_counter(), time.process_time()
    with progress.recording() as timings:
        yield
    table = progress.format_timings(timings, time.perf_counter() - wall, time.process_time() - cpu)
    print(table, file=sys.stderr)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
