"""The report's "Measures over time": a figure per measure and group, with its words, table and CSV."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from html.parser import HTMLParser

import pandas as pd
import pytest

from analysis.measures import SessionCharts, SessionDesign, measures_over_time, session_design
from instruments.evaluation import Evaluation
from instruments.load import load_evaluation
from reports.measures_section import MeasuresSection, build_measures_section, render_measures_section
from tests.analysis.test_measures import (
    BEREAVEMENT,
    CYCLES,
    FEEDBACK,
    GRIEF,
    PILOT3,
    pilot_tables,
    session_of,
    tables_of,
)

MEASURES = {"pf_safe": "Felt safe", "pf_peer_helped": "Peer helped", "pf_roles_clear": "Roles clear"}
SECRET_MEAN = "1.25"
"""The mean of the small session below (answers 1, 1, 1, 2): it must appear nowhere."""


def small_example() -> list[tuple[str, str, str, str, dict[str, int]]]:
    answers = []
    dates = ["2026-01-27", "2026-02-03", "2026-02-10", "2026-02-17", "2026-02-24", "2026-03-03"]
    for number, day in enumerate(dates):
        values = [3, 4, 4, 5, 3, 4] if number % 2 else [4, 4, 3, 3, 5]
        answers += session_of("cycle-1", GRIEF, day, values)
    answers += session_of("cycle-1", GRIEF, "2026-03-10", [1, 1, 1, 2])
    for day in ["2026-04-14", "2026-04-21", "2026-04-28", "2026-05-05", "2026-05-12"]:
        answers += session_of("cycle-2", GRIEF, day, [5, 5, 4, 5, 4, 5])
    answers += session_of("cycle-2", BEREAVEMENT, "2026-04-16", [4, 4, 4, 3])
    return [(token, cycle, group, session, dict(values)) for token, cycle, group, session, values in answers]


def section_for(
    evaluation: Evaluation,
    design: SessionDesign,
    answers: list[tuple[str, str, str, str, dict[str, int]]],
    cycle_id: str,
) -> tuple[SessionCharts, MeasuresSection]:
    cycles = CYCLES[: CYCLES.index(cycle_id) + 1]
    charts = measures_over_time(*tables_of(answers), design, cycles, k=evaluation.privacy.k)
    section = build_measures_section(
        evaluation,
        cycle_id,
        charts.points,
        charts.parts,
        {"pf_safe": "Felt safe"},
        instrument_id=FEEDBACK,
        unplaced=charts.unplaced,
    )
    return charts, section


@pytest.fixture(scope="module")
def evaluation() -> Evaluation:
    return load_evaluation(PILOT3 / "evaluation.yaml")


@pytest.fixture(scope="module")
def design(evaluation: Evaluation) -> SessionDesign:
    return session_design(evaluation, FEEDBACK, list(MEASURES))


@pytest.fixture(scope="module")
def pilot(evaluation: Evaluation) -> dict[str, pd.DataFrame]:
    return pilot_tables(evaluation)


@pytest.fixture(scope="module")
def small(evaluation: Evaluation, design: SessionDesign) -> MeasuresSection:
    return section_for(evaluation, design, small_example(), "cycle-2")[1]


class _Outline(HTMLParser):
    """Tags, ids and the visible text of a fragment."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        if data.strip():
            self.text.append(data.strip())


def outline(html: str) -> _Outline:
    parser = _Outline()
    parser.feed(html)
    return parser


def test_the_fragment_is_a_section_headed_measures_over_time_with_one_figure_per_group(
    small: MeasuresSection,
) -> None:
    html = render_measures_section(small)
    parsed = outline(html)
    assert parsed.tags[0][0] == "section"
    assert "Measures over time" in parsed.text[:2]
    figures = [attrs for tag, attrs in parsed.tags if tag == "figure"]
    assert [c.group for c in small.charts] == [GRIEF, BEREAVEMENT]
    assert len(figures) == 1, "the bereavement group has one session, withheld: no chart"
    assert "No chart: every one of its 1 sessions" in html
    ids = [attrs["id"] for _, attrs in parsed.tags if attrs.get("id")]
    assert len(ids) == len(set(ids)), "ids are unique in the page"


