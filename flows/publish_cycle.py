"""Flow ``publish-cycle``: analyse one PDSA cycle's validated tables and publish its report."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact

from analysis.likert import summarise_ratings
from analysis.sources import describe_sources
from flows.settings import Settings
from instruments.atomic import write_text_atomic
from instruments.evaluation import Evaluation
from instruments.load import load_evaluation
from reports.cycle_report import build_cycle_report, render_cycle_report
from validation.contracts import SurveyResponses, Utterances
from validation.tables import read_table


@dataclass(frozen=True)
class Publication:
    cycle_id: str
    report: Path
    tables: tuple[Path, ...]
    suppressed: int


@task
def write_report(evaluation: Evaluation, cycle_id: str, settings: Settings) -> Publication:
    responses = read_table(settings.validated, "survey_responses", cycle_id, list(SurveyResponses.to_schema().columns))
    utterances = read_table(settings.validated, "utterances", cycle_id, list(Utterances.to_schema().columns))
    scale_points = {
        item.id: len(evaluation.scale(item.scale).labels)
        for instrument in evaluation.instruments
        for item in instrument.items
        if item.scale is not None
    }
    summary = summarise_ratings(responses, scale_points, evaluation.privacy.k)
    titles = {i.id: i.title for i in evaluation.instruments}
    sources = describe_sources(responses, utterances, titles, evaluation.privacy.k)
    report = build_cycle_report(evaluation, cycle_id, summary, sources)
    folder = settings.published / cycle_id
    report_path = folder / "report.html"
    write_text_atomic(report_path, render_cycle_report(report))
    table_path = folder / "rating_summary.csv"
    write_text_atomic(table_path, summary.to_csv(index=False, lineterminator="\n"))
    create_markdown_artifact(
        key=f"report-{cycle_id}",
        markdown=f"# {report.cycle_title}\n\n"
        + "\n".join(f"- {s}" for s in sources)
        + f"\n\n{report.suppressed_text}\n\nReport: `{report_path}`\n",
        description=f"Cycle report for {cycle_id}",
    )
    return Publication(cycle_id, report_path, (table_path,), report.suppressed_count)


@flow(name="publish-cycle")
def publish_cycle(cycle_id: str, settings: Settings | None = None) -> Publication:
    """Write ``published/<cycle>/report.html`` and the tables behind it."""
    settings = settings or Settings.from_env()
    evaluation = load_evaluation(settings.evaluation)
    return write_report(evaluation, cycle_id, settings)
