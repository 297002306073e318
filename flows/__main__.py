"""Command line: ``python -m flows COMMAND`` (every Make target calls one of these)."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from flows.settings import Settings, build_prefect_database_template, configure_prefect, prefect_database_template
from instruments.errors import EvalcycleError

if TYPE_CHECKING:
    from instruments.cycle import CycleRecord

app = typer.Typer(
    help="evalcycle: the data side of a developmental evaluation.", no_args_is_help=True, add_completion=False
)


def _settings() -> Settings:
    settings = Settings.from_env()
    configure_prefect(settings)  # before prefect is imported
    return settings


@app.command()
def pilot() -> None:
    """Run the bundled pilot end to end and print where the reports are."""
    started = time.perf_counter()
    settings = _settings()
    # The pilot uses no Prefect blocks; registering Prefect's block types in every new workspace
    # costs its server seconds of start-up.
    os.environ.setdefault("PREFECT_API_BLOCKS_REGISTER_ON_START", "false")
    # The pilot's temporary server is thrown away at the end: its log lines go to the console
    # only, which saves the server seconds of work (set the variable to "true" to keep them).
    os.environ.setdefault("PREFECT_LOGGING_TO_API_ENABLED", "false")
    from flows.prefect_server import start_temporary_server
    from flows.quality_worker import start_quality_worker, stop_quality_worker

    # Before prefect is imported: Prefect's temporary server starts while this process imports
    # its packages.
    server = start_temporary_server()
    from flows.run_pilot import preload_imports, run_pilot
    from flows.summary import pilot_summary, timing_line

    imported = time.perf_counter()
    preload_imports()  # while this process waits for the server
    if server is not None:
        server.wait_until_ready()
    # The worker of the quality checks and PDFs imports great-expectations while the first
    # files are ingested: started any earlier, it would take the second core from the server,
    # whose start-up every flow waits for.
    start_quality_worker()
    run = run_pilot(settings)
    # The server is stopped at exit, after Prefect has sent its last logs to it.
    typer.echo(pilot_summary(run, settings))
    server_seconds = run.started_at - imported if run.started_at else None
    typer.echo(timing_line(run, time.perf_counter() - started, imported - started, server_seconds))
    stop_quality_worker()  # idle by now: every check and PDF was waited for
    if prefect_database_template().is_file():
        return
    # Once per machine and Prefect version: later runs on a new workspace copy this database
    # instead of migrating a new one.
    preparing = time.perf_counter()
    if build_prefect_database_template() is not None:
        typer.echo(
            f"Prepared an empty Prefect database for later runs ({time.perf_counter() - preparing:.1f} s, once): "
            f"{prefect_database_template()}"
        )


@app.command()
def ingest() -> None:
    """Ingest every file in the inbox (accepted into validated tables, or quarantined)."""
    settings = _settings()
    from flows.ingest_inbox import ingest_inbox
    from flows.summary import ingest_summary

    typer.echo(ingest_summary(ingest_inbox(settings), settings))


@app.command()
def publish(cycle: Annotated[str, typer.Option(help="The PDSA cycle id, e.g. cycle-1")]) -> None:
    """Publish the report of one PDSA cycle."""
    settings = _settings()
    from flows.publish_cycle import publish_cycle

    publication = publish_cycle(cycle, settings)
    typer.echo(f"Report: {publication.report}")


@app.command("prepare-coding")
def prepare_coding(cycle: Annotated[str, typer.Option(help="The PDSA cycle id, e.g. cycle-1")]) -> None:
    """Cut the cycle's transcripts and notes into segments and write a workbook per reviewer."""
    settings = _settings()
    from flows.prepare_coding import prepare_coding as run

    prepared = run(cycle, settings)
    typer.echo(f"{prepared.segments} segments in cycle {cycle}. Workbooks for the reviewers:")
    typer.echo("\n".join(f"  {path}" for path in prepared.workbooks))


@app.command("import-coding")
def import_coding(cycle: Annotated[str, typer.Option(help="The PDSA cycle id, e.g. cycle-1")]) -> None:
    """Import the returned workbooks: agreement, the disagreement sheet, and the reconciled codings."""
    settings = _settings()
    from flows.import_coding import import_coding as run
    from flows.summary import coding_summary

    typer.echo(coding_summary(run(cycle, settings)))


@app.command()
def inspect(file: Annotated[Path, typer.Argument(help="An export, transcript or notes file")]) -> None:
    """Show what evalcycle recognises in a file and write a draft mapping for the evaluation."""
    settings = Settings.from_env()
    from instruments.atomic import write_text_atomic
    from validation.inspection import inspect_file

    inspection = inspect_file(file.read_bytes(), file.name)
    typer.echo(inspection.describe())
    draft = inspection.draft_mapping()
    if draft:
        target = settings.workspace / "drafts" / f"{file.stem}.mapping.yaml"
        write_text_atomic(target, draft)
        typer.echo(f"Draft mapping: {target}")


@app.command()
def serve() -> None:
    """Serve the scheduled deployments (runs until stopped with Ctrl+C)."""
    _settings()
    from flows.serve import serve_deployments

    serve_deployments()


# --- PDSA cycle records: check them, and take the steps that evalcycle writes ------------------

CycleOption = Annotated[str, typer.Option("--cycle", help="The cycle_id of the record, e.g. cycle-4")]
DateOption = Annotated[
    datetime | None, typer.Option("--on", formats=["%Y-%m-%d"], help="The date, YYYY-MM-DD (default: today)")
]


