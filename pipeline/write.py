"""Write one release's files, in order: the tables, the published items, the report, the validation gate on
the manifest built in memory, then the checksums and ``manifest.json``.

Why a module of its own, above ``release``: it is the one place that calls publication, report and
validation with what ``release`` built; inside ``release`` it made ``release`` and each of those packages
import one another (the import contract in ``pyproject.toml`` forbids cycles between sibling packages).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from pipeline.release.candidate import ReleaseCandidate
from pipeline.release.manifest import MANIFEST, Json, Manifest, build_manifest, file_checksums, write_tables

__all__ = ["write_release"]


def write_release(candidate: ReleaseCandidate, directory: Path, *, residual_pii_scan: Json = None,
                  addresses_coarsened: Mapping[str, Mapping[str, int]] | None = None, demo: bool = False,
                  register: Path | None = None) -> Manifest:
    """Write a whole release into ``directory`` (a staging directory): the tables, the published items, the
    report, the validation gate on the manifest built in memory, then the checksums and ``manifest.json``,
    serialised once. Raises what a step raises (nothing is then complete: the caller removes
    ``directory``). ``pipeline.run`` and the test factories both call this."""
    from pipeline import progress

    directory = Path(directory)
    entries = write_tables(candidate, directory, addresses_coarsened)
    with progress.phase("manifest"):
        manifest = build_manifest(candidate, entries, demo=demo, residual_pii_scan=residual_pii_scan)
    from pipeline.stream.memory import release

    release()  # the manifest's read-back and hashing (1.3 GiB at 10M rows) back before the report's peak
    with progress.phase("published items"):
        from pipeline.publication.items import write_published_items

        write_published_items(candidate, directory)
    with progress.phase("report"):
        from pipeline.report.html import write_report

        write_report(candidate, directory)
    from pipeline.validation.gate import validate_release

    release()  # what the tables, the report and its charts freed, back before the gate's peak
    with progress.step("validate"):
        manifest = replace(manifest, validation=validate_release(candidate, directory, manifest))
    with progress.phase("checksums"):
        anchor = None
        if register is not None:
            from pipeline.publication.anchors import register_anchor

            anchor = register_anchor(register)
        manifest = replace(manifest, files=file_checksums(directory), register_anchor=anchor)
        (directory / MANIFEST).write_text(manifest.dumps(), encoding="utf-8")
    return manifest
