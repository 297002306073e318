"""Implementation outcomes: scores, concern distributions, reach and rating groupings, all suppressed."""

from __future__ import annotations

import pandas as pd

from analysis.implementation_outcomes import (
    block_summary,
    guard_rating_summary,
    rating_distributions,
    reach,
    score_summary,
)
from analysis.likert import summarise_ratings
from analysis.predictions import Measure
from tests.analysis.test_predictions import answers

AIM = Measure("s.aim", "staff-survey", ("a1", "a2"), "Acceptability (AIM)", 5, is_score=True)
LEVELS = ("Not a concern", "Sometimes a concern", "Very much a concern")
AGREE5 = ("Strongly disagree", "Disagree", "Neither", "Agree", "Strongly agree")


def rated(item: str, values: list[int], start: int = 0) -> list[tuple[str, str, int]]:
    return [(f"r-{start + n:016x}", item, v) for n, v in enumerate(values)]


def test_a_score_gives_mean_n_and_bands_with_small_bands_withheld() -> None:
    # 6 people: one scores 2.5 (under 3), five score 4.5 (4 or more).
    rows = rated("a1", [2, 4, 4, 4, 4, 4]) + rated("a2", [3, 5, 5, 5, 5, 5])
    summary = score_summary(answers(rows), AIM, "acceptability", k=5)
    assert summary.n == 6
    assert summary.mean == (2.5 + 5 * 4.5) / 6
    assert summary.bands is not None
    bands = summary.bands.iloc[0]
    assert pd.isna(bands["under 3"])  # 1 person: withheld
    assert bands["3 to under 4"] == 0  # zeros are shown
    assert pd.isna(bands["4 or more"])  # 5, withheld too: with the total it would give the 1 away
    assert bands["Total"] == 6
    assert summary.withheld == 2


def test_a_score_from_fewer_than_k_people_shows_nothing() -> None:
    rows = rated("a1", [4, 4, 4, 4]) + rated("a2", [5, 5, 5, 5])
    summary = score_summary(answers(rows), AIM, "acceptability", k=5)
    assert (summary.n, summary.mean, summary.bands) == (None, None, None)


def test_concerns_are_distributions_and_a_mean_only_where_no_count_is_withheld() -> None:
    rows = rated("c1", [1] * 6 + [2] * 5) + rated("c2", [1, 1, 1, 2, 2]) + rated("c3", [1, 2, 3, 3])
    block = block_summary(answers(rows), "staff-survey", ["c1", "c2", "c3"], LEVELS, k=5)
    table = block.table.set_index("item_id")
    assert [table.loc["c1", column] for column in ("n", *LEVELS)] == [11, 6, 5, 0]
    assert table.loc["c1", "mean"] == 16 / 11
    assert table.loc["c2", "n"] == 5 and table.loc["c2", "Very much a concern"] == 0
    assert pd.isna(table.loc["c2", "Not a concern"]) and pd.isna(table.loc["c2", "Sometimes a concern"])
    assert pd.isna(table.loc["c2", "mean"])  # 1.4 with n = 5 would give 3 and 2 away
    assert table.loc["c3"].isna().all()  # 4 people: nothing, not even n
    assert block.withheld == 2 + 1 + 5


def test_ratings_are_grouped_into_three_only_when_the_full_scale_would_withhold_counts() -> None:
    fine = rated("q1", [1] * 5 + [2] * 5 + [3] * 5 + [4] * 5 + [5] * 5)
    assert rating_distributions(answers(fine), "staff-survey", ["q1"], AGREE5, k=5).grouping == "full"
    lumpy = rated("q1", [1] * 2 + [2] * 4 + [3] * 6 + [4] * 7 + [5] * 8)
    distribution = rating_distributions(answers(lumpy), "staff-survey", ["q1"], AGREE5, k=5)
    assert distribution.grouping == "three"
    row = distribution.table.iloc[0]
    assert [row[level] for level in distribution.levels] == [6, 6, 15]
    assert distribution.levels[0] == "Strongly disagree or Disagree"


