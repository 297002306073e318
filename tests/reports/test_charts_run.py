"""The run chart figure: centre lines, PDSA cycle boundaries, signals by shape, and the rule outcome in words."""

from __future__ import annotations

import re
from collections.abc import Set as AbstractSet

import pytest

from reports.charts import Figure
from reports.palette import SERIES, SIGNAL
from reports.run_chart_figure import CycleBoundary, RunPart, RunPoint, run_chart_figure
from tests.conftest import REPOSITORY
from tests.reports.test_charts import SVG, assert_contrast_floors, groups, parse, style_of, texts

MEASURE = "Sessions attended per week"


def series(
    values: list[float | None],
    *,
    signal: AbstractSet[int] = frozenset(),
    excluded: AbstractSet[int] = frozenset(),
    centre: float = 5.0,
) -> list[RunPoint]:
    return [
        RunPoint(
            position=i,
            period=f"Week {i}",
            value=value,
            useful=value is not None and value != centre and i not in excluded,
            excluded=i in excluded,
            signal=i in signal,
            withheld=value is None,
        )
        for i, value in enumerate(values, start=1)
    ]


SHORT = series([4, 6, 5, 3, 7, 6, 4, 8])
SHORT_PART = RunPart(1, 1, 8, 5.0, n_useful=7, rules_applied=False)
TWO_CYCLES = series(
    [4, 6, 5, 3, 7, 6, 4, 8, 9, 9, 10, 8, 9, 11, 9, 10, 12, 10, 11, 9], signal=set(range(9, 21)), excluded={4}
)
TWO_PARTS = (
    RunPart(1, 1, 8, 5.5, n_useful=7, rules_applied=False),
    RunPart(2, 9, 20, 9.5, n_useful=12, rules_applied=True, long_run=True),
)
BOUNDARIES = (CycleBoundary(1, "Cycle 1: baseline"), CycleBoundary(9, "Cycle 2: text reminders"))


@pytest.fixture(scope="module")
def two_cycles() -> Figure:
    return run_chart_figure(MEASURE, TWO_CYCLES, TWO_PARTS, BOUNDARIES, k=5)


def chart_text(svg: str) -> str:
    return " ".join(texts(parse(svg)))


def test_the_same_series_gives_byte_identical_svg(two_cycles: Figure) -> None:
    assert run_chart_figure(MEASURE, list(TWO_CYCLES), list(TWO_PARTS), list(BOUNDARIES), k=5).svg == two_cycles.svg


def test_fewer_than_10_useful_points_says_the_rules_were_not_applied_never_no_signal() -> None:
    figure = run_chart_figure(MEASURE, SHORT, [SHORT_PART], k=5)
    message = "run-chart rules not applied: 7 useful points, the rules need at least 10"
    assert message in chart_text(figure.svg)
    assert message in figure.alt_text and message in figure.description
    assert "no signal" not in chart_text(figure.svg) + figure.alt_text + figure.description


@pytest.mark.parametrize(
    ("part", "message"),
    [
        (RunPart(1, 1, 12, 5, 12, True), "no signal"),
        (RunPart(1, 1, 12, 5, 12, True, long_run=True), "signal: long run"),
        (RunPart(1, 1, 12, 5, 12, True, few_crossings=True), "signal: too few crossings"),
        (RunPart(1, 1, 12, 5, 12, True, long_run=True, few_crossings=True), "signal: long run and too few crossings"),
        (RunPart(1, 1, 12, 5, 1, False), "run-chart rules not applied: 1 useful point, the rules need at least 10"),
    ],
)
def test_the_rule_outcome_is_printed_on_the_chart(part: RunPart, message: str) -> None:
    figure = run_chart_figure(MEASURE, series([4, 6] * 6), [part], k=5)
    assert f"Median 5. Rules (Anhøj): {message}" in texts(parse(figure.svg))
    assert figure.alt_text.endswith(f": {message}.")


def test_each_part_prints_its_own_outcome_and_centre_line(two_cycles: Figure) -> None:
    figure = two_cycles
    drawn = texts(parse(figure.svg))
    assert (
        "Points 1\u20138: median 5.5; run-chart rules not applied: 7 useful points, the rules need at least 10" in drawn
    )
    assert "Points 9\u201320: median 9.5; signal: long run" in drawn
    by_id = groups(parse(figure.svg))
    plain = style_of(next(by_id["centre-1"].iter(f"{SVG}path")))
    signalled = style_of(next(by_id["centre-2"].iter(f"{SVG}path")))
    assert plain["stroke"] != signalled["stroke"] == SIGNAL
    assert "stroke-dasharray" in signalled and "stroke-dasharray" not in plain


def test_cycle_boundaries_are_labelled_vertical_lines_before_the_cycles_first_point(two_cycles: Figure) -> None:
    figure = two_cycles
    root = parse(figure.svg)
    by_id = groups(root)
    drawn = texts(root)
    assert "Cycle 1: baseline" in drawn and "Cycle 2: text reminders" in drawn
    xs = {}
    for index in (0, 1):
        d = next(by_id[f"boundary-{index}"].iter(f"{SVG}path")).get("d", "")
        coordinates = re.findall(r"([-\d.]+) ([-\d.]+)", d)
        assert coordinates[0][0] == coordinates[-1][0], "a vertical line"
        xs[index] = float(coordinates[0][0])
    point_x = [float(u.get("x", "0")) for u in by_id["plain-points"].iter(f"{SVG}use")]
    gap = point_x[1] - point_x[0]
    assert xs[0] == pytest.approx(point_x[0] - gap / 2, abs=0.01)
    signal_x = [float(u.get("x", "0")) for u in by_id["signal-points"].iter(f"{SVG}use")]
    assert xs[1] == pytest.approx(signal_x[0] - gap / 2, abs=0.01)
    assert "Cycle 2: text reminders starts at Week 9." in figure.description


