"""Predictions against results: measures computed by hand on small tables, and withheld when small."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analysis.predictions import Measure, Observation, check_predictions, judge, observe, respondent_scores
from instruments.cycle_records import load_cycle_records
from tests.conftest import REPOSITORY

FIM = Measure("staff-survey.fim", "staff-survey", ("f1", "f2"), "Feasibility (FIM)", 5, is_score=True)
ITEM = Measure("staff-survey.f1", "staff-survey", ("f1",), "f1", 5)


def answers(rows: list[tuple[str, str, int]], instrument: str = "staff-survey") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "respondent_token": [r for r, _, _ in rows],
            "instrument_id": instrument,
            "cycle_id": "cycle-1",
            "item_id": [i for _, i, _ in rows],
            "value": [v for _, _, v in rows],
        }
    )


def people(count: int, f1: int, f2: int | None) -> list[tuple[str, str, int]]:
    rows = []
    for n in range(count):
        rows.append((f"r-{f1}{n:015d}", "f1", f1))
        if f2 is not None:
            rows.append((f"r-{f1}{n:015d}", "f2", f2))
    return rows


def test_a_score_is_the_mean_of_each_persons_items_over_people_who_answered_all() -> None:
    data = answers(people(3, 4, 5) + people(2, 2, 3) + people(4, 1, None))
    scores = respondent_scores(data, "staff-survey", ["f1", "f2"])
    assert len(scores) == 5  # the 4 people who skipped f2 are left out
    assert observe(data, FIM, k=5) == Observation("staff-survey.fim", (3 * 4.5 + 2 * 2.5) / 5, 5)


def test_an_item_measure_is_the_mean_of_everyone_who_answered_it() -> None:
    data = answers(people(3, 4, 5) + people(2, 2, 3) + people(4, 1, None))
    assert observe(data, ITEM, k=5) == Observation("staff-survey.f1", (12 + 4 + 4) / 9, 9)


def test_a_measure_from_fewer_than_k_people_is_withheld_without_its_n() -> None:
    observation = observe(answers(people(4, 4, 5)), FIM, k=5)
    assert observation == Observation("staff-survey.fim", None, None, withheld=True)


def test_a_measure_whose_counts_are_partly_withheld_elsewhere_is_withheld() -> None:
    observation = observe(answers(people(6, 4, 5)), ITEM, k=5, hidden={"staff-survey.f1"})
    assert observation.withheld and observation.value is None


@pytest.mark.parametrize(
    ("expect", "threshold", "value", "before", "said"),
    [
        ("at least", 4.0, 4.004, None, "met"),  # compared at 2 decimals, as printed
        ("at least", 4.0, 3.994, None, "not met"),
        ("at most", 1.8, 1.6, None, "met"),
        ("increase", None, 4.07, 3.65, "met"),
        ("decrease", None, 4.07, 3.65, "not met"),
        ("increase", None, 4.07, None, "cannot tell"),
        ("no change", None, 4.0, 4.0, "cannot tell"),
    ],
)
def test_the_data_judge_each_kind_of_prediction(
    expect: str, threshold: float | None, value: float, before: float | None, said: str
) -> None:
    previous = Observation("m", before, 10) if before is not None else None
    assert judge(expect, threshold, Observation("m", value, 10), previous)[0] == said


def test_the_pilot_cycle_2_predictions_match_the_teams_verdicts() -> None:
    from analysis.predictions import measures
    from instruments.load import load_evaluation

    pilot = REPOSITORY / "examples" / "psw-pilot-3"
    evaluation = load_evaluation(pilot / "evaluation.yaml")
    record = load_cycle_records(pilot / "cycles", evaluation.measure_ids()).record("cycle-2")
    # Staff: 5 people at FIM 4 and 3 people at 4.5 -> mean 4.1875, above the 3.8 predicted.
    staff = [(f"r-{n:016x}", f"fim_{i}", 4 if n < 5 else 5 if i <= 2 else 4) for n in range(8) for i in range(1, 5)]
    participants = [(f"r-{n + 100:016x}", item, 4) for n in range(6) for item in ("pf_roles_clear", "pf_safe")]
    before = [(f"r-{n + 200:016x}", "pf_safe", 3) for n in range(6)]
    now = pd.concat([answers(staff), answers(participants, "participant-feedback")])
    checks = check_predictions(record, measures(evaluation), now, answers(before, "participant-feedback"), 5)
    by_id = {c.question_id: c for c in checks}
    assert by_id["feasible"].observed == Observation("staff-survey.fim", 4.1875, 8)
    assert by_id["safe"].data_say == "met" and by_id["safe"].previous == Observation(
        "participant-feedback.pf_safe", 3.0, 6
    )
    assert all(c.agrees for c in checks)


def test_the_evaluation_knows_scores_as_measures_and_refuses_a_score_on_free_text(tmp_path: Path) -> None:
    from instruments.errors import DefinitionError
    from instruments.load import load_evaluation

    pilot = REPOSITORY / "examples" / "psw-pilot-3" / "evaluation.yaml"
    evaluation = load_evaluation(pilot)
    assert {"staff-survey.aim", "staff-survey.iam", "staff-survey.fim", "staff-survey.fim_1"} <= (
        evaluation.measure_ids()
    )
    assert "participant-feedback.pf_better" not in evaluation.measure_ids()  # free text is no measure
    broken = tmp_path / "evaluation.yaml"
    broken.write_text(
        pilot.read_text("utf-8").replace("items: [fim_1, fim_2, fim_3, fim_4]", "items: [fim_1, st_help]"), "utf-8"
    )
    with pytest.raises(DefinitionError) as caught:
        load_evaluation(broken)
    assert "score staff-survey.fim names item that is not a rating item 'st_help'" in str(caught.value)
