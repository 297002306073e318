"""The diverging bar chart of rating items: sorted, labelled, n on every bar, small items withheld."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import numpy as np
import pandas as pd
import pytest

from reports.charts import Figure
from reports.likert_chart import likert_chart
from reports.palette import TEXT_CONTRAST, contrast_ratio, diverging
from tests.conftest import REPOSITORY
from tests.reports.test_charts import SVG, assert_contrast_floors, groups, parse, texts

FIVE = ("Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree")
FOUR = ("Strongly disagree", "Disagree", "Agree", "Strongly agree")


def items(rows: list[tuple[str, list[int] | None]], scale: tuple[str, ...] = FIVE) -> pd.DataFrame:
    """One row per statement; ``None`` counts make a statement withheld."""
    records = []
    for label, counts in rows:
        if counts is None:
            records.append({"label": label, "n": pd.NA, "suppressed": True, **dict.fromkeys(scale, pd.NA)})
        else:
            records.append(
                {"label": label, "n": sum(counts), "suppressed": False, **dict(zip(scale, counts, strict=True))}
            )
    frame = pd.DataFrame(records)
    for column in ("n", *scale):
        frame[column] = frame[column].astype("Int64")
    return frame


PILOT = items(
    [
        ("The group felt safe.", [1, 2, 3, 9, 8]),
        ("I understood what the sessions were for.", [3, 4, 2, 2, 1]),
        ("I would tell a friend about the group.", None),
        ("Sessions started on time.", [0, 0, 1, 3, 5]),
    ]
)


@pytest.fixture(scope="module")
def pilot() -> Figure:
    return likert_chart(PILOT, FIVE, k=5)


def text_y(text: ET.Element) -> float:
    if text.get("y") is not None:
        return float(text.get("y", "0"))
    found = re.search(r"translate\([-\d.]+ ([-\d.]+)\)", text.get("transform", ""))
    assert found is not None
    return float(found.group(1))


def group_texts(svg: str, pattern: str) -> list[str]:
    """The text of every group whose id matches ``pattern``, lines joined by spaces, top to bottom."""
    placed = []
    for name, group in groups(parse(svg)).items():
        if re.fullmatch(pattern, name):
            lines = list(group.iter(f"{SVG}text"))
            placed.append((text_y(lines[0]), " ".join("".join(t.itertext()) for t in lines)))
    return [text for _, text in sorted(placed)]


def test_the_same_ratings_give_byte_identical_svg(pilot: Figure) -> None:
    assert likert_chart(PILOT.copy(), FIVE, k=5).svg == pilot.svg


def test_statements_are_drawn_and_tabled_from_most_to_least_agreement(pilot: Figure) -> None:
    figure = pilot
    expected = ["Sessions started on time.", "The group felt safe.", "I understood what the sessions were for."]
    assert group_texts(figure.svg, r"ytick_\d+") == expected
    assert [row[0] for row in figure.table.rows][:3] == expected


def test_equal_agreement_puts_the_statement_with_less_disagreement_first() -> None:
    figure = likert_chart(items([("More doubt", [4, 0, 0, 3, 3]), ("Less doubt", [0, 2, 2, 3, 3])]), FIVE, k=5)
    assert [row[0] for row in figure.table.rows] == ["Less doubt", "More doubt"]


def test_every_drawn_statement_prints_its_n_and_its_agreement(pilot: Figure) -> None:
    figure = pilot
    assert group_texts(figure.svg, r"total-\d+") == ["89% agree n = 9", "74% agree n = 23", "25% agree n = 12"]


def test_a_withheld_statement_is_not_drawn_but_is_named_in_the_text_and_table(pilot: Figure) -> None:
    figure = pilot
    assert "tell a friend" not in figure.svg
    assert "1 statement that fewer than 5 people answered" in " ".join(texts(parse(figure.svg)))
    assert (
        "Withheld because fewer than 5 people answered: \u201cI would tell a friend about the group.\u201d"
        in figure.description
    )
    assert "1 statement withheld" in figure.alt_text
    assert figure.table.rows[-1] == (
        "I would tell a friend about the group.",
        "withheld (fewer than 5)",
        *["withheld"] * 6,
    )


def test_a_statement_with_fewer_than_k_answers_that_was_not_suppressed_is_refused() -> None:
    with pytest.raises(ValueError, match=r"only 4 people answered, fewer than k = 5, but it is not marked suppressed"):
        likert_chart(items([("Too few", [1, 1, 1, 1, 0])]), FIVE, k=5)


def test_counts_that_do_not_add_up_to_n_are_refused() -> None:
    frame = items([("Odd", [1, 2, 3, 4, 5])])
    frame["n"] = pd.array([16], dtype="Int64")
    with pytest.raises(ValueError, match=r"statement 'Odd': n is 16 but its counts add up to 15"):
        likert_chart(frame, FIVE, k=5)


def test_a_missing_count_column_is_named() -> None:
    frame = items([("Fine", [1, 2, 3, 4, 5])]).drop(columns=["Agree"])
    with pytest.raises(ValueError, match=r"the rating chart needs the columns Agree;"):
        likert_chart(frame, FIVE, k=5)


def test_text_and_marks_meet_the_contrast_floors(pilot: Figure) -> None:
    assert assert_contrast_floors(pilot.svg) > 20
    even = items([("A", [9, 1, 0, 10]), ("B", [2, 8, 8, 2])], FOUR)
    assert assert_contrast_floors(likert_chart(even, FOUR, k=5).svg) > 20


def test_segments_wide_enough_are_labelled_with_their_percentage_in_a_readable_colour() -> None:
    figure = likert_chart(items([("Safe", [1, 2, 3, 9, 8])]), FIVE, k=5)
    by_id = groups(parse(figure.svg))
    labels = {name: "".join(g.itertext()).strip() for name, g in by_id.items() if name.startswith("label-")}
    assert labels == {"label-0-3": "39%", "label-0-4": "35%"}  # 4%, 9% and 13% are too narrow to hold text
    for position in range(5):
        assert f"segment-0-{position}" in by_id
    for name in labels:
        fill = re.search(r"fill: (#[0-9a-f]{6})", "".join(t.get("style", "") for t in by_id[name].iter(f"{SVG}text")))
        assert fill is not None
        segment_colour = diverging(5)[int(name[-1])]
        assert contrast_ratio(fill.group(1), segment_colour) >= TEXT_CONTRAST


def segment_span(svg: str, name: str) -> tuple[float, float]:
    path = next(groups(parse(svg))[name].iter(f"{SVG}path"))
    xs = [float(x) for x in re.findall(r"([-\d.]+) [-\d.]+", path.get("d", ""))]
    return min(xs), max(xs)


def test_the_neutral_segment_straddles_the_zero_line_half_on_each_side() -> None:
    svg = likert_chart(items([("Mixed", [2, 2, 4, 6, 6])]), FIVE, k=5).svg
    zero = segment_span(svg, "zero-line")[0]
    left, right = segment_span(svg, "segment-0-2")
    assert left < zero < right
    assert (left + right) / 2 == pytest.approx(zero, abs=0.01)
    assert segment_span(svg, "segment-0-1")[1] == pytest.approx(left, abs=0.01)
    assert segment_span(svg, "segment-0-3")[0] == pytest.approx(right, abs=0.01)


def test_an_even_scale_meets_at_the_zero_line_with_no_neutral() -> None:
    figure = likert_chart(items([("Split", [2, 3, 4, 1])], FOUR), FOUR, k=5)
    zero = segment_span(figure.svg, "zero-line")[0]
    assert segment_span(figure.svg, "segment-0-1")[1] == pytest.approx(zero, abs=0.01)
    assert segment_span(figure.svg, "segment-0-2")[0] == pytest.approx(zero, abs=0.01)
    assert "neither" not in figure.description
    assert figure.table.rows[0] == ("Split", "10", "2 (20%)", "3 (30%)", "4 (40%)", "1 (10%)", "50%")


def test_the_table_holds_counts_and_percentages_rounded_from_them(pilot: Figure) -> None:
    figure = pilot
    assert figure.table.columns == ("Statement", "People who answered", *FIVE, "Agreed")
    for row in figure.table.rows[:3]:
        counts = [int(cell.split()[0]) for cell in row[2:7]]
        shares = [int(cell.split("(")[1].rstrip("%)")) for cell in row[2:7]]
        assert sum(counts) == int(row[1])
        assert shares == [round(100 * c / sum(counts)) for c in counts]
        assert row[7] == f"{round(100 * (counts[3] + counts[4]) / sum(counts))}%"


def test_equal_counts_read_the_same_and_totals_are_rounded_from_the_counts() -> None:
    figure = likert_chart(items([("Half", [1, 1, 1, 1, 2])]), FIVE, k=5)
    assert figure.table.rows[0] == ("Half", "6", "1 (17%)", "1 (17%)", "1 (17%)", "1 (17%)", "2 (33%)", "50%")
    assert group_texts(figure.svg, r"total-\d+") == ["50% agree n = 6"]


def test_the_text_alternative_and_description_are_written_from_the_data(pilot: Figure) -> None:
    figure = pilot
    assert figure.alt_text == (
        "Diverging bar chart of how people rated 3 statements, sorted by share agreeing, "
        "from 89% to 25% agreeing; 1 statement withheld."
    )
    assert "Most agreed with \u201cSessions started on time.\u201d (89% of 9 people)." in figure.description
    assert (
        "The lowest agreement was with \u201cI understood what the sessions were for.\u201d (25% of 12 people)."
        in figure.description
    )
    other = likert_chart(
        items([("The group felt safe.", [0, 0, 0, 5, 5]), ("Sessions started on time.", [5, 0, 0, 0, 5])]), FIVE, k=5
    )
    assert other.alt_text != figure.alt_text
    assert other.description != figure.description
    assert "Most agreed with \u201cThe group felt safe.\u201d (100% of 10 people)." in other.description


def test_when_every_statement_is_withheld_the_chart_says_so_and_draws_no_bars() -> None:
    figure = likert_chart(items([("One", None), ("Two", None)]), FIVE, k=10)
    assert "segment-" not in figure.svg
    assert "No statement can be shown: fewer than 10 people answered each one." in texts(parse(figure.svg))
    assert figure.alt_text == "Rating chart with no bars: all 2 statements withheld because too few people answered."
    assert "One" not in figure.svg


@pytest.mark.parametrize("scale", [("Bad", "Good"), tuple(f"p{i}" for i in range(8))])
def test_a_scale_the_palette_cannot_colour_is_refused(scale: tuple[str, ...]) -> None:
    frame = items([("x", [5] * len(scale))], scale)
    with pytest.raises(ValueError, match="scales of 3 to 7 points"):
        likert_chart(frame, scale, k=5)


def test_the_program_team_guide_quotes_the_withheld_note_as_the_chart_prints_it(pilot: Figure) -> None:
    guide = (REPOSITORY / "docs" / "reading-the-charts.md").read_text("utf-8")
    note = next(t for t in texts(parse(pilot.svg)) if t.startswith("Not shown:"))
    assert note.removesuffix(" (see the table).") in guide
    assert pilot.table.rows[-1][1] in guide


def test_counts_of_a_suppressed_statement_never_reach_the_chart_text_or_table() -> None:
    frame = items([("Shown", [5, 5, 5, 5, 5]), ("Hidden", [0, 0, 1, 0, 2])])
    frame.loc[1, "suppressed"] = True
    figure = likert_chart(frame, FIVE, k=5)
    assert "Hidden" not in figure.svg
    assert figure.table.rows[1] == ("Hidden", "withheld (fewer than 5)", *["withheld"] * 6)
    hidden_part = figure.description.split("Withheld because")[1]
    assert not any(char.isdigit() for char in hidden_part.replace("fewer than 5", ""))
    assert len(groups(parse(figure.svg)).keys() & {f"segment-1-{p}" for p in range(5)}) == 0


def test_counts_given_as_numpy_integers_in_an_object_column_are_accepted() -> None:
    frame = items([("Mixed types", [1, 2, 3, 4, 5])]).astype({"Agree": "object"})
    frame.loc[0, "Agree"] = np.int64(4)
    assert likert_chart(frame, FIVE, k=5).table.rows[0][5] == "4 (27%)"


@pytest.mark.parametrize("bad", [-1, 2.5, None])
def test_a_count_that_is_not_a_whole_number_of_people_is_refused(bad: float | None) -> None:
    frame = items([("Odd", [1, 2, 3, 4, 5])]).astype({"Agree": "object"})
    frame.loc[0, "Agree"] = pd.NA if bad is None else bad
    with pytest.raises(ValueError, match=r"statement 'Odd': the count for 'Agree' must be a whole number of 0 or more"):
        likert_chart(frame, FIVE, k=5)
