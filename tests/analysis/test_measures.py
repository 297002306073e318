"""Measures over time: one point per group session, withheld below k, charted against the first cycle."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import pytest

from analysis.measures import (
    CHART_COLUMNS,
    SessionCharts,
    SessionDesign,
    chart_sessions,
    measures_over_time,
    session_design,
    session_points,
)
from instruments.errors import DefinitionError, InsufficientData
from instruments.evaluation import Evaluation
from instruments.load import load_evaluation
from tests.conftest import REPOSITORY
from validation.intake import accept

PILOT3 = REPOSITORY / "examples" / "psw-pilot-3"
FEEDBACK = "participant-feedback"
CYCLES = ("cycle-1", "cycle-2", "cycle-3")
PILOT_FILES = {
    "cycle-1": "Participant feedback after group_April+1,+2026_08.12.csv",
    "cycle-2": "Participant feedback - cycle 2.csv",
    "cycle-3": "Participant_feedback_-_all_versions_-_labels_-_2026-08-28-10-41-07.csv",
}
GRIEF, BEREAVEMENT, FAMILY = "Grief group", "Suicide bereavement group", "Family support group"
Answer = tuple[str, str, str, str, Mapping[str, int]]
"""(respondent, cycle, group, session, {item: value}) of one hand-made response."""


@pytest.fixture(scope="module")
def evaluation() -> Evaluation:
    return load_evaluation(PILOT3 / "evaluation.yaml")


@pytest.fixture(scope="module")
def design(evaluation: Evaluation) -> SessionDesign:
    return session_design(evaluation, FEEDBACK, ["pf_safe", "pf_peer_helped", "pf_roles_clear"])


def pilot_tables(evaluation: Evaluation) -> dict[str, pd.DataFrame]:
    """The three cycles' participant-feedback files, accepted as ingest accepts them (no Prefect)."""
    salt = evaluation.privacy.token_salt
    assert salt is not None
    tables: dict[str, list[pd.DataFrame]] = {}
    for cycle_id, name in PILOT_FILES.items():
        data = (PILOT3 / "inbox" / cycle_id / name).read_bytes()
        intake = accept(data, name, hashlib.sha256(data).hexdigest()[:12], evaluation, cycle_id, salt)
        for table, frame in intake.tables.items():
            tables.setdefault(table, []).append(frame)
    return {table: pd.concat(frames, ignore_index=True) for table, frames in tables.items()}


@pytest.fixture(scope="module")
def pilot(evaluation: Evaluation) -> dict[str, pd.DataFrame]:
    return pilot_tables(evaluation)


@pytest.fixture(scope="module")
def pilot_charts(pilot: dict[str, pd.DataFrame], design: SessionDesign) -> SessionCharts:
    return measures_over_time(
        pilot["survey_responses"], pilot["survey_choices"], pilot["survey_comments"], design, CYCLES, k=5
    )


