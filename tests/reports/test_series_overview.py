"""The series overview: every cycle with its dates, predictions, decision and report, then the charts."""

from __future__ import annotations

import re

import pytest

from analysis.measures import measures_over_time, session_design
from instruments.cycle import CycleRecord
from instruments.cycle_records import read_cycle_record
from instruments.evaluation import Evaluation
from instruments.load import load_evaluation
from reports.measures_section import MeasuresSection, build_measures_section
from reports.series_overview import build_series_overview, render_series_overview
from tests.analysis.test_measures import CYCLES, FEEDBACK, GRIEF, PILOT3, session_of, tables_of
from tests.conftest import REPOSITORY

RECORDS = REPOSITORY / "tests" / "instruments" / "cycle_records"


@pytest.fixture(scope="module")
def evaluation() -> Evaluation:
    return load_evaluation(PILOT3 / "evaluation.yaml")


@pytest.fixture(scope="module")
def records() -> tuple[CycleRecord, ...]:
    return tuple(read_cycle_record(RECORDS / f"{cycle}.yaml") for cycle in CYCLES)


@pytest.fixture(scope="module")
def measures(evaluation: Evaluation) -> MeasuresSection:
    answers = []
    for number, day in enumerate(["2026-01-27", "2026-02-03", "2026-04-14", "2026-04-21", "2026-06-23"]):
        answers += session_of(CYCLES[min(number // 2, 2)], GRIEF, day, [3 + number % 2, 4, 4, 5, 3])
    design = session_design(evaluation, FEEDBACK, ["pf_safe"])
    charts = measures_over_time(*tables_of(answers), design, CYCLES, k=5)
    return build_measures_section(
        evaluation, "cycle-3", charts.points, charts.parts, {"pf_safe": "Felt safe"}, instrument_id=FEEDBACK
    )


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_every_cycle_shows_its_dates_predictions_decision_and_report_link(
    evaluation: Evaluation, records: tuple[CycleRecord, ...], measures: MeasuresSection
) -> None:
    page = render_series_overview(build_series_overview(evaluation, records, measures))
    text = text_of(page)
    first = records[0]
    assert first.act is not None
    assert f"Cycle 1: {first.title}" in text
    assert "15 January 2024 to 4 March 2024" in text
    assert "3 predictions: 1 met, 1 not met, 1 inconclusive." in text
    assert f"Adapt . {first.act.rationale.strip()}" in text
    for cycle in CYCLES:
        assert f'href="../{cycle}/report.html"' in page
    assert "16 September 2024 (still running)" in text, "cycle 3 has started but not ended"
    assert "Not decided yet." in text


def test_the_series_totals_count_what_did_not_work_next_to_what_did(
    evaluation: Evaluation, records: tuple[CycleRecord, ...]
) -> None:
    overview = build_series_overview(evaluation, records)
    verdicts = [r.verdict for record in records if record.study for r in record.study.results]
    waiting = sum(len(record.plan.questions) for record in records) - len(verdicts)
    expected = (
        f"Across the series, {len(verdicts)} predictions have a result: {verdicts.count('met')} met, "
        f"{verdicts.count('not met')} not met, {verdicts.count('inconclusive')} inconclusive"
    )
    assert overview.totals_text.startswith(expected)
    assert (f"{waiting} still waiting" in overview.totals_text) == bool(waiting)


def test_a_cycle_without_a_record_is_listed_and_said_to_have_none(
    evaluation: Evaluation, records: tuple[CycleRecord, ...]
) -> None:
    overview = build_series_overview(evaluation, records[:2])
    assert [c.record for c in overview.cycles] == [True, True, False]
    text = text_of(render_series_overview(overview))
    assert "No cycle record was found for this cycle" in text
    assert evaluation.cycles[2].title in text


def test_no_records_at_all_still_gives_a_page_with_every_cycle(evaluation: Evaluation) -> None:
    page = render_series_overview(build_series_overview(evaluation, []))
    assert page.count("No cycle record was found for this cycle") == len(evaluation.cycles)
    assert "No session measures are charted for this series." in page


def test_the_page_holds_the_run_charts_and_is_self_contained(
    evaluation: Evaluation, records: tuple[CycleRecord, ...], measures: MeasuresSection
) -> None:
    page = render_series_overview(build_series_overview(evaluation, records, measures))
    assert page.startswith("<!DOCTYPE html>") and '<html lang="en">' in page
    assert '<h2 id="measures-cycle-3">Measures over time</h2>' in page
    figure = measures.charts[0].figure
    assert figure is not None and figure.alt_text in page and 'role="img"' in page
    assert not re.search(r"""(src|href)=["']https?:""", page)
    assert "<link " not in page and "<script" not in page


def test_the_same_inputs_give_byte_identical_pages(
    evaluation: Evaluation, records: tuple[CycleRecord, ...], measures: MeasuresSection
) -> None:
    first = render_series_overview(build_series_overview(evaluation, records, measures))
    again = render_series_overview(build_series_overview(evaluation, list(reversed(records)), measures))
    assert first == again


def test_each_cycle_shows_its_scale_so_the_growth_of_the_test_can_be_seen(
    evaluation: Evaluation, records: tuple[CycleRecord, ...]
) -> None:
    text = text_of(render_series_overview(build_series_overview(evaluation, records)))
    shown = 0
    for record in records:
        scale = record.plan.scale
        if scale is None:
            continue
        assert f"Scale {scale.who}; {scale.how_many} people planned; {scale.where}" in " ".join(text.split())
        shown += 1
    assert shown >= 2