def test_an_item_not_shown_in_full_shows_no_counts_at_all() -> None:
    rows = rated("q1", [1] + [4] * 10 + [5] * 10) + rated("q2", [3] * 10 + [4] * 10, start=100)
    distribution = rating_distributions(answers(rows), "staff-survey", ["q1", "q2"], AGREE5, k=5)
    q1 = distribution.table.set_index("item_id").loc["q1"]
    assert bool(q1["partly_withheld"]) and q1["n"] == 21
    assert all(pd.isna(q1[level]) for level in distribution.levels)


def test_the_rating_summary_loses_shares_that_reveal_a_few_people() -> None:
    rows = rated("q1", [5] * 7 + [1]) + rated("q2", [5] * 5 + [1] * 5, start=100)
    summary = summarise_ratings(answers(rows), {"q1": 5, "q2": 5}, k=5)
    guarded = guard_rating_summary(summary, 5, partly_withheld={"q2"}).set_index("item_id")
    assert pd.isna(guarded.loc["q1", "agree_share"])  # 7 of 8 agree: 1 person did not
    assert guarded.loc["q1", "mean"] == 4.5
    assert guarded.loc["q2", "agree_share"] == 0.5
    assert pd.isna(guarded.loc["q2", "mean"])


def test_reach_counts_answers_and_sessions_per_group_and_withholds_small_groups() -> None:
    groups = ["Grief"] * 6 + ["Family"] * 3
    tokens = [f"r-{n:016x}" for n in range(9)]
    choices = pd.DataFrame(
        {"respondent_token": tokens, "instrument_id": "pf", "cycle_id": "c", "item_id": "group", "choice": groups}
    )
    dates = ["2026-01-01"] * 3 + ["2026-01-08"] * 3 + ["2026-01-01"] * 3
    comments = pd.DataFrame(
        {"respondent_token": tokens, "instrument_id": "pf", "cycle_id": "c", "item_id": "session", "text": dates}
    )
    found = reach(choices, comments, "pf", "group", "session", k=5).table.set_index("group")
    assert pd.isna(found.loc["Family", "responses"]) and pd.isna(found.loc["Grief", "responses"])
    assert found.loc["Total", "responses"] == 9
    assert found.loc["Grief", "sessions"] == 2 and found.loc["Family", "sessions"] == 1


def test_a_small_group_that_all_gave_one_answer_shows_no_counts_a_larger_one_does() -> None:
    rows = rated("c1", [2] * 5) + rated("c2", [2] * 10, start=100) + rated("c3", [1] * 9, start=200)
    block = block_summary(answers(rows), "staff-survey", ["c1", "c2", "c3"], LEVELS, k=5)
    table = block.table.set_index("item_id")
    # 5 colleagues who all said "sometimes": 0 / 5 / 0 would tell each one's answer.
    assert table.loc["c1", "n"] == 5
    assert all(pd.isna(table.loc["c1", level]) for level in LEVELS) and pd.isna(table.loc["c1", "mean"])
    assert all(pd.isna(table.loc["c3", level]) for level in LEVELS) and pd.isna(table.loc["c3", "mean"])
    # From 10 people (2k) on, one answer shared by all is shown.
    assert [table.loc["c2", column] for column in ("n", *LEVELS)] == [10, 0, 10, 0]
    assert table.loc["c2", "mean"] == 2.0


def test_the_bands_of_a_score_all_in_one_band_are_withheld_but_its_mean_is_shown() -> None:
    rows = rated("a1", [4, 4, 5, 4, 4, 5, 4]) + rated("a2", [5, 4, 5, 5, 4, 5, 4])
    summary = score_summary(answers(rows), AIM, "acceptability", k=5)
    assert (summary.n, summary.withheld) == (7, 3)
    assert summary.mean == (4.5 + 4 + 5 + 4.5 + 4 + 5 + 4) / 7
    assert summary.bands is not None
    bands = summary.bands.iloc[0]
    assert all(pd.isna(bands[band]) for band in ("under 3", "3 to under 4", "4 or more"))
    assert bands["Total"] == 7
