"""Flow ``publish-cycle``: analyse one PDSA cycle's validated tables and publish its report.

Cycle records are found by convention in a ``cycles/`` folder beside the evaluation file (one YAML
file per cycle, see docs/cycle-records.md). Without that folder, or without a record for this
cycle, the report still publishes, saying there is no cycle record yet.

Writes ``published/<cycle>/``: ``report.html``, ``rating_summary.csv``, and the tables behind the
report (``predictions.csv``, ``ratings.csv``, ``implementation_outcomes.csv``, ``<block>.csv``,
``reach.csv``), plus a Prefect markdown artifact with the main messages. To add a section, compute
it in :func:`analyse_cycle` and pass it on to ``build_cycle_report``, with the measures over time
and the themes rendered as HTML fragments.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd
from markupsafe import Markup
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
from analysis.measures import charted_measures, measures_over_time, session_design
from analysis.predictions import check_predictions, measures, predictions_table
from analysis.sources import describe_sources
from analysis.suppression import republished_tables
from analysis.themes import summarise_cycle_themes
from flows.prepare_coding import segments_path
from flows.settings import Settings
from flows.stopwatch import timed
from instruments.atomic import write_text_atomic
from instruments.cycle import CycleRecord
from instruments.cycle_records import CycleSeries, cycle_records_folder, load_cycle_records
from instruments.errors import InsufficientData
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
from reports.measures_section import MeasuresSection, build_measures_section, render_measures_section
from reports.series_overview import build_series_overview, render_series_overview
from reports.themes_section import coding_pending_section, quote_review, render_themes_section
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
    #: The series overview across cycles, rewritten with every publication.
    overview: Path | None = None
    #: The run charts of this report, so the overview of the same cycles need not draw them again.
    measures: MeasuresSection | None = field(default=None, compare=False, repr=False)


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


def published_sessions(settings: Settings) -> pd.DataFrame | None:
    """Every run-chart point the published reports show (each cycle's and the series' measures.csv)."""
    columns = ["item_id", "group", "session", "n"]
    files = sorted(settings.published.glob("*/measures.csv"))
    frames = [pd.read_csv(path, usecols=columns, dtype={"session": str}) for path in files]
    frames = [frame for frame in frames if not frame.empty]
    return pd.concat(frames, ignore_index=True) if frames else None


def check_republication(settings: Settings, cycle_id: str, tables: dict[str, pd.DataFrame], k: int) -> None:
    """Refuse to publish a cycle again when a count of people changed by 1 to k - 1 since last time.

    The earlier version may already be in readers' hands; side by side with the new one it would
    describe the few people who answered late. Publishing the same data again changes nothing.
    """
    folder = settings.published / cycle_id
    # Run-chart points that changed are withheld instead (analysis.measures), not refused.
    earlier = {
        name: pd.read_csv(folder / name, dtype=str)
        for name in tables
        if name != "measures.csv" and (folder / name).exists()
    }
    changes = republished_tables(earlier, tables, k)
    if not changes:
        return
    listed = "; ".join(f"{name} {c.row!r}, {c.column}: {c.before} then, {c.after} now" for name, c in changes[:5])
    raise InsufficientData(
        f"published/{cycle_id}/ ({listed}{' ...' if len(changes) > 5 else ''})",
        f"{len(changes)} count(s) of people would change by 1 to {k - 1} since this cycle's report was "
        "published, so the two versions side by side would describe those few people.",
        f"Publish this cycle again once at least {k} more people have answered. If the earlier version "
        f"was never shared, delete the folder published/{cycle_id}/ and publish again.",
    )


def _cycles_up_to(evaluation: Evaluation, cycle_id: str) -> list[str]:
    order = list(evaluation.cycle_ids())
    return order[: order.index(cycle_id) + 1]


def measures_section(
    evaluation: Evaluation, cycle_id: str, settings: Settings, series: CycleSeries | None
) -> MeasuresSection | None:
    """Run charts of the predicted participant measures, per group and session, up to ``cycle_id``.

    Drawn from the instrument that names its session item (``session_item`` in the evaluation);
    ``None`` when there is no such instrument or no session has been answered yet.
    """
    instrument = next((i for i in evaluation.instruments if i.session_item is not None), None)
    if instrument is None:
        return None
    predicted = (
        [q.prediction.measure for r in series.records for q in r.plan.questions if q.prediction is not None]
        if series is not None
        else []
    )
    items = charted_measures(instrument, predicted)
    cycles = [
        c
        for c in _cycles_up_to(evaluation, cycle_id)
        if not _read(settings, "survey_comments", c, _columns(SurveyComments)).empty
    ]
    if cycle_id not in cycles:
        return None

    def every(table: str, model: type[SurveyResponses | SurveyChoices | SurveyComments]) -> pd.DataFrame:
        return pd.concat([_read(settings, table, c, _columns(model)) for c in cycles], ignore_index=True)

    design = session_design(
        evaluation,
        instrument.id,
        list(items),
        group_item=instrument.group_item,
        session_item=instrument.session_item,
    )
    charts = measures_over_time(
        every("survey_responses", SurveyResponses),
        every("survey_choices", SurveyChoices),
        every("survey_comments", SurveyComments),
        design,
        cycles,
        k=evaluation.privacy.k,
        published=published_sessions(settings),
    )
    if charts.points.empty:
        return None
    return build_measures_section(
        evaluation, cycle_id, charts.points, charts.parts, items, instrument_id=instrument.id, unplaced=charts.unplaced
    )


def withheld_ids_not_found(evaluation: Evaluation, settings: Settings) -> list[str]:
    """The evaluation's ``withheld_quotes`` that match no segment of any cycle (e.g. the transcript
    was exported again, and its segments got new ids), in the order they are listed.

    An id whose transcript is stored but not yet cut into segments (a later cycle, not coded yet)
    is not reported: it may well match once that cycle is prepared.
    """
    withheld = evaluation.privacy.withheld_quotes
    if not withheld:
        return []
    known: set[str] = set()
    pending: set[str] = set()
    for cycle in evaluation.cycle_ids():
        path = segments_path(settings, cycle)
        if path.exists():
            known.update(pd.read_parquet(path, columns=["segment_id"])["segment_id"])
        else:  # segment ids begin with their source id, the first 12 hex digits of the file's sha256
            pending.update(part.stem[:12] for part in (settings.validated / "utterances" / cycle).glob("*.parquet"))
    return [
        segment_id for segment_id in withheld if segment_id not in known and segment_id.split("-", 1)[0] not in pending
    ]


def themes_html(evaluation: Evaluation, cycle_id: str, settings: Settings, utterances: pd.DataFrame) -> Markup | None:
    """ "What people told us" from the reconciled codings; a note while coding is unfinished."""
    final = settings.validated / "codings" / cycle_id / "final.parquet"
    segments = segments_path(settings, cycle_id)
    if final.exists() and segments.exists():
        section = summarise_cycle_themes(evaluation, pd.read_parquet(final), pd.read_parquet(segments))
        # The evaluator reads the quotes (by segment id) before the report is shared.
        stale = withheld_ids_not_found(evaluation, settings)
        write_text_atomic(settings.private / "quotes" / f"{cycle_id}.md", quote_review(section, cycle_id, stale))
        return render_themes_section(section)
    return coding_pending_section(cycle_id) if not utterances.empty else None


def analyse_cycle(
    evaluation: Evaluation, cycle_id: str, settings: Settings, series: CycleSeries | None
) -> tuple[CycleReport, dict[str, pd.DataFrame], pd.DataFrame, MeasuresSection | None]:
    """The report model, the tables behind it (file name -> table), the rating summary and the run charts."""
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
    over_time = measures_section(evaluation, cycle_id, settings, series)
    if over_time is not None:
        tables["measures.csv"] = over_time.table
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
        measures_html=Markup(render_measures_section(over_time)) if over_time is not None else None,
        measures_withheld=over_time.withheld if over_time is not None else 0,
        themes_html=themes_html(evaluation, cycle_id, settings, utterances),
    )
    return report, tables, summary, over_time


def _write_pdf(html: str, path: Path) -> None:
    # Imported when first needed: WeasyPrint takes seconds to import, and the pilot prints its
    # PDFs in a worker process instead (flows.quality_worker.print_pdf).
    from reports.pdf import write_report_pdf

    write_report_pdf(html, path)  # no base URL: links between reports stay relative (reports.pdf)


def write_charts(report: CycleReport, over_time: MeasuresSection | None, folder: Path) -> list[Path]:
    """Each chart of the report as its own SVG file (for slides and handouts), and no stale one."""
    figures = [report.ratings_figure] if report.ratings_figure is not None else []
    figures += [chart.figure for chart in (over_time.charts if over_time else ()) if chart.figure is not None]
    paths = []
    for figure in figures:
        path = folder / f"{figure.figure_id}.svg"
        write_text_atomic(path, '<?xml version="1.0" encoding="utf-8"?>\n' + figure.svg.strip() + "\n")
        paths.append(path)
    for stale in sorted(set(folder.glob("*.svg")) - set(paths)):
        stale.unlink()
    return paths


@task
@timed
def write_report(evaluation: Evaluation, cycle_id: str, settings: Settings, pdf: bool = True) -> Publication:
    series = find_cycle_records(evaluation, settings.evaluation)
    report, tables, summary, over_time = analyse_cycle(evaluation, cycle_id, settings, series)
    check_republication(settings, cycle_id, {"rating_summary.csv": summary, **tables}, evaluation.privacy.k)
    folder = settings.published / cycle_id
    report_path = folder / "report.html"
    html = render_cycle_report(report)
    write_text_atomic(report_path, html)
    if pdf:
        _write_pdf(html, folder / "report.pdf")
    table_path = folder / "rating_summary.csv"
    write_text_atomic(table_path, summary.to_csv(index=False, lineterminator="\n"))
    paths = [table_path, *write_charts(report, over_time, folder / "charts")]
    for name, table in sorted(tables.items()):
        write_text_atomic(folder / name, table.to_csv(index=False, lineterminator="\n"))
        paths.append(folder / name)
    markdown = report.main_messages_markdown + f"\nReport: `{report_path}`\n"
    create_markdown_artifact(key=f"report-{cycle_id}", markdown=markdown, description=f"Cycle report for {cycle_id}")
    return Publication(
        cycle_id, report_path, tuple(paths), report.withheld_total, markdown, report.has_record, measures=over_time
    )


@task
@timed
def write_series_overview(
    evaluation: Evaluation, settings: Settings, pdf: bool = True, latest: Publication | None = None
) -> Path:
    """``published/series/overview.html`` (and its PDF): every cycle's decision, and the measures so far.

    ``latest``, the publication of the latest cycle with a report, lends its run charts.
    """
    series = find_cycle_records(evaluation, settings.evaluation)
    published = [c for c in evaluation.cycle_ids() if (settings.published / c / "report.html").exists()]
    if latest is not None and published and latest.cycle_id == published[-1]:
        measures = latest.measures
    else:
        measures = measures_section(evaluation, published[-1], settings, series) if published else None
    overview = build_series_overview(evaluation, series.records if series is not None else (), measures)
    folder = settings.published / "series"
    html = render_series_overview(overview)
    path = folder / "overview.html"
    write_text_atomic(path, html)
    if pdf:
        _write_pdf(html, folder / "overview.pdf")
    if measures is not None:
        write_text_atomic(folder / "measures.csv", measures.table.to_csv(index=False, lineterminator="\n"))
    return path


@flow(name="publish-cycle")
def publish_cycle(
    cycle_id: str, settings: Settings | None = None, overview: bool = True, pdf: bool = True
) -> Publication:
    """Write ``published/<cycle>/report.html`` (and PDF, tables), then refresh the series overview.

    ``overview=False`` leaves the overview alone (a caller publishing several cycles refreshes it
    once); ``pdf=False`` leaves the PDFs to the caller (the pilot prints them in a second process).
    """
    settings = settings or Settings.from_env()
    evaluation = load_evaluation(settings.evaluation)
    publication = write_report(evaluation, cycle_id, settings, pdf)
    if not overview:
        return publication
    return replace(publication, overview=write_series_overview(evaluation, settings, pdf, publication))
