"""Flow ``publish-cycle``: analyse one PDSA cycle's validated tables and publish its report.

Cycle records are found by convention in a ``cycles/`` folder beside the evaluation file (one YAML
file per cycle, see docs/cycle-records.md). Without that folder, or without a record for this
cycle, the report still publishes, saying there is no cycle record yet.

Writes ``published/<cycle>/``: ``report.html``, ``rating_summary.csv``, and the tables behind the
report (``predictions.csv``, ``ratings.csv``, ``implementation_outcomes.csv``, ``<block>.csv``,
``reach.csv``), plus a Prefect markdown artifact with the main messages. To add a section, compute
it in :func:`analyse_cycle` and pass it on to ``build_cycle_report`` (``measures_html`` and
``themes_html`` are waiting for the series overview and the themes).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from prefect import flow, task
from prefect.artifacts import create_markdown_artifact

from analysis.implementation_outcomes import (
    block_summary,
    guard_rating_summary,
    rating_distributions,
    reach,
    score_summary,
    scores_table,
)
from analysis.likert import summarise_ratings
from analysis.predictions import check_predictions, measures, predictions_table
from analysis.sources import describe_sources
from flows.settings import Settings
from instruments.atomic import write_text_atomic
from instruments.cycle import CycleRecord
from instruments.cycle_records import CycleSeries, load_cycle_records
from instruments.evaluation import Evaluation
from instruments.load import load_evaluation
from reports.cycle_report import (
    Block,
    CycleReport,
    Outcomes,
    Ratings,
    agreement_summary,
    build_cycle_report,
    render_cycle_report,
)
from validation.contracts import SurveyChoices, SurveyComments, SurveyResponses, Utterances
from validation.tables import read_table

SCORE_RULE = (
    "Each score is worked out per person as the mean of its 4 items (1 = completely disagree, 5 = completely "
    "agree), for everyone who answered all 4 (Weiner et al. 2017); the table gives the mean over those people."
)


@dataclass(frozen=True)
class Publication:
    cycle_id: str
    report: Path
    tables: tuple[Path, ...]
    suppressed: int
    #: The main messages as Markdown (also the Prefect artifact); empty for older callers.
    main_messages: str = ""
    has_record: bool = False


def cycle_records_folder(evaluation_file: Path) -> Path:
    """Where an evaluation's cycle records live: ``cycles/`` beside the evaluation file."""
    return evaluation_file.parent / "cycles"


def find_cycle_records(evaluation: Evaluation, evaluation_file: Path) -> CycleSeries | None:
    folder = cycle_records_folder(evaluation_file)
    if not folder.is_dir() or not any(folder.glob("*.y*ml")):
        return None
    return load_cycle_records(folder, evaluation.measure_ids())


def hidden_means(evaluation: Evaluation, responses: pd.DataFrame, k: int) -> set[str]:
    """Measure ids of block items whose mean is withheld in a cycle (their counts are partly withheld)."""
    hidden: set[str] = set()
    for instrument in evaluation.instruments:
        for block in instrument.blocks:
            scale_id = instrument.item(block.items[0]).scale
            levels = evaluation.scale(scale_id).labels if scale_id else ()
            table = block_summary(responses, instrument.id, block.items, levels, k).table
            hidden |= {f"{instrument.id}.{item}" for item in table.loc[table["mean"].isna(), "item_id"]}
    return hidden


def _read(settings: Settings, table: str, cycle_id: str, columns: list[str]) -> pd.DataFrame:
    return read_table(settings.validated, table, cycle_id, columns)


def _columns(model: type[SurveyResponses | SurveyChoices | SurveyComments | Utterances]) -> list[str]:
    return list(model.to_schema().columns)


