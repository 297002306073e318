"""Command line: ``python -m flows COMMAND`` (every Make target calls one of these)."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Annotated

import typer

from flows.settings import Settings, build_prefect_database_template, configure_prefect, prefect_database_template
from instruments.errors import EvalcycleError

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


def main() -> None:
    try:
        app()
    except EvalcycleError as error:
        typer.echo(str(error), err=True)
        sys.exit(2)


if __name__ == "__main__":
    main()