def tables_of(
    answers: Sequence[Answer], *, session_item: str = "pf_session"
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Survey tables (as the contracts define them) from hand-made answers."""
    ratings, choices, comments = [], [], []
    for token, cycle, group, session, values in answers:
        base = {"respondent_token": token, "instrument_id": FEEDBACK, "cycle_id": cycle}
        if group:
            choices.append({**base, "item_id": "pf_group", "choice": group})
        if session:
            comments.append({**base, "item_id": session_item, "text": session})
        ratings += [{**base, "item_id": item, "value": value} for item, value in values.items()]
    return pd.DataFrame(ratings), pd.DataFrame(choices), pd.DataFrame(comments)


def session_of(
    cycle: str, group: str, session: str, values: Sequence[int], item: str = "pf_safe", start: int = 0
) -> list[Answer]:
    return [
        (f"{cycle}-{session}-{group[:3]}-{start + i}", cycle, group, session, {item: v}) for i, v in enumerate(values)
    ]


def test_each_group_session_becomes_one_point_in_date_order_across_cycles(design: SessionDesign) -> None:
    answers = [
        *session_of("cycle-2", GRIEF, "2026-04-14", [5, 5, 4, 4, 3]),
        *session_of("cycle-1", GRIEF, "2026-02-03", [2, 3, 4, 4, 4, 5]),
        *session_of("cycle-1", GRIEF, "2026-01-27", [1, 2, 3, 4, 5]),
        *session_of("cycle-2", BEREAVEMENT, "2026-04-16", [4, 4, 4, 4, 4]),
    ]
    points, unplaced = session_points(*tables_of(answers), design, CYCLES, k=5)
    safe = points[points["item_id"] == "pf_safe"]
    assert list(zip(safe["group"], safe["session"], strict=True)) == [
        (GRIEF, "2026-01-27"),
        (GRIEF, "2026-02-03"),
        (GRIEF, "2026-04-14"),
        (BEREAVEMENT, "2026-04-16"),
    ]
    assert safe["n"].tolist() == [5, 6, 5, 5]
    assert safe["mean"].tolist() == pytest.approx([3.0, 22 / 6, 4.2, 4.0])
    # 2 of 5, 4 of 6 and 4 of 5 agreeing would each reveal fewer than 5 people; 5 of 5 does not.
    assert safe["agree_share"].isna().tolist() == [True, True, True, False]
    assert safe["agree_share"].iloc[3] == 1.0
    assert safe["cycle_id"].tolist() == ["cycle-1", "cycle-1", "cycle-2", "cycle-2"]
    assert unplaced == 0


def test_only_the_cycles_asked_for_are_used(design: SessionDesign) -> None:
    answers = [
        *session_of("cycle-1", GRIEF, "2026-01-27", [1, 2, 3, 4, 5]),
        *session_of("cycle-2", GRIEF, "2026-04-14", [5, 5, 4, 4, 3]),
    ]
    points, _ = session_points(*tables_of(answers), design, ["cycle-1"], k=5)
    assert set(points["cycle_id"]) == {"cycle-1"}


def test_a_session_answered_by_fewer_than_k_is_withheld_with_no_count_mean_or_share(design: SessionDesign) -> None:
    answers = [
        *session_of("cycle-1", GRIEF, "2026-01-27", [1, 1, 1, 2]),
        *session_of("cycle-1", GRIEF, "2026-02-03", [4, 4, 4, 4, 4, 4, 4]),
        *session_of("cycle-1", GRIEF, "2026-02-10", [3, 3, 3, 3, 3]),
    ]
    points, _ = session_points(*tables_of(answers), design, CYCLES, k=5)
    safe = points[points["item_id"] == "pf_safe"].set_index("session")
    assert safe.loc["2026-01-27", "withheld"]
    assert pd.isna(safe.loc["2026-01-27", "n"])
    assert math.isnan(safe.loc["2026-01-27", "mean"]) and math.isnan(safe.loc["2026-01-27", "agree_share"])
    assert safe.loc["2026-01-27", "withheld_reason"] == "fewer than 5"


def test_a_lone_withheld_session_gets_a_complement_so_cycle_totals_cannot_reveal_it(design: SessionDesign) -> None:
    answers = [
        *session_of("cycle-1", GRIEF, "2026-01-27", [1, 1, 1, 2]),
        *session_of("cycle-1", GRIEF, "2026-02-03", [4, 4, 4, 4, 4, 4, 4]),
        *session_of("cycle-1", GRIEF, "2026-02-10", [3, 3, 3, 3, 3, 3]),
        *session_of("cycle-1", GRIEF, "2026-02-17", [5, 5, 5, 5, 5, 5]),
        *session_of("cycle-1", BEREAVEMENT, "2026-02-19", [2, 2, 2, 2, 2]),
    ]
    points, _ = session_points(*tables_of(answers), design, CYCLES, k=5)
    safe = points[points["item_id"] == "pf_safe"].set_index("session")
    # The smallest other session of the same group and cycle (6 answers; the earlier of the two).
    assert safe["withheld"].to_dict() == {
        "2026-01-27": True,
        "2026-02-03": False,
        "2026-02-10": True,
        "2026-02-17": False,
        "2026-02-19": False,
    }
    assert safe.loc["2026-02-10", "withheld_reason"] == "complementary"
    assert pd.isna(safe.loc["2026-02-10", "n"]) and math.isnan(safe.loc["2026-02-10", "mean"])


def test_withheld_sessions_that_together_cover_k_people_need_no_complement(design: SessionDesign) -> None:
    answers = [
        *session_of("cycle-1", GRIEF, "2026-01-27", [1, 1, 1]),
        *session_of("cycle-1", GRIEF, "2026-02-03", [4, 4, 4]),
        *session_of("cycle-1", GRIEF, "2026-02-10", [3, 3, 3, 3, 3, 3]),
    ]
    points, _ = session_points(*tables_of(answers), design, CYCLES, k=5)
    safe = points[points["item_id"] == "pf_safe"]
    assert safe["withheld"].tolist() == [True, True, False]
    assert "complementary" not in set(safe["withheld_reason"])


def test_a_session_without_answers_to_a_measure_is_withheld_not_dropped(design: SessionDesign) -> None:
    answers = session_of("cycle-1", GRIEF, "2026-01-27", [4, 4, 4, 4, 4])
    points, _ = session_points(*tables_of(answers), design, CYCLES, k=5)
    helped = points[points["item_id"] == "pf_peer_helped"]
    assert helped["withheld"].tolist() == [True] and pd.isna(helped["n"].iloc[0])


def test_respondents_without_a_group_or_a_session_are_counted_and_left_out(design: SessionDesign) -> None:
    answers = [
        *session_of("cycle-1", GRIEF, "2026-01-27", [4, 4, 4, 4, 4]),
        ("lost-1", "cycle-1", "", "2026-01-27", {"pf_safe": 1}),
        ("lost-2", "cycle-1", GRIEF, "", {"pf_safe": 1}),
    ]
    points, unplaced = session_points(*tables_of(answers), design, CYCLES, k=5)
    assert unplaced == 2
    assert points.loc[points["item_id"] == "pf_safe", "mean"].tolist() == [4.0]


def test_a_session_answer_that_is_not_a_date_is_named_with_what_to_do(design: SessionDesign) -> None:
    answers = [
        *session_of("cycle-2", GRIEF, "2026-04-14", [4, 4, 4, 4, 4]),
        *session_of("cycle-2", GRIEF, "14/04/2026", [4, 4], start=10),
    ]
    with pytest.raises(InsufficientData) as caught:
        session_points(*tables_of(answers), design, CYCLES, k=5)
    assert str(caught.value) == (
        "participant-feedback, item pf_session, cycle-2: 2 of 7 answers to the session item are not dates "
        "written as YYYY-MM-DD (for example 2026-03-03), so their sessions cannot be put in time order.\n"
        "What to do: Make the survey link fill in the session date as YYYY-MM-DD, correct the session column "
        "of the export, and ingest the file again."
    )
    assert "14/04/2026" not in str(caught.value)


def test_a_cycle_with_ratings_but_no_session_answers_names_the_session_item(design: SessionDesign) -> None:
    answers = session_of("cycle-1", GRIEF, "2026-01-27", [4, 4, 4, 4, 4])
    ratings, choices, comments = tables_of(answers, session_item="pf_better")
    with pytest.raises(InsufficientData, match=r"^participant-feedback, item pf_session, cycle-1: no response"):
        session_points(ratings, choices, comments, design, CYCLES, k=5)


def test_group_and_session_items_are_found_in_the_evaluation(evaluation: Evaluation) -> None:
    found = session_design(evaluation, FEEDBACK, ["pf_safe"])
    assert (found.group_item, found.session_item) == ("pf_group", "pf_session")
    assert found.groups == (GRIEF, BEREAVEMENT, FAMILY)
    assert found.scale_points == (5,)


def test_a_survey_without_a_session_item_is_a_definition_error(evaluation: Evaluation) -> None:
    instrument = evaluation.instrument(FEEDBACK)
    without = instrument.model_copy(update={"items": tuple(i for i in instrument.items if i.id != "pf_session")})
    changed = evaluation.model_copy(
        update={"instruments": tuple(without if i.id == FEEDBACK else i for i in evaluation.instruments)}
    )
    with pytest.raises(DefinitionError) as caught:
        session_design(changed, FEEDBACK, ["pf_safe"])
    assert caught.value.where == "evaluation, instrument participant-feedback"
    assert "no session item" in caught.value.problem
    assert "YYYY-MM-DD" in caught.value.action


def test_a_measure_that_is_not_a_rating_item_is_a_definition_error(evaluation: Evaluation) -> None:
    with pytest.raises(DefinitionError, match="'pf_better' is not one of its rating items"):
        session_design(evaluation, FEEDBACK, ["pf_better"])


def _series(values: Sequence[float | None], cycles: Sequence[str]) -> pd.DataFrame:
    rows = []
    for i, (value, cycle) in enumerate(zip(values, cycles, strict=True)):
        rows.append(
            {
                "item_id": "pf_safe",
                "group": GRIEF,
                "cycle_id": cycle,
                "session": f"s{i:02d}",
                "session_date": pd.Timestamp("2026-01-05").date() + pd.Timedelta(days=7 * i),
                "n": pd.NA if value is None else 6,
                "mean": np.nan if value is None else value,
                "agree_share": np.nan if value is None else 0.5,
                "withheld": value is None,
                "withheld_reason": "fewer than 5" if value is None else "",
            }
        )
    frame = pd.DataFrame(rows)
    frame["n"] = frame["n"].astype("Int64")
    return frame


def test_the_centre_line_is_the_median_of_the_first_cycle_and_boundaries_follow_the_cycles() -> None:
    values = [3.0, 4.0, 3.2, 3.9, 3.1, 4.1, 4.4, 4.6, 4.5, 4.8, 4.4, 4.7]
    cycles = ["cycle-1"] * 6 + ["cycle-2"] * 6
    charts = chart_sessions(_series(values, cycles), CYCLES)
    part = charts.parts.iloc[0]
    assert part["centre_line"] == pytest.approx(float(np.median(values[:6])))
    assert (part["first"], part["last"], part["baseline_last"]) == (1, 12, 6)
    assert charts.points["position"].tolist() == list(range(1, 13))
    assert list(charts.points.columns) == CHART_COLUMNS


def test_the_points_of_a_run_longer_than_its_limit_are_marked_as_the_signal() -> None:
    values: list[float | None] = [3.0, 4.0, 3.0, 4.0, 3.0, 4.0, *([4.5, 4.0] * 4)]
    cycles = ["cycle-1"] * 6 + ["cycle-2"] * 8
    charts = chart_sessions(_series(values, cycles), CYCLES)
    part = charts.parts.iloc[0]
    # Independently: median 3.5 of the first 6; 14 useful points; the last run is points 6-14.
    assert part["centre_line"] == 3.5 and part["n_useful"] == 14
    assert bool(part["rules_applied"]) and bool(part["long_run"])
    assert round(math.log2(14)) + 3 == 7 < 9
    assert charts.points["signal"].tolist() == [False] * 5 + [True] * 9


def test_a_withheld_point_is_a_gap_that_neither_breaks_nor_extends_a_run() -> None:
    values: list[float | None] = [3.0, 4.0, 3.0, 4.0, 3.0, 4.0, 4.5, None, 4.5, 4.5, 4.5, 4.5, 4.5, 4.5]
    charts = chart_sessions(_series(values, ["cycle-1"] * 6 + ["cycle-2"] * 8), CYCLES)
    assert charts.parts.iloc[0]["n_useful"] == 13
    assert charts.points["signal"].tolist() == [False] * 5 + [True] * 2 + [False] + [True] * 6


def test_fewer_than_10_useful_points_leave_the_rules_unapplied_and_mark_nothing() -> None:
    values: list[float | None] = [3.0, 3.0, 3.0, 3.0, 3.0, 4.0, 4.0, 4.0, 4.0]
    charts = chart_sessions(_series(values, ["cycle-1"] * 9), CYCLES)
    part = charts.parts.iloc[0]
    assert not part["rules_applied"] and not part["long_run"] and not part["few_crossings"]
    assert not charts.points["signal"].any()


def test_a_series_with_every_point_withheld_gets_no_centre_line() -> None:
    charts = chart_sessions(_series([None, None, None], ["cycle-1"] * 3), CYCLES)
    assert charts.parts.empty
    assert charts.points["centre_line"].isna().all() and charts.withheld == 3


# --- The bundled three-cycle pilot ----------------------------------------------------------------


def plain_session_means(pilot: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Per item, group, cycle and session: n and mean, computed with nothing but pandas merges."""
    groups = pilot["survey_choices"].query("item_id == 'pf_group'")[["cycle_id", "respondent_token", "choice"]]
    sessions = pilot["survey_comments"].query("item_id == 'pf_session'")[["cycle_id", "respondent_token", "text"]]
    ratings = pilot["survey_responses"].query("instrument_id == @FEEDBACK")
    merged = ratings.merge(groups, on=["cycle_id", "respondent_token"]).merge(
        sessions, on=["cycle_id", "respondent_token"]
    )
    return (
        merged.groupby(["item_id", "choice", "cycle_id", "text"])["value"]
        .agg(["count", "mean"])
        .reset_index()
        .rename(columns={"choice": "group", "text": "session"})
    )


def test_the_pilot_sessions_survive_ingest_as_dates_one_per_session(pilot: Mapping[str, pd.DataFrame]) -> None:
    sessions = pilot["survey_comments"].query("item_id == 'pf_session'")["text"]
    assert sessions.str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()
    plain = plain_session_means(pilot).query("item_id == 'pf_safe'")
    assert plain.groupby("group").size().to_dict() == {GRIEF: 30, BEREAVEMENT: 18, FAMILY: 10}


def test_the_pilot_points_are_the_plain_session_means(
    pilot: Mapping[str, pd.DataFrame], pilot_charts: SessionCharts
) -> None:
    plain = plain_session_means(pilot)
    ours = pilot_charts.points.merge(plain, on=["item_id", "group", "cycle_id", "session"], how="left")
    shown = ours[~ours["withheld"]]
    assert len(ours) == 3 * 58 and shown["count"].min() >= 5
    assert shown["n"].astype(int).tolist() == shown["count"].astype(int).tolist()
    assert shown["mean_x"].to_numpy() == pytest.approx(shown["mean_y"].to_numpy())
    small = ours[ours["count"] < 5]
    assert len(small) >= 1 and small["withheld"].all()


def test_the_pilot_withholds_the_small_grief_session_and_one_complement_in_its_cycle(
    pilot: Mapping[str, pd.DataFrame], pilot_charts: SessionCharts
) -> None:
    plain = plain_session_means(pilot)
    small = plain[plain["count"] < 5]
    withheld = pilot_charts.points[pilot_charts.points["withheld"]]
    for row in small.itertuples():
        same = withheld[
            (withheld["item_id"] == row.item_id)
            & (withheld["group"] == row.group)
            & (withheld["cycle_id"] == row.cycle_id)
        ]
        assert row.session in set(same["session"])
        counted = plain[
            (plain["item_id"] == row.item_id)
            & (plain["group"] == row.group)
            & (plain["cycle_id"] == row.cycle_id)
            & plain["session"].isin(same["session"])
        ]["count"].sum()
        assert counted >= 5, "the withheld sessions of a cycle cover at least k people together"
    assert pilot_charts.withheld == 2 * len(small)


def blocks(values: Sequence[float], centre: float) -> list[tuple[int, list[int]]]:
    """Runs of points on one side of ``centre`` as (side, positions), found by hand; points on it skipped."""
    found: list[tuple[int, list[int]]] = []
    for position, value in enumerate(values, start=1):
        if value == centre:
            continue
        side = 1 if value > centre else -1
        if found and found[-1][0] == side:
            found[-1][1].append(position)
        else:
            found.append((side, [position]))
    return found


def anhoej(values: Sequence[float], centre: float) -> tuple[int, int, int]:
    """(useful points, longest run, crossings), counted by hand."""
    runs = blocks(values, centre)
    return sum(len(p) for _, p in runs), max(len(p) for _, p in runs), len(runs) - 1


def test_family_support_peer_helped_is_judged_on_its_own_ten_sessions(
    pilot: Mapping[str, pd.DataFrame], pilot_charts: SessionCharts
) -> None:
    plain = plain_session_means(pilot).query("item_id == 'pf_peer_helped' and group == @FAMILY")
    means = plain.sort_values("session")["mean"].tolist()
    assert np.mean(means[4:]) - np.mean(means[:4]) > 0.4, "the shift the pilot planted at session 5"
    centre = float(np.median(means))
    useful, longest, crossings = anhoej(means, centre)
    part = pilot_charts.parts.query("item_id == 'pf_peer_helped' and group == @FAMILY").iloc[0]
    assert part["centre_line"] == pytest.approx(centre)
    assert (part["n_useful"], part["baseline_last"]) == (useful, 10)
    assert bool(part["long_run"]) == (longest > round(math.log2(useful)) + 3)
    assert bool(part["few_crossings"]) == (crossings < 2)  # qbinom(0.05, 9, 0.5) = 2


def test_grief_roles_clear_shifts_above_its_cycle_1_baseline_after_the_adapt(
    pilot: Mapping[str, pd.DataFrame], pilot_charts: SessionCharts
) -> None:
    plain = plain_session_means(pilot).query("item_id == 'pf_roles_clear' and group == @GRIEF")
    plain = plain.sort_values("session")
    centre = float(np.median(plain.loc[plain["cycle_id"] == "cycle-1", "mean"]))
    useful, longest, _ = anhoej(plain["mean"].tolist(), centre)
    part = pilot_charts.parts.query("item_id == 'pf_roles_clear' and group == @GRIEF").iloc[0]
    assert part["centre_line"] == pytest.approx(centre) and part["baseline_last"] == 10
    assert longest > round(math.log2(useful)) + 3 and bool(part["long_run"])
    points = pilot_charts.points.query("item_id == 'pf_roles_clear' and group == @GRIEF")
    limit = round(math.log2(useful)) + 3
    signalled = {
        p for _, positions in blocks(plain["mean"].tolist(), centre) if len(positions) > limit for p in positions
    }
    expected = [position in signalled for position in range(1, len(plain) + 1)]
    assert points["signal"].tolist() == expected
    assert points.loc[points["cycle_id"] == "cycle-2", "signal"].all(), "the run covers the adapted cycle"


def test_charted_measures_are_the_predicted_rating_items_in_instrument_order() -> None:
    from analysis.measures import charted_measures
    from instruments.evaluation import Instrument

    instrument = Instrument.model_validate(
        {
            "id": "fb",
            "title": "Feedback",
            "kind": "survey",
            "respondents": ["participant"],
            "items": [
                {"id": "grp", "text": "Group?", "choices": ["A", "B"]},
                {"id": "safe", "short": "Felt safe", "text": "I felt safe.", "scale": "agree5"},
                {"id": "clear", "text": "Roles were clear.", "scale": "agree5"},
                {"id": "note", "text": "Anything else?"},
            ],
        }
    )
    assert charted_measures(instrument, ["fb.clear", "fb.safe", "other.safe"]) == {
        "safe": "Felt safe",
        "clear": "Roles were clear.",
    }
    assert charted_measures(instrument, ["fb.clear"]) == {"clear": "Roles were clear."}
    assert charted_measures(instrument, []) == {"safe": "Felt safe", "clear": "Roles were clear."}


def test_a_share_agreeing_that_reveals_fewer_than_k_people_is_withheld_though_its_session_is_shown(
    design: SessionDesign,
) -> None:
    answers = [
        *session_of("cycle-1", GRIEF, "2026-01-27", [4, 4, 4, 2, 2, 2, 2]),  # 3 agree, 4 do not
        *session_of("cycle-1", GRIEF, "2026-02-03", [4, 4, 4, 4, 4, 2, 2, 2, 2, 2]),  # 5 and 5
        *session_of("cycle-1", GRIEF, "2026-02-10", [3, 3, 3, 3, 3, 3]),  # nobody agrees: 0 and 6
    ]
    points, _ = session_points(*tables_of(answers), design, CYCLES, k=5)
    safe = points[points["item_id"] == "pf_safe"].set_index("session")
    assert not safe["withheld"].any()
    assert safe["n"].tolist() == [7, 10, 6]
    assert safe["mean"].tolist() == pytest.approx([20 / 7, 3.0, 3.0])
    assert pd.isna(safe.loc["2026-01-27", "agree_share"])
    assert safe.loc["2026-02-03", "agree_share"] == 0.5
    assert safe.loc["2026-02-10", "agree_share"] == 0.0


def test_a_session_that_got_late_answers_since_a_report_showed_it_is_withheld_with_a_complement(
    design: SessionDesign,
) -> None:
    answers = [
        *session_of("cycle-1", GRIEF, "2026-01-27", [4, 4, 4, 4, 4, 4, 4]),  # 7 now; a report showed 5
        *session_of("cycle-1", GRIEF, "2026-02-03", [3, 3, 3, 3, 3, 3]),
        *session_of("cycle-1", GRIEF, "2026-02-10", [5, 5, 5, 5, 5, 5, 5, 5]),
        *session_of("cycle-1", GRIEF, "2026-02-17", [2, 2, 2, 2, 2, 2, 2, 2, 2, 2]),  # 10; a report showed 5
    ]
    published = pd.DataFrame(
        {
            "item_id": ["pf_safe", "pf_safe", "pf_safe", "pf_safe"],
            "group": [GRIEF] * 4,
            "session": ["2026-01-27", "2026-01-27", "2026-02-03", "2026-02-17"],
            "n": [5, pd.NA, 6, 5],  # the first session, shown by one report and withheld by another
        }
    )
    points, _ = session_points(*tables_of(answers), design, CYCLES, k=5, published=published)
    safe = points[points["item_id"] == "pf_safe"].set_index("session")
    assert safe.loc["2026-01-27", "withheld_reason"] == "changed since published"  # 2 late answers
    # 5 more answers (k) may be shown; an unchanged session too; the smallest other one protects the first.
    assert safe["withheld"].to_dict() == {
        "2026-01-27": True,
        "2026-02-03": True,
        "2026-02-10": False,
        "2026-02-17": False,
    }
    assert safe.loc["2026-02-03", "withheld_reason"] == "complementary"
    unchanged, _ = session_points(*tables_of(answers), design, CYCLES, k=5, published=published.iloc[2:3])
    assert not unchanged.loc[unchanged["item_id"] == "pf_safe", "withheld"].any()