def test_each_figure_carries_its_alt_text_description_and_data_table(small: MeasuresSection) -> None:
    html = render_measures_section(small)
    chart = small.charts[0]
    assert chart.figure is not None
    assert 'role="img"' in chart.figure.svg
    assert f"<strong>{chart.figure.alt_text}</strong>" in html
    assert chart.figure.description.replace("'", "&#39;") in html
    assert "<caption>Felt safe, Grief group: the values behind the run chart</caption>" in html
    assert html.count("<tr>") == 1 + len(chart.figure.table.rows)
    assert 'aria-describedby="run-pf-safe-grief-group-description"' in html
    assert "Cycle 2 starts at 14 Apr." in chart.figure.description


def test_no_value_from_fewer_than_k_people_appears_in_the_fragment_or_the_csv(small: MeasuresSection) -> None:
    html = render_measures_section(small)
    csv = small.csv()
    assert SECRET_MEAN not in html and SECRET_MEAN not in csv
    table = pd.read_csv(io.StringIO(csv))
    withheld = table[table["withheld"]]
    assert len(withheld) == small.withheld == 3
    assert withheld[["n", "mean", "agree_share"]].isna().all().all()
    assert (table.loc[~table["withheld"], "n"] >= 5).all()
    assert "10 Mar" in " ".join(row[1] for row in small.charts[0].figure.table.rows if row[2] == "withheld")  # type: ignore[union-attr]
    assert small.privacy_text.startswith("3 points withheld and left as gaps: 2 points from fewer than 5 people")


def test_a_gap_is_never_said_to_be_fewer_than_k_when_it_may_be_a_complement(small: MeasuresSection) -> None:
    figure = small.charts[0].figure
    assert figure is not None
    reason = "Not shown (fewer than 5 people, or hidden to protect such a point): 27 Jan, 10 Mar"
    assert reason in figure.description
    assert "Not shown because fewer than 5 people were counted" not in figure.description
    notes = [row[5] for row in figure.table.rows if row[2] == "withheld"]
    assert notes == ["withheld (fewer than 5 people, or hidden to protect such a point)"] * 2


def test_fewer_than_10_useful_points_print_that_the_rules_were_not_applied(small: MeasuresSection) -> None:
    html = render_measures_section(small)
    # 12 sessions, 2 withheld; 3 of the other 10 equal the baseline median (23/6), so 7 are useful.
    assert "run-chart rules not applied: 7 useful points, the rules need at least 10" in html
    assert "no signal" not in html


def test_the_same_input_renders_byte_identical_html_and_csv(
    evaluation: Evaluation, design: SessionDesign, small: MeasuresSection
) -> None:
    _, again = section_for(evaluation, design, list(reversed(small_example())), "cycle-2")
    assert render_measures_section(again) == render_measures_section(small)
    assert again.csv() == small.csv()


def test_a_cycle_report_refuses_sessions_of_later_cycles(evaluation: Evaluation, design: SessionDesign) -> None:
    charts = measures_over_time(*tables_of(small_example()), design, CYCLES, k=5)
    with pytest.raises(ValueError, match="hold sessions of later or unknown cycles: cycle-2"):
        build_measures_section(evaluation, "cycle-1", charts.points, charts.parts, MEASURES, instrument_id=FEEDBACK)