def marker_shape(svg: str, group: str) -> str:
    root = parse(svg)
    use = next(groups(root)[group].iter(f"{SVG}use"))
    target = use.get("{http://www.w3.org/1999/xlink}href", "").lstrip("#")
    path = next(p for p in root.iter(f"{SVG}path") if p.get("id") == target)
    return path.get("d", "")


def test_signal_points_differ_in_shape_as_well_as_colour(two_cycles: Figure) -> None:
    figure = two_cycles
    by_id = groups(parse(figure.svg))
    assert len(list(by_id["signal-points"].iter(f"{SVG}use"))) == 12
    assert len(list(by_id["plain-points"].iter(f"{SVG}use"))) == 7
    assert marker_shape(figure.svg, "signal-points") != marker_shape(figure.svg, "plain-points")
    signal_fill = style_of(next(by_id["signal-points"].iter(f"{SVG}use")))["fill"]
    plain_fill = style_of(next(by_id["plain-points"].iter(f"{SVG}use")))["fill"]
    assert (signal_fill, plain_fill) == (SIGNAL, SERIES)
    assert "part of a signal" in texts(parse(figure.svg))  # the key says it in words


def test_excluded_points_are_hollow_and_named_in_the_text(two_cycles: Figure) -> None:
    figure = two_cycles
    hollow = style_of(next(groups(parse(figure.svg))["excluded-points"].iter(f"{SVG}use")))
    assert hollow["fill"] == "#ffffff" and hollow["stroke"] == SERIES
    assert "left out of the median and the rules: Week 4." in figure.description
    assert figure.table.rows[3][-1] == "excluded from the rules"


def test_text_and_marks_meet_the_contrast_floors(two_cycles: Figure) -> None:
    assert assert_contrast_floors(two_cycles.svg) > 30


def test_a_withheld_point_leaves_a_gap_and_is_named_but_never_valued() -> None:
    points = series([4, 6, None, 3, 7, 6, 4, 8])
    figure = run_chart_figure(MEASURE, points, [RunPart(1, 1, 8, 6.0, 6, False)], k=5)
    assert "Not shown (fewer than 5 people): Week 3" in texts(parse(figure.svg))
    assert "Not shown because fewer than 5 people were counted: Week 3." in figure.description
    assert figure.table.rows[2] == ("3", "Week 3", "withheld", "6", "1", "withheld (fewer than 5)")
    with pytest.raises(ValueError, match=r"point 3 \(Week 3\) is withheld but still has a value"):
        run_chart_figure(
            MEASURE, [*points[:2], RunPoint(3, "Week 3", 2.0, withheld=True), *points[3:]], [SHORT_PART], k=5
        )


def test_the_text_alternative_and_description_are_written_from_the_data(two_cycles: Figure) -> None:
    figure = run_chart_figure(MEASURE, SHORT, [SHORT_PART], k=5)
    assert figure.alt_text == (
        "Run chart of Sessions attended per week, 8 points from Week 1 to Week 8: "
        "run-chart rules not applied: 7 useful points, the rules need at least 10."
    )
    assert "Values ranged from 3 (Week 4) to 8 (Week 8)." in figure.description
    other = run_chart_figure(MEASURE, series([2, 6, 5, 3, 7, 6, 4, 9]), [SHORT_PART], k=5)
    assert "Values ranged from 2 (Week 1) to 9 (Week 8)." in other.description
    assert other.description != figure.description
    assert two_cycles.alt_text != figure.alt_text


def test_the_table_has_one_row_per_point_with_its_centre_line_and_part(two_cycles: Figure) -> None:
    figure = two_cycles
    assert figure.table.columns == ("Point", "Period", MEASURE, "Median (centre line)", "Part", "Note")
    assert len(figure.table.rows) == 20
    assert figure.table.rows[0] == ("1", "Week 1", "4", "5.5", "1", "")
    assert figure.table.rows[8] == ("9", "Week 9", "9", "9.5", "2", "part of a signal")


def test_parts_that_do_not_cover_the_series_are_refused() -> None:
    with pytest.raises(ValueError, match="the parts must cover points 1 to 8 in order, once each"):
        run_chart_figure(MEASURE, SHORT, [RunPart(1, 1, 7, 5.0, 6, False)], k=5)


def test_a_boundary_outside_the_series_is_refused() -> None:
    with pytest.raises(ValueError, match=r"cycle boundary 'Cycle 9' is at point 9, outside 1 to 8"):
        run_chart_figure(MEASURE, SHORT, [SHORT_PART], [CycleBoundary(9, "Cycle 9")], k=5)


def test_a_part_cannot_signal_when_its_rules_were_not_applied() -> None:
    with pytest.raises(ValueError, match="part 1 has a signal although its rules were not applied"):
        run_chart_figure(MEASURE, SHORT, [RunPart(1, 1, 8, 5.0, 7, False, long_run=True)], k=5)


def test_the_program_team_guide_quotes_the_run_chart_messages_as_the_chart_prints_them() -> None:
    guide = (REPOSITORY / "docs" / "reading-the-charts.md").read_text("utf-8")
    for part in (
        RunPart(1, 1, 12, 5, 12, True),
        RunPart(1, 1, 12, 5, 12, True, long_run=True),
        RunPart(1, 1, 12, 5, 12, True, few_crossings=True),
        SHORT_PART,
    ):
        assert part.outcome in guide
