"""One release, end to end: the wiring of the pure steps, with all I/O at this edge.

    load config → prepare (read, schema gate, normalise, hierarchies) → anonymise (surrogates, search,
    rare values, shuffle) → residual-PII gate → staging dir: data, manifest, published items, report,
    validation gate → checksums → pending line, atomic rename, created line (``pipeline.release.commit``).

Any failure leaves no release directory; a crash leaves an open pending line and a staging folder that the
next run removes (it first sweeps the leftovers of dead runs).
"""

from __future__ import annotations

import datetime as dt
import secrets
import string
from dataclasses import dataclass, field
from pathlib import Path

from pipeline import progress
from pipeline.anonymise import anonymise_prepared
from pipeline.config.model import Config
from pipeline.prepare import Prepared, prepare
from pipeline.release.candidate import ReleaseCandidate
from pipeline.release.commit import commit_release, recover
from pipeline.release.manifest import Manifest
from pipeline.release.writer import staging_with_lock, sweep_dead_staging
from pipeline.write import write_release

__all__ = ["RunSummary", "anonymise_prepared", "build_candidate", "prepare", "run_pipeline"]


@dataclass(frozen=True)
class RunSummary:
    release_dir: Path
    release_id: str
    manifest: Manifest
    #: What this run cleaned up after dead runs (sentences, no data).
    recovered: list[str] = field(default_factory=list)


def build_candidate(prepared: Prepared) -> ReleaseCandidate:
    """Anonymise and measure risk over all released columns (``pipeline.attributes``: with
    ``protect_attributes`` the attributes driving special uniques become quasi-identifiers); raise
    PrivacyError under ``attribute_risk: fail`` when a view stays over the threshold."""
    from pipeline.attributes import anonymise_with_attribute_policy

    tables, prepared, assessment = anonymise_with_attribute_policy(prepared)
    assessment.raise_if_failed()
    now = dt.datetime.now(dt.UTC).astimezone()
    release_id = new_release_id(now)
    inputs = {name: {"file": t.file.name, "sha256": t.sha256, "rows": str(t.rows)}
              for name, t in prepared.tables.items()}
    candidate = ReleaseCandidate(release_id, now, prepared.config, tables, inputs)
    candidate.attribute_risk = assessment.as_dict()
    return candidate


def new_release_id(now: dt.datetime) -> str:
    """The release's id: its time and six random letters (letters only after the time: a hex tail could
    join the time's digits into a My-Number-shaped run)."""
    return f"{now:%Y%m%dT%H%M%S}-{''.join(secrets.choice(string.ascii_lowercase) for _ in range(6))}"


def run_pipeline(config: Config, out_dir: Path, inputs: dict[str, Path] | None = None,
                 register: Path | None = None, demo: bool = False, stream: bool = False) -> RunSummary:
    """``demo``: the release is marked ``"demo": true`` in its manifest (synthetic data; ``anonymize demo``
    replaces only releases so marked). ``stream``: the anonymisation in bounded memory
    (``pipeline.anonymise.streamed_release``; global recoding without ``protect_attributes``)."""
    out_dir = Path(out_dir).resolve()  # GX Data Docs and the register want absolute paths
    if out_dir.exists():
        from pipeline.errors import ReleaseExistsError

        raise ReleaseExistsError(f"{out_dir} already exists; releases are never overwritten, "
                                 "choose a new --out")
    if register is not None and Path(register).exists() and not Path(register).is_file():
        from pipeline.errors import RegisterError

        raise RegisterError(f"{register}: the register path is not a file")
    if stream:
        from pipeline.anonymise.streamed_release import check_streamable

        check_streamable(config)  # a config error before anything is swept, read or written
    recovered = _recover(out_dir, register)
    if stream:
        return _run_streamed(config, out_dir, inputs, register, demo, recovered)
    prepared = prepare(config, inputs)
    coarsened = {name: t.addresses_coarsened for name, t in prepared.tables.items()}
    candidate = build_candidate(prepared)  # its phases: "anonymise", "attribute risk" (pipeline.attributes)
    del prepared
    from pipeline.detection.gate import check_candidate

    with progress.step("residual PII scan"):
        detection_summary = check_candidate(candidate)
    from pipeline.detection.nlp import unload

    unload()
    with staging_with_lock(out_dir) as st:
        manifest = write_release(candidate, st.dir, residual_pii_scan=detection_summary,
                                 addresses_coarsened=coarsened, demo=demo, register=register)
        with progress.phase("register" if register is not None else "rename"):
            from pipeline.publication.created import created_event

            commit_release(st, out_dir, register,
                           lambda files: created_event(candidate, out_dir, manifest, files_dir=files))
    return RunSummary(out_dir, candidate.release_id, manifest, recovered)


def _run_streamed(config: Config, out_dir: Path, inputs: dict[str, Path] | None, register: Path | None,
                  demo: bool, recovered: list[str]) -> RunSummary:
    """The run with the anonymisation streamed: its scratch (spills, shuffle buckets) lives inside the
    staging folder, so a failure or a crash leaves nothing outside it (the staging is removed, or swept by
    the next run); the scratch is gone before the release's files are written and checksummed. The second pass
    writes each released table into the staging's ``data`` folder once, in its final form; the release's
    writer takes those files as they are."""
    import shutil

    from pipeline.anonymise.streamed_release import anonymise_streamed
    from pipeline.attributes.protect import assess_release
    from pipeline.detection.gate import check_candidate
    from pipeline.detection.nlp import unload
    from pipeline.stream.memory import release

    with staging_with_lock(out_dir) as st:
        scratch, data = st.dir / ".scratch", st.dir / "data"
        scratch.mkdir()
        data.mkdir()
        try:
            streamed = anonymise_streamed(config, inputs, scratch, data)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        unload()  # the scrubber's model: loaded again by the scan if it must read new text
        release()  # the histograms and the search are gone: their memory back before the gates' peaks
        now = dt.datetime.now(dt.UTC).astimezone()
        candidate = ReleaseCandidate(new_release_id(now), now, config, streamed.tables, streamed.inputs)
        assessment = assess_release(candidate.tables, config.privacy.attribute_risk)
        assessment.raise_if_failed()
        candidate.attribute_risk = assessment.as_dict()
        release()
        with progress.step("residual PII scan"):
            detection_summary = check_candidate(candidate)
        unload()
        release()
        manifest = write_release(candidate, st.dir, residual_pii_scan=detection_summary, demo=demo,
                                 addresses_coarsened=streamed.addresses_coarsened, register=register)
        with progress.phase("register" if register is not None else "rename"):
            from pipeline.publication.created import created_event

            commit_release(st, out_dir, register,
                           lambda files: created_event(candidate, out_dir, manifest, files_dir=files))
    return RunSummary(out_dir, candidate.release_id, manifest, recovered)


def _recover(out_dir: Path, register: Path | None) -> list[str]:
    """What dead runs left: their staging folders beside ``out_dir``, their open register lines."""
    swept = sweep_dead_staging(out_dir.parent)
    notes = [f"removed the staging folder {name} of a dead run" for name in swept]
    if register is not None:
        for e in recover(register):
            notes.append(f"closed the pending register line {e['pending_seq']} of a dead run "
                         f"(release {e['release_id']}; removed: {', '.join(e['removed']) or 'nothing'})")
    return notes
