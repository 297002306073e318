"""Flow ``run-pilot``: the bundled pilot end to end, as an evaluator would run it over three cycles.

1. stage the pilot's inbox and ingest every cycle (the planted files are refused);
2. per cycle: prepare the reviewer workbooks, stage the reviewers' returned workbooks (a planted
   tampered return first, refused, then the corrected one), import them (agreement and the
   disagreement sheet), stage the reconciled sheet and import again (final codings);
3. publish each cycle's report (the data-quality checks of step 1 run meanwhile, in a worker process);
4. write ``published/MANIFEST.sha256``, so that two runs can be compared file by file.

The returned workbooks come from ``<pilot>/coding/<cycle>/`` (written by ``bench.pilot_reviewers``):
``<reviewer>.xlsx``, ``disagreements.xlsx`` and, for a planted refusal, ``first-return/<reviewer>.xlsx``.
"""

from __future__ import annotations

import hashlib
import importlib
import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass, replace
from pathlib import Path

from prefect import flow, task

from flows.import_coding import DISAGREEMENTS, CodingImport, import_workbooks
from flows.ingest_inbox import FileOutcome, IngestRun, QualitySummary, ingest_inbox, quality_summaries
from flows.prepare_coding import coding_folder, write_workbooks
from flows.publish_cycle import Publication, write_report, write_series_overview
from flows.quality_worker import print_pdf, start_quality_worker
from flows.settings import Settings
from flows.stopwatch import seconds_of_work, timed, timed_block
from instruments.atomic import write_bytes_atomic, write_text_atomic
from instruments.evaluation import Evaluation
from instruments.load import load_evaluation
from validation.quality import QualityReport, check_stored_cycles

MANIFEST = "MANIFEST.sha256"
#: Folder (in a cycle's returned workbooks) of a first return that must be refused.
FIRST_RETURN = "first-return"


@dataclass(frozen=True)
class CodingRefusal:
    """A returned workbook that import-coding refused, and where its report is."""

    cycle_id: str
    file: str
    problem: str
    report: Path


@dataclass(frozen=True)
class PilotRun:
    ingest: IngestRun
    publications: tuple[Publication, ...]
    #: Seconds spent inside the flow (our work and the per-task orchestration), for the summary.
    seconds_in_flow: float = 0.0
    #: Each cycle's coding after its last import (agreement, final codings).
    coding: tuple[CodingImport, ...] = ()
    coding_refusals: tuple[CodingRefusal, ...] = ()
    manifest: Path | None = None
    #: ``time.perf_counter()`` when the flow's body started (after Prefect's server was up).
    started_at: float = 0.0
    #: Of ``seconds_in_flow``, the seconds of our own work (task bodies, the worker's jobs waited
    #: for); the rest is Prefect's bookkeeping of the runs (``flows/stopwatch.py``).
    seconds_of_work: float = 0.0

    @property
    def files(self) -> tuple[FileOutcome, ...]:
        return self.ingest.files


def copy_changed(source: Path, target: Path) -> bool:
    """Copy ``source`` to ``target`` atomically unless ``target`` already holds the same bytes."""
    data = source.read_bytes()
    if target.exists() and target.read_bytes() == data:
        return False
    write_bytes_atomic(target, data)
    return True


@task
@timed
def stage_pilot_inbox(source: Path, settings: Settings) -> int:
    """Copy the pilot's bundled inbox into the workspace inbox (unchanged files are skipped)."""
    return sum(
        copy_changed(path, settings.inbox / path.relative_to(source))
        for path in sorted(source.rglob("*"))
        if path.is_file()
    )


@task
@timed
def stage_returns(returned: Path, cycle_id: str, settings: Settings, names: tuple[str, ...]) -> tuple[str, ...]:
    """Put the named returned workbooks in ``coding/<cycle>/in/`` as a reviewer would hand them in."""
    inbox = coding_folder(settings, cycle_id) / "in"
    staged = []
    for name in names:
        source = returned / name
        if source.is_file():
            copy_changed(source, inbox / Path(name).name)
            staged.append(Path(name).name)
    return tuple(staged)


def _refusals(status: CodingImport, cycle_id: str, settings: Settings) -> list[CodingRefusal]:
    inbox = coding_folder(settings, cycle_id) / "in"
    refusals = []
    for who, problem in sorted(status.refused.items()):
        file = who if who.endswith(".xlsx") else f"{who}.xlsx"
        digest = hashlib.sha256((inbox / file).read_bytes()).hexdigest()
        refusals.append(CodingRefusal(cycle_id, file, problem, settings.quarantine / digest / "REFUSED.md"))
    return refusals