@contextmanager
def _refusals() -> Iterator[None]:
    """A broken rule or a wrong record: its message (where, what, what to do), exit status 2."""
    try:
        yield
    except EvalcycleError as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(2) from None


def _cycle_records() -> tuple[Path, frozenset[str]]:
    """The cycle records folder beside the evaluation file, and the measures the evaluation knows."""
    from instruments.cycle_records import cycle_records_folder
    from instruments.load import load_evaluation

    evaluation = Settings.from_env().evaluation
    return cycle_records_folder(evaluation), load_evaluation(evaluation).measure_ids()


def _today(on: datetime | None) -> date:
    return on.date() if on is not None else datetime.now().astimezone().date()


def _next_step(record: CycleRecord, measures: frozenset[str]) -> str:
    """Where one record stands, and the command for its next step or what it still needs."""
    from instruments.cycle import next_stage, next_step_blocked

    if record.closed is not None:
        return f"closed on {record.closed.date.isoformat()}"
    following, blocked = next_stage(record), next_step_blocked(record, measures)
    step = "close" if following == "closed" else f"move to {str(following).capitalize()}"
    if blocked is not None:
        stage = record.stage.capitalize()
        return f"at {stage}; before it can {step}: {blocked.problem}\n  What to do: {blocked.action}"
    command = "cycle-close" if following == "closed" else "cycle-advance"
    return f"at {record.stage.capitalize()}, ready to {step}: make {command} CYCLE={record.cycle_id}"


@app.command("cycle-check")
def cycle_check(
    cycle: Annotated[
        str | None, typer.Option("--cycle", help="Report on this cycle only (all records are still checked)")
    ] = None,
) -> None:
    """Check the PDSA cycle records as publishing does, and say what each open cycle needs next."""
    from instruments.cycle_records import load_cycle_records

    with _refusals():
        folder, measures = _cycle_records()
        series = load_cycle_records(folder, measures)
        shown = [series.locate(cycle)[1]] if cycle else list(series.records)
    typer.echo(f"Cycle records in {folder} (series {series.records[0].series_id}): no rule is broken.")
    for record in shown:
        typer.echo(f"{record.cycle_id}: {_next_step(record, measures)}")
    for flag in series.check.flags:
        if cycle is None or flag.cycle_id == cycle:
            typer.echo(f"Note (the report says so too): {flag.message}")


@app.command("cycle-advance")
def cycle_advance(
    cycle: CycleOption,
    to: Annotated[
        str | None, typer.Option("--to", help="The stage to reach (do, study or act); nothing to do if it is there")
    ] = None,
) -> None:
    """Move a cycle record to its next stage (Plan, Do, Study, Act); moving to Do locks its predictions."""
    from instruments.cycle import STAGES
    from instruments.cycle_records import advance_cycle

    if to is not None and to not in STAGES:
        raise typer.BadParameter(f"{to!r} is not a stage; use one of {', '.join(STAGES)}.", param_hint="--to")
    with _refusals():
        folder, measures = _cycle_records()
        change = advance_cycle(folder, cycle, measures, to)
    before, after = change.before.stage.capitalize(), change.after.stage.capitalize()
    if not change.changed:
        typer.echo(f"{cycle} is already at {after}; nothing changed ({change.path}).")
        return
    typer.echo(f"{cycle} moved from {before} to {after} ({change.path}).")
    if change.after.stage == "do":
        typer.echo("Its questions and predictions are locked now: predictions_sha256 is written in the record.")
    typer.echo(f"Next: {_next_step(change.after, measures)}")


@app.command("cycle-close")
def cycle_close(cycle: CycleOption, on: DateOption = None) -> None:
    """Close a cycle record at Act: write the closing date and seal the record with its sha256."""
    from instruments.cycle_records import close_cycle

    with _refusals():
        folder, measures = _cycle_records()
        change = close_cycle(folder, cycle, measures, _today(on))
    seal = change.after.closed
    assert seal is not None  # close_cycle closes the cycle or refuses
    if not change.changed:
        typer.echo(f"{cycle} was already closed on {seal.date.isoformat()}; nothing changed ({change.path}).")
        return
    typer.echo(f"{cycle} is closed on {seal.date.isoformat()} and sealed (sha256 {seal.sha256}) in {change.path}.")
    typer.echo(f"From now on, add corrections as amendments: make cycle-amend CYCLE={cycle} BY=... TEXT=...")


@app.command("cycle-amend")
def cycle_amend(
    cycle: CycleOption,
    by: Annotated[str, typer.Option("--by", help="Who writes the amendment, e.g. a role such as evaluator")],
    text: Annotated[str, typer.Option("--text", help="What the amendment records")],
    on: DateOption = None,
) -> None:
    """Add a dated amendment to a closed cycle record (the only change a closed record takes)."""
    from instruments.cycle_records import amend_cycle

    with _refusals():
        folder, measures = _cycle_records()
        change = amend_cycle(folder, cycle, measures, _today(on), by, text)
    count = len(change.after.amendments)
    if not change.changed:
        typer.echo(f"{cycle} already ends with this amendment (number {count}); nothing changed ({change.path}).")
        return
    typer.echo(f"Amendment {count} added to {cycle} ({change.path}).")


def main() -> None:
    try:
        app()
    except EvalcycleError as error:
        typer.echo(str(error), err=True)
        sys.exit(2)


if __name__ == "__main__":
    main()
