"""Flow ``run-pilot``: the bundled pilot end to end — ingest every cycle's files, publish each cycle."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from prefect import flow, task

from flows.ingest_inbox import FileOutcome, IngestRun, ingest_inbox
from flows.publish_cycle import Publication, publish_cycle
from flows.settings import Settings
from instruments.atomic import write_bytes_atomic
from instruments.load import load_evaluation


@dataclass(frozen=True)
class PilotRun:
    ingest: IngestRun
    publications: tuple[Publication, ...]
    #: Seconds spent inside the flow (our work and the per-task orchestration), for the summary.
    seconds_in_flow: float = 0.0

    @property
    def files(self) -> tuple[FileOutcome, ...]:
        return self.ingest.files


@task
def stage_pilot_inbox(source: Path, settings: Settings) -> int:
    """Copy the pilot's bundled inbox into the workspace inbox (unchanged files are skipped)."""
    copied = 0
    for path in sorted(source.rglob("*")):
        if path.is_file():
            target = settings.inbox / path.relative_to(source)
            data = path.read_bytes()
            if not target.exists() or target.read_bytes() != data:
                write_bytes_atomic(target, data)
                copied += 1
    return copied


@flow(name="run-pilot")
def run_pilot(settings: Settings | None = None) -> PilotRun:
    """Ingest the pilot's inbox and publish the report of every cycle that has data."""
    started = time.perf_counter()
    settings = settings or Settings.from_env()
    evaluation = load_evaluation(settings.evaluation)
    stage_pilot_inbox(settings.evaluation.parent / "inbox", settings)
    ingested = ingest_inbox(settings)
    cycles_with_data = {o.cycle_id for o in ingested.files if o.accepted}
    publications = [publish_cycle(c, settings) for c in evaluation.cycle_ids() if c in cycles_with_data]
    return PilotRun(ingested, tuple(publications), time.perf_counter() - started)