def code_cycle(
    evaluation: Evaluation, cycle_id: str, returned: Path, settings: Settings
) -> tuple[CodingImport, list[CodingRefusal]]:
    """Prepare, import the returned workbooks (a first return may be refused), reconcile.

    The steps of the prepare-coding and import-coding flows, called as tasks of this one: a
    sub-flow per step would cost Prefect's run bookkeeping a dozen times over.
    """
    reviewers = evaluation.coding.reviewers
    write_workbooks(evaluation, cycle_id, settings)
    inbox = coding_folder(settings, cycle_id) / "in"
    # A reconciled sheet left from an earlier run would be read before the agreement is redone.
    (inbox / DISAGREEMENTS).unlink(missing_ok=True)
    workbooks = tuple(f"{r}.xlsx" for r in reviewers)
    refusals: list[CodingRefusal] = []
    first = returned / FIRST_RETURN
    if first.is_dir():
        stage_returns(returned, cycle_id, settings, workbooks)
        stage_returns(first, cycle_id, settings, workbooks)
        refusals += _refusals(import_workbooks(evaluation, cycle_id, settings), cycle_id, settings)
    stage_returns(returned, cycle_id, settings, workbooks)
    status = import_workbooks(evaluation, cycle_id, settings)
    refusals += _refusals(status, cycle_id, settings)
    if stage_returns(returned, cycle_id, settings, (DISAGREEMENTS,)):
        status = import_workbooks(evaluation, cycle_id, settings)
        refusals += _refusals(status, cycle_id, settings)
    return status, refusals


def manifest_lines(published: Path) -> list[str]:
    """``sha256  path`` of every published file but the manifest, sorted by path."""
    lines = []
    for path in sorted(published.rglob("*"), key=lambda p: p.relative_to(published).as_posix()):
        relative = path.relative_to(published).as_posix()
        if path.is_file() and relative != MANIFEST and not path.name.endswith(".tmp"):
            lines.append(f"{hashlib.sha256(path.read_bytes()).hexdigest()}  {relative}")
    return lines


@task
@timed
def write_manifest(settings: Settings) -> Path:
    """Write ``published/MANIFEST.sha256`` (``sha256sum -c`` can check it from that folder)."""
    target = settings.published / MANIFEST
    write_text_atomic(target, "".join(f"{line}\n" for line in manifest_lines(settings.published)))
    return target


#: Slow imports of later steps: the coding steps (nltk's sentence splitter pulls in much of nltk)
#: and the series overview's PDF, printed in this process at the very end (WeasyPrint).
SLOW_IMPORTS = ("nltk.tokenize.punkt", "reports.pdf")


def preload_imports(modules: tuple[str, ...] = SLOW_IMPORTS) -> threading.Thread:
    """Import ``modules`` in a background thread, e.g. while Prefect's temporary server starts."""

    def run() -> None:
        for module in modules:
            importlib.import_module(module)

    thread = threading.Thread(target=run, name="preload-imports", daemon=True)
    thread.start()
    return thread


@task
@timed
def record_quality(reports: tuple[QualityReport, ...], seconds: float) -> tuple[QualitySummary, ...]:
    """Record the artifacts of the quality checks and summarise them."""
    return quality_summaries(reports, seconds)


@flow(name="run-pilot")
def run_pilot(settings: Settings | None = None) -> PilotRun:
    """Ingest the pilot's inbox, code and reconcile each cycle, publish every report, write the manifest."""
    started = time.perf_counter()
    work_before = seconds_of_work()
    settings = settings or Settings.from_env()
    with timed_block():
        evaluation = load_evaluation(settings.evaluation)
    pilot = settings.evaluation.parent
    stage_pilot_inbox(pilot / "inbox", settings)
    ingested = ingest_inbox(settings, check=False)
    with_data = {o.cycle_id for o in ingested.files if o.accepted}
    checked = [c for c in evaluation.cycle_ids() if c in with_data]
    pending = (
        start_quality_worker().submit(
            check_stored_cycles,
            settings.validated,
            evaluation,
            checked,
            settings.quality,
            settings.quality / "data-docs",
        )
        if checked
        else None
    )
    with_words = {o.cycle_id for o in ingested.files if o.accepted and "utterances" in o.rows}
    coding: list[CodingImport] = []
    refusals: list[CodingRefusal] = []
    publications = []
    # The PDFs are printed in the worker process, on the second core, while this one goes on.
    printing: list[Future[Path]] = []
    for cycle_id in evaluation.cycle_ids():
        returned = pilot / "coding" / cycle_id
        if cycle_id in with_words and returned.is_dir():
            status, refused = code_cycle(evaluation, cycle_id, returned, settings)
            coding.append(status)
            refusals += refused
        if cycle_id in with_data:
            last = cycle_id == [c for c in evaluation.cycle_ids() if c in with_data][-1]
            publication = write_report(evaluation, cycle_id, settings, pdf=False)
            printing.append(start_quality_worker().submit(print_pdf, publication.report))
            if last:
                overview = write_series_overview(evaluation, settings, pdf=False, latest=publication)
                publication = replace(publication, overview=overview)
                # The last PDF is printed here, beside the worker's, rather than queued behind it.
                with timed_block():
                    print_pdf(overview)
            publications.append(publication)
    with timed_block():  # the worker's jobs are our work too
        for job in printing:
            job.result()
        checked_reports = pending.result() if pending else None
    manifest = write_manifest(settings)
    ingested = IngestRun(ingested.files, record_quality(*checked_reports) if checked_reports else ())
    return PilotRun(
        ingested,
        tuple(publications),
        time.perf_counter() - started,
        tuple(coding),
        tuple(refusals),
        manifest,
        started,
        seconds_of_work() - work_before,
    )