def test_a_cycle_without_session_answers_says_there_is_nothing_to_chart_yet(
    evaluation: Evaluation, design: SessionDesign
) -> None:
    columns = ["respondent_token", "instrument_id", "cycle_id", "item_id"]
    empty = [
        pd.DataFrame({c: pd.Series(dtype="object") for c in [*columns, last]}) for last in ("value", "choice", "text")
    ]
    charts = measures_over_time(empty[0], empty[1], empty[2], design, ["cycle-1"], k=5)
    section = build_measures_section(
        evaluation, "cycle-1", charts.points, charts.parts, MEASURES, instrument_id=FEEDBACK
    )
    html = render_measures_section(section)
    assert section.charts == () and "<figure" not in html
    assert "No session answers were received up to this cycle, so there is nothing to chart yet." in html
    assert section.csv().count("\n") == 1, "the CSV still has its header"


def pilot_section(
    evaluation: Evaluation, design: SessionDesign, pilot: dict[str, pd.DataFrame], cycle_id: str
) -> MeasuresSection:
    cycles = CYCLES[: CYCLES.index(cycle_id) + 1]
    charts = measures_over_time(
        pilot["survey_responses"], pilot["survey_choices"], pilot["survey_comments"], design, cycles, k=5
    )
    return build_measures_section(evaluation, cycle_id, charts.points, charts.parts, MEASURES, instrument_id=FEEDBACK)


def test_the_pilot_cycle_1_section_has_three_grief_charts_and_withholds_the_small_session(
    evaluation: Evaluation, design: SessionDesign, pilot: dict[str, pd.DataFrame]
) -> None:
    section = pilot_section(evaluation, design, pilot, "cycle-1")
    assert [(c.label, c.group) for c in section.charts] == [
        ("Felt safe", GRIEF),
        ("Peer helped", GRIEF),
        ("Roles clear", GRIEF),
    ]
    safe = section.charts[0].figure
    assert safe is not None
    assert "run-chart rules not applied: 8 useful points" in safe.alt_text
    table = pd.read_csv(io.StringIO(section.csv()))
    small = table[(table["item_id"] == "pf_safe") & (table["session"] == "2026-02-10")]
    assert small["withheld"].tolist() == [True] and small["mean"].isna().all()


def test_the_pilot_cycle_3_section_charts_every_group_with_the_cycles_marked(
    evaluation: Evaluation, design: SessionDesign, pilot: dict[str, pd.DataFrame]
) -> None:
    section = pilot_section(evaluation, design, pilot, "cycle-3")
    assert len(section.charts) == 9 and all(c.figure for c in section.charts)
    grief = section.charts[0].figure
    assert grief is not None
    for label, day in (("Cycle 1", "27 Jan"), ("Cycle 2", "14 Apr"), ("Cycle 3", "23 Jun")):
        assert f"{label} starts at {day}." in grief.description
    assert "baseline median" in grief.description
    html = render_measures_section(section)
    assert len(re.findall(r"<figure ", html)) == 9
    assert html == render_measures_section(pilot_section(evaluation, design, pilot, "cycle-3"))


def test_later_reports_withhold_the_same_sessions_and_keep_the_baseline_median(
    evaluation: Evaluation, design: SessionDesign, pilot: dict[str, pd.DataFrame]
) -> None:
    first = pd.read_csv(io.StringIO(pilot_section(evaluation, design, pilot, "cycle-1").csv()))
    last = pd.read_csv(io.StringIO(pilot_section(evaluation, design, pilot, "cycle-3").csv()))
    again = last[last["cycle_id"] == "cycle-1"].reset_index(drop=True)
    columns = ["item_id", "group", "session", "n", "mean", "withheld", "position", "centre_line"]
    pd.testing.assert_frame_equal(first[columns], again[columns])


def test_the_privacy_sentence_counts_points_withheld_for_late_answers_apart(small: MeasuresSection) -> None:
    later = replace(small, withheld_small=1, withheld_changed=1, withheld_complementary=1)
    assert later.withheld == 3
    assert later.privacy_text == (
        "3 points withheld and left as gaps: 1 point from fewer than 5 people, 1 whose count changed by fewer "
        "than 5 since an earlier report showed it (late answers), so that the two reports together describe no "
        "one, and 1 more so that no withheld point can be worked out by subtracting the sessions shown from a "
        "cycle's totals."
    )