def analyse_cycle(
    evaluation: Evaluation, cycle_id: str, settings: Settings, series: CycleSeries | None
) -> tuple[CycleReport, dict[str, pd.DataFrame], pd.DataFrame]:
    """The report model and the tables behind it (file name -> table), plus the rating summary."""
    k = evaluation.privacy.k
    responses = _read(settings, "survey_responses", cycle_id, _columns(SurveyResponses))
    utterances = _read(settings, "utterances", cycle_id, _columns(Utterances))
    choices = _read(settings, "survey_choices", cycle_id, _columns(SurveyChoices))
    comments = _read(settings, "survey_comments", cycle_id, _columns(SurveyComments))
    scale_points = {
        item.id: len(evaluation.scale(item.scale).labels)
        for instrument in evaluation.instruments
        for item in instrument.items
        if item.scale is not None
    }
    summary = summarise_ratings(responses, scale_points, k)
    titles = {i.id: i.title for i in evaluation.instruments}
    sources = describe_sources(responses, utterances, titles, k)
    tables: dict[str, pd.DataFrame] = {}
    known = measures(evaluation)

    record: CycleRecord | None = None
    earlier: tuple[CycleRecord, ...] = ()
    flags: tuple[str, ...] = ()
    predictions = None
    if series is not None and cycle_id in series.files:
        chain = [r.cycle_id for r in series.records]
        record = series.record(cycle_id)
        earlier = series.records[: chain.index(cycle_id)]
        flags = tuple(f.message for f in series.check.flags if f.cycle_id in (None, cycle_id))
        previous = None
        previous_hidden: set[str] = set()
        if record.previous_cycle_id is not None:
            previous = _read(settings, "survey_responses", record.previous_cycle_id, _columns(SurveyResponses))
            previous_hidden = hidden_means(evaluation, previous, k)
        checks = check_predictions(
            record, known, responses, previous, k, hidden_means(evaluation, responses, k), previous_hidden
        )
        predictions = predictions_table(checks)
        tables["predictions.csv"] = predictions

    ratings = None
    blocks: list[Block] = []
    scores = []
    reach_table = None
    reach_withheld = 0
    for instrument in evaluation.instruments:
        in_block = {i for b in instrument.blocks for i in b.items} | {i for s in instrument.scores for i in s.items}
        if instrument.respondents == ("participant",) and ratings is None:
            rated = [i for i in instrument.items if i.scale is not None and i.id not in in_block]
            if rated and len({i.scale for i in rated}) == 1 and rated[0].scale is not None:
                scale = evaluation.scale(rated[0].scale).labels
                distribution = rating_distributions(responses, instrument.id, [i.id for i in rated], scale, k)
                if not distribution.table.empty:
                    ratings = Ratings(
                        instrument.id,
                        distribution.table,
                        distribution.levels,
                        distribution.grouping,
                        distribution.withheld,
                    )
                    tables["ratings.csv"] = distribution.table
        for score in instrument.scores:
            scores.append(score_summary(responses, known[f"{instrument.id}.{score.id}"], score.outcome or score.id, k))
        for block in instrument.blocks:
            scale_id = instrument.item(block.items[0]).scale
            levels = evaluation.scale(scale_id).labels if scale_id else ()
            found = block_summary(responses, instrument.id, block.items, levels, k)
            if found.table["n"].notna().any() or found.withheld:
                blocks.append(
                    Block(block.label, block.answered_by, instrument.id, found.table, found.levels, found.withheld)
                )
                tables[f"{block.id}.csv"] = found.table
        if instrument.group_item is not None and reach_table is None:
            found_reach = reach(choices, comments, instrument.id, instrument.group_item, instrument.session_item, k)
            if not found_reach.table.empty:
                reach_table, reach_withheld = found_reach.table, found_reach.withheld
                tables["reach.csv"] = found_reach.table
    score_frame = scores_table(scores) if scores else None
    if score_frame is not None and score_frame["n"].notna().any():
        tables["implementation_outcomes.csv"] = score_frame
    else:
        score_frame = None
    outcomes = Outcomes(
        scores=score_frame,
        score_rule=SCORE_RULE,
        scores_withheld=sum(s.withheld for s in scores),
        blocks=tuple(blocks),
        reach=reach_table,
        reach_withheld=reach_withheld,
    )
    # Rating items not drawn in full publish no counts at all, so their means stay; a block's
    # distribution is published in part, so its withheld means must stay withheld here too.
    partly = {str(i) for b in blocks for i in b.table.loc[b.table["mean"].isna(), "item_id"]}
    summary = guard_rating_summary(summary, k, partly)
    agreement_file = settings.published / cycle_id / "agreement.csv"
    agreement = agreement_summary(pd.read_csv(agreement_file)) if agreement_file.exists() else ""
    report = build_cycle_report(
        evaluation,
        cycle_id,
        summary,
        sources,
        record=record,
        earlier=earlier,
        flags=flags,
        predictions=predictions,
        ratings=ratings,
        outcomes=outcomes,
        agreement=agreement,
    )
    return report, tables, summary


@task
def write_report(evaluation: Evaluation, cycle_id: str, settings: Settings) -> Publication:
    series = find_cycle_records(evaluation, settings.evaluation)
    report, tables, summary = analyse_cycle(evaluation, cycle_id, settings, series)
    folder = settings.published / cycle_id
    report_path = folder / "report.html"
    write_text_atomic(report_path, render_cycle_report(report))
    table_path = folder / "rating_summary.csv"
    write_text_atomic(table_path, summary.to_csv(index=False, lineterminator="\n"))
    paths = [table_path]
    for name, table in sorted(tables.items()):
        write_text_atomic(folder / name, table.to_csv(index=False, lineterminator="\n"))
        paths.append(folder / name)
    markdown = report.main_messages_markdown + f"\nReport: `{report_path}`\n"
    create_markdown_artifact(key=f"report-{cycle_id}", markdown=markdown, description=f"Cycle report for {cycle_id}")
    return Publication(cycle_id, report_path, tuple(paths), report.withheld_total, markdown, report.has_record)


@flow(name="publish-cycle")
def publish_cycle(cycle_id: str, settings: Settings | None = None) -> Publication:
    """Write ``published/<cycle>/report.html`` and the tables behind it."""
    settings = settings or Settings.from_env()
    evaluation = load_evaluation(settings.evaluation)
    return write_report(evaluation, cycle_id, settings)
