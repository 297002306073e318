"""Flow ``ingest-inbox``: land every inbox file, then accept it into validated tables or quarantine it."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.context import TaskRunContext

from flows.settings import REPOSITORY, Settings
from flows.stopwatch import timed
from instruments.atomic import write_text_atomic
from instruments.errors import InputRefused
from instruments.evaluation import Evaluation
from instruments.load import load_evaluation
from validation.inbox import Companions, InboxFile, cycle_of, discover
from validation.intake import accept
from validation.landing import LandedFile, land
from validation.privacy import load_or_create_salt
from validation.quality import QualityReport, check_stored_cycles
from validation.quarantine import quarantine, refusal_report
from validation.tables import (
    SURVEY_TABLES,
    known_respondents,
    remove_source,
    table_path,
    without_known_respondents,
    write_tables,
)


@dataclass(frozen=True)
class FileOutcome:
    """What happened to one inbox file, for the run summary."""

    name: str
    sha256: str
    accepted: bool
    cycle_id: str | None = None
    platform: str = ""
    instrument_id: str = ""
    rows: dict[str, int] = field(default_factory=dict)
    excluded: dict[str, int] = field(default_factory=dict)
    rule: str = ""
    problem: str = ""
    notes: tuple[str, ...] = ()


@task(retries=2, retry_delay_seconds=1)
@timed
def land_file(file: InboxFile, settings: Settings) -> LandedFile:
    return land(file.path, settings.landing)


def _code_version() -> str:
    """A digest of the code that decides what a file becomes (a change invalidates the cache)."""
    digest = hashlib.sha256()
    for folder in ("instruments", "validation"):
        for path in sorted((REPOSITORY / folder).glob("*.py")):
            digest.update(path.read_bytes())
    return digest.hexdigest()


CODE_VERSION = _code_version()


def ingest_cache_key(context: TaskRunContext, parameters: dict[str, Any]) -> str:
    """Key an ingest on the file's hash, its cycle folder, the evaluation, the salt and the code."""
    file: InboxFile = parameters["file"]
    landed: LandedFile = parameters["landed"]
    settings: Settings = parameters["settings"]
    evaluation: Evaluation = parameters["evaluation"]
    material = json.dumps(
        [
            landed.sha256,
            file.folder,
            str(settings.workspace),
            evaluation.model_dump_json(),
            parameters["salt"],
            CODE_VERSION,
            # A REDCap export reads the dictionary beside it: what lies beside a file counts too.
            parameters["companions"].sizes(),
        ]
    )
    return "ingest-" + hashlib.sha256(material.encode("utf-8")).hexdigest()


def outputs_present(settings: Settings, sha256: str) -> bool:
    """Whether an earlier ingest of this file left its tables or its quarantine report."""
    stored = any(settings.validated.glob(f"*/*/{sha256}.parquet"))
    return stored or (settings.quarantine / sha256 / "REFUSED.md").exists()


@task(cache_key_fn=ingest_cache_key, persist_result=True)
@timed
def ingest_file(
    file: InboxFile,
    landed: LandedFile,
    evaluation: Evaluation,
    settings: Settings,
    salt: str,
    companions: Companions,
) -> FileOutcome:
    data = landed.path.read_bytes()
    try:
        cycle_id = cycle_of(file, evaluation.cycle_ids())
        intake = accept(data, file.name, landed.short_id, evaluation, cycle_id, salt, companions)
    except InputRefused as refusal:
        remove_source(settings.validated, landed.sha256)
        quarantine(data, file.name, landed.sha256, refusal, settings.quarantine)
        create_markdown_artifact(
            key=f"refused-{landed.short_id}",
            markdown=refusal_report(file.name, landed.sha256, refusal),
            description=f"Refused: {file.name}",
        )
        return FileOutcome(file.name, landed.sha256, False, rule=refusal.rule, problem=refusal.problem)
    tables = intake.tables
    excluded = dict(intake.excluded)
    if any(t in tables for t in SURVEY_TABLES):
        known = known_respondents(settings.validated, cycle_id, intake.instrument_id, landed.sha256)
        tables, repeated = without_known_respondents(tables, known)
        if repeated:
            excluded["already imported from another export"] = repeated
    # Stored two at a time: Parquet encoding and fsync leave the GIL, so a big export uses both cores.
    write_tables({table_path(settings.validated, table, cycle_id, landed.sha256): f for table, f in tables.items()})
    rows = {table: len(frame) for table, frame in tables.items()}
    if any(intake.redactions.values()):
        log = {
            "file": file.name,
            "sha256": landed.sha256,
            "replaced": dict(sorted(intake.redactions.items())),
        }
        write_text_atomic(
            settings.private / "anonymisation" / f"{landed.sha256}.json", json.dumps(log, indent=2) + "\n"
        )
    return FileOutcome(
        file.name,
        landed.sha256,
        True,
        cycle_id=cycle_id,
        platform=intake.platform.value,
        instrument_id=intake.instrument_id,
        rows=rows,
        excluded=excluded,
        notes=intake.notes,
    )


