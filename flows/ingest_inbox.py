"""Flow ``ingest-inbox``: land every inbox file, then accept it into validated tables or quarantine it."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact

from flows.settings import Settings
from instruments.atomic import write_text_atomic
from instruments.errors import InputRefused
from instruments.evaluation import Evaluation
from instruments.load import load_evaluation
from validation.inbox import InboxFile, cycle_of, discover
from validation.intake import accept
from validation.landing import LandedFile, land
from validation.privacy import load_or_create_salt
from validation.quarantine import quarantine, refusal_report
from validation.tables import (
    SURVEY_TABLES,
    known_respondents,
    remove_source,
    table_path,
    without_known_respondents,
    write_table,
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
def land_file(file: InboxFile, settings: Settings) -> LandedFile:
    return land(file.path, settings.landing)


@task
def ingest_file(
    file: InboxFile, landed: LandedFile, evaluation: Evaluation, settings: Settings, salt: str
) -> FileOutcome:
    data = landed.path.read_bytes()
    try:
        cycle_id = cycle_of(file, evaluation.cycle_ids())
        intake = accept(data, file.name, landed.short_id, evaluation, cycle_id, salt)
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
    rows = {}
    for table, frame in tables.items():
        write_table(frame, table_path(settings.validated, table, cycle_id, landed.sha256))
        rows[table] = len(frame)
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


@flow(name="ingest-inbox")
def ingest_inbox(settings: Settings | None = None) -> list[FileOutcome]:
    """Land, read, screen, validate and store every file in the inbox (idempotent)."""
    settings = settings or Settings.from_env()
    evaluation = load_evaluation(settings.evaluation)
    salt = evaluation.privacy.token_salt or load_or_create_salt(settings.private)
    outcomes = []
    for file in discover(settings.inbox):
        landed = land_file(file, settings)
        outcomes.append(ingest_file(file, landed, evaluation, settings, salt))
    return outcomes