@dataclass(frozen=True)
class QualitySummary:
    """The data-quality suites of one cycle, as the run summary reports them."""

    cycle_id: str
    checks: int
    failed: tuple[str, ...]
    page: Path
    seconds: float = 0.0


@dataclass(frozen=True)
class IngestRun:
    files: tuple[FileOutcome, ...]
    quality: tuple[QualitySummary, ...] = ()


def quality_summaries(reports: tuple[QualityReport, ...], seconds: float) -> tuple[QualitySummary, ...]:
    """Record a table artifact per cycle's quality report, and summarise each for the console."""
    summaries = []
    for report in reports:
        create_table_artifact(
            key=f"quality-{report.cycle_id}", table=report.rows(), description=f"Data quality, {report.cycle_id}"
        )
        failed = tuple(f"{check.table}: {check.key}" for check in report.failures)
        checks = sum(len(suite.checks) for suite in report.suites)
        summaries.append(
            QualitySummary(report.cycle_id, checks, failed, report.summary_page, seconds / max(len(reports), 1))
        )
    return tuple(summaries)


@task
@timed
def check_quality(evaluation: Evaluation, cycle_ids: list[str], settings: Settings) -> tuple[QualitySummary, ...]:
    """Run each cycle's great-expectations suites on its stored tables (one GX run) and build the Data Docs."""
    reports, seconds = check_stored_cycles(
        settings.validated, evaluation, cycle_ids, settings.quality, settings.quality / "data-docs"
    )
    return quality_summaries(reports, seconds)


@flow(name="ingest-inbox")
def ingest_inbox(settings: Settings | None = None, check: bool = True) -> IngestRun:
    """Land, read, screen, validate and store every file in the inbox (idempotent), then check quality.

    With ``check=False`` the quality checks are left to the caller (the pilot runs them beside its
    other work).
    """
    settings = settings or Settings.from_env()
    evaluation = load_evaluation(settings.evaluation)
    salt = evaluation.privacy.token_salt or load_or_create_salt(settings.private)
    outcomes = []
    files = discover(settings.inbox)
    for file in files:
        landed = land_file(file, settings)
        # A cleaned workspace must be rebuilt, not answered from the cache.
        ingest = (
            ingest_file if outputs_present(settings, landed.sha256) else ingest_file.with_options(refresh_cache=True)
        )
        outcomes.append(ingest(file, landed, evaluation, settings, salt, Companions(file, files)))
    cycles = [c for c in evaluation.cycle_ids() if any(o.accepted and o.cycle_id == c for o in outcomes)]
    quality = check_quality(evaluation, cycles, settings) if cycles and check else ()
    create_table_artifact(
        key="ingest-run",
        table=[
            {
                "file": o.name,
                "result": "accepted" if o.accepted else "refused",
                "cycle": o.cycle_id or "",
                "platform": o.platform,
                "instrument": o.instrument_id,
                "rows": sum(o.rows.values()),
                "left out": sum(o.excluded.values()),
                "rule": o.rule,
            }
            for o in outcomes
        ],
        description="Files of this ingest run",
    )
    return IngestRun(tuple(outcomes), quality)
