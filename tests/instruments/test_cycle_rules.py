"""The PDSA stage rules: each broken rule refuses the move with a message naming cycle, rule and fix."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from pydantic import ValidationError

from instruments.cycle import (
    STAGES,
    CycleRecord,
    Stage,
    advance,
    next_stage,
    next_step_blocked,
    predictions_fingerprint,
)
from instruments.cycle_records import amend, close
from instruments.errors import CycleStateError
from instruments.load import describe_validation

MEASURES = frozenset({"survey.helped", "survey.clear"})


def complete(number: int = 1, **top: Any) -> dict[str, Any]:
    """A record's data with every section filled in, at stage plan (tests move it on)."""
    data: dict[str, Any] = {
        "cycle_id": f"c{number}",
        "series_id": "demo",
        "aim": "PSWs work alongside counsellors.",
        "number": number,
        "title": f"Cycle {number}",
        "purpose": "test",
        "dates": {"actual_start": "2024-01-08", "actual_end": "2024-02-26"},
        "plan": {
            "objective": "Learn whether PSWs help.",
            "questions": [
                {
                    "id": "q1",
                    "text": "Does it help?",
                    "prediction": {"statement": "It helps.", "measure": "survey.helped", "expect": "increase"},
                },
                {
                    "id": "q2",
                    "text": "Is the role clear?",
                    "prediction": {
                        "statement": "Clear for most.",
                        "measure": "survey.clear",
                        "expect": "at least",
                        "threshold": 4,
                    },
                },
            ],
            "scale": {"who": "one grief group", "how_many": 10, "where": "main office"},
            "data": [
                {"measure": "survey.helped", "how": "survey after session 8"},
                {"measure": "survey.clear", "how": "staff survey"},
            ],
        },
        "do": {"as_planned": True},
        "study": {
            "results": [
                {"question": "q1", "observed": "Up.", "verdict": "met", "learning": "It helps."},
                {"question": "q2", "observed": "3.6", "verdict": "not met", "learning": "Write the role down."},
            ]
        },
        "sense_making": {
            "held_on": "2024-03-01",
            "roles": ["psw", "counsellor"],
            "what": "W.",
            "so_what": "S.",
            "now_what": "N.",
        },
        "act": {"decision": "adapt", "rationale": "Half worked.", "next_cycle": "Add debriefs."},
    }
    if number > 1:
        data["previous_cycle_id"] = f"c{number - 1}"
        data["plan"]["previous_decision"] = {"cycle": f"c{number - 1}", "decision": "adapt", "summary": "Builds on it."}
    data.update(top)
    return data


def at(stage: Stage, data: dict[str, Any] | None = None) -> CycleRecord:
    """The record written at ``stage`` without passing through the rules (as a hand edit would)."""
    record = CycleRecord.model_validate({**(data or complete()), "stage": "plan"})
    if stage == "plan":
        return record
    return record.model_copy(update={"stage": stage, "predictions_sha256": predictions_fingerprint(record)})


def through(record: CycleRecord, until: Stage) -> CycleRecord:
    for stage in STAGES[STAGES.index(record.stage) + 1 : STAGES.index(until) + 1]:
        record = close(record, date(2024, 3, 4)) if stage == "closed" else advance(record, stage, MEASURES)
    return record


def refusal(action: Callable[[], object]) -> str:
    with pytest.raises(CycleStateError) as caught:
        action()
    return str(caught.value)


def test_a_complete_record_moves_through_every_stage_and_closes() -> None:
    closed = through(at("plan"), "closed")
    assert closed.stage == "closed"
    assert closed.closed is not None
    assert closed.closed.date == date(2024, 3, 4)
    assert len(closed.closed.sha256) == 64


def without(path: str, data: dict[str, Any] | None = None, value: Any = None) -> dict[str, Any]:
    """``data`` with the key at the dotted ``path`` removed (or set to ``value`` if one is given)."""
    changed = copy.deepcopy(data or complete())
    *parents, last = path.split(".")
    target: Any = changed
    for part in parents:
        target = target[int(part)] if isinstance(target, list) else target[part]
    if value is None:
        del target[int(last) if isinstance(target, list) else last]
    else:
        target[last] = value
    return changed


RULES: list[tuple[str, dict[str, Any], Stage, str]] = [
    (
        "no question",
        without("study", without("plan.questions", value=[])),
        "do",
        "cycle c1: it cannot move from Plan to Do without a question and a prediction: the plan asks no question.\n"
        "What to do: Add at least one question under plan.questions, each with a prediction that names a measure "
        "and an expected direction or threshold.",
    ),
    (
        "question without prediction",
        without("plan.questions.1.prediction"),
        "do",
        "cycle c1: it cannot move from Plan to Do while a question has no prediction: q2.\n"
        "What to do: Write down what you expect for each question before the cycle starts (a measure and an "
        "expected direction or threshold).",
    ),
    (
        "unknown measure",
        without("plan.questions.0.prediction.measure", value="survey.mood"),
        "do",
        "cycle c1: it cannot move from Plan to Do while a prediction names a measure the evaluation does not "
        "know: q1 (survey.mood).\n"
        "What to do: Use one of the evaluation's measures (survey.clear, survey.helped), or add the measure to "
        "the evaluation first.",
    ),
    (
        "no scale",
        without("plan.scale"),
        "do",
        "cycle c1: it cannot move from Plan to Do without its scale: who takes part, how many and where.\n"
        "What to do: Fill in plan.scale (who, how_many, where); start with a small test.",
    ),
    (
        "no data plan for a measure",
        without("plan.data.1"),
        "do",
        "cycle c1: it cannot move from Plan to Do without a plan to collect the data of survey.clear.\n"
        "What to do: Add an entry under plan.data for each measure a prediction names: how, by whom, when and "
        "where its data are collected.",
    ),
    (
        "later cycle not linked",
        without("plan.previous_decision", without("previous_cycle_id", complete(2))),
        "do",
        "cycle c2: cycle number 2 does not name the cycle it follows, so the series is not linked.\n"
        "What to do: Set previous_cycle_id to the cycle_id of the cycle before this one.",
    ),
    (
        "previous decision not cited",
        without("plan.previous_decision", complete(2)),
        "do",
        "cycle c2: its plan does not cite the Act decision of the previous cycle (c1).\n"
        "What to do: Add plan.previous_decision with that cycle, its decision (adopt, adapt or abandon) and a "
        "sentence on how this cycle builds on it.",
    ),
    (
        "no do log",
        without("do"),
        "study",
        "cycle c1: it cannot move from Do to Study before the Do log says whether the cycle ran as planned.\n"
        "What to do: Fill in do.as_planned (true or false) and list any problems and unexpected observations.",
    ),
    (
        "deviation not listed",
        without("do.as_planned", value=False),
        "study",
        "cycle c1: the Do log says the cycle did not run as planned but lists no deviation.\n"
        "What to do: List under do.deviations what was done differently from the plan.",
    ),
    (
        "no start date",
        without("dates.actual_start"),
        "study",
        "cycle c1: it cannot move from Do to Study without the date the cycle actually started.\n"
        "What to do: Fill in dates.actual_start.",
    ),
    (
        "prediction without result",
        without("study.results.1"),
        "act",
        "cycle c1: it cannot move from Study to Act while a prediction has no result: q2.\n"
        "What to do: Add a result under study.results for each of these questions: what was observed, whether "
        "the prediction was met, not met or inconclusive, and what was learned.",
    ),
    (
        "no sense-making",
        without("sense_making"),
        "act",
        "cycle c1: it cannot move from Study to Act before the team has made sense of the results.\n"
        "What to do: Record the sense-making session under sense_making: what happened, so what it means, now "
        "what to do.",
    ),
    (
        "no decision",
        without("act"),
        "closed",
        "cycle c1: it cannot close without an Act decision.\n"
        "What to do: Fill in act.decision (exactly one of adopt, adapt or abandon) and act.rationale.",
    ),
    (
        "adapt without next cycle",
        without("act.next_cycle", value=" "),
        "closed",
        "cycle c1: the decision is to adapt the change, but the record does not say what the next cycle will "
        "test.\nWhat to do: Describe the next cycle under act.next_cycle, or choose adopt or abandon instead.",
    ),
    (
        "no end date",
        without("dates.actual_end"),
        "closed",
        "cycle c1: it cannot close without the date the cycle actually ended.\nWhat to do: Fill in dates.actual_end.",
    ),
]


@pytest.mark.parametrize(("data", "to_stage", "message"), [r[1:] for r in RULES], ids=[r[0] for r in RULES])
def test_each_broken_stage_rule_refuses_the_move_with_its_message(
    data: dict[str, Any], to_stage: Stage, message: str
) -> None:
    before = at(STAGES[STAGES.index(to_stage) - 1], data)
    if to_stage == "closed":
        assert refusal(lambda: close(before, date(2024, 3, 4))) == message
    else:
        assert refusal(lambda: advance(before, to_stage, MEASURES)) == message


@pytest.mark.parametrize("data", [r[1] for r in RULES], ids=[r[0] for r in RULES])
def test_a_record_written_past_a_rule_by_hand_is_refused_when_moved_on(data: dict[str, Any]) -> None:
    # Writing "stage: act" into the file does not skip the rules: every earlier gate is checked again.
    with pytest.raises(CycleStateError):
        through(at("plan", data), "closed")


def test_an_adopted_change_needs_no_next_cycle() -> None:
    data = without("act", value={"decision": "adopt", "rationale": "It worked."})
    assert close(at("act", data), date(2024, 3, 4)).stage == "closed"


def test_a_cycle_moves_one_stage_at_a_time() -> None:
    assert refusal(lambda: advance(at("plan"), "study", MEASURES)) == (
        "cycle c1: it is at Plan and can only move to Do next, not to Study.\n"
        "What to do: Move the cycle one stage at a time: Plan, Do, Study, Act, then close it."
    )


def test_a_cycle_cannot_be_moved_backwards() -> None:
    assert refusal(lambda: advance(at("study"), "do", MEASURES)).startswith(
        "cycle c1: it is at Study and can only move to Act next, not to Do."
    )


def test_closing_goes_through_close_not_advance() -> None:
    assert refusal(lambda: advance(at("act"), "closed", MEASURES)) == (
        "cycle c1: a cycle is closed by the close step, which records the date and a fingerprint of the record.\n"
        "What to do: Close the cycle instead, with make cycle-close CYCLE=c1 (add DATE=YYYY-MM-DD if it did not "
        "close today)."
    )


def test_a_closed_cycle_cannot_move_again() -> None:
    closed = through(at("plan"), "closed")
    assert refusal(lambda: advance(closed, "plan", MEASURES)) == (
        "cycle c1: a closed cycle cannot move to another stage or be changed.\n"
        "What to do: Add an amendment to record a correction, or plan the next cycle in a new record."
    )


def test_a_closed_cycle_cannot_be_closed_again() -> None:
    closed = through(at("plan"), "closed")
    assert refusal(lambda: close(closed, date(2024, 4, 1))) == (
        "cycle c1: it is already closed and cannot be closed again.\n"
        "What to do: Add an amendment to record a correction."
    )


def test_only_a_cycle_at_act_can_be_closed() -> None:
    assert refusal(lambda: close(at("study"), date(2024, 3, 4))) == (
        "cycle c1: it is at Study; only a cycle at Act can be closed.\n"
        "What to do: Move the cycle through Do, Study and Act first."
    )


def test_a_cycle_cannot_close_before_it_started() -> None:
    assert refusal(lambda: close(at("act"), date(2023, 12, 31))) == (
        "cycle c1: the closing date 2023-12-31 is before the cycle started (2024-01-08).\n"
        "What to do: Close the cycle on or after the day it started."
    )


def test_an_edited_closed_record_is_refused_on_any_further_step() -> None:
    closed = through(at("plan"), "closed")
    assert closed.act is not None
    edited = closed.model_copy(update={"act": closed.act.model_copy(update={"rationale": "It all worked."})})
    assert refusal(lambda: amend(edited, date(2024, 4, 1), "manager", "Note.")) == (
        "cycle c1: this closed cycle has been edited since it was closed (its content no longer matches the "
        "sha256 recorded when it was closed).\n"
        "What to do: Restore the record as it was closed (for example from version control) and add any "
        "correction as an amendment instead."
    )


def test_amendments_are_for_closed_cycles() -> None:
    assert refusal(lambda: amend(at("study"), date(2024, 4, 1), "manager", "Note.")) == (
        "cycle c1: amendments are for closed cycles; this one is still open.\n"
        "What to do: Edit the open record directly; amendments start once it is closed."
    )


def test_an_amendment_cannot_be_dated_before_the_last_entry() -> None:
    amended = amend(through(at("plan"), "closed"), date(2024, 4, 1), "manager", "First note.")
    assert refusal(lambda: amend(amended, date(2024, 3, 20), "manager", "Late note.")) == (
        "cycle c1: the amendment is dated 2024-03-20, before the last entry (2024-04-01).\n"
        "What to do: Date the amendment on the day it is written; amendments are only ever added at the end."
    )


def test_amending_appends_and_keeps_the_seal() -> None:
    closed = through(at("plan"), "closed")
    amended = amend(amend(closed, date(2024, 4, 1), "manager", "One."), date(2024, 4, 1), "psw", "Two.")
    assert [a.text for a in amended.amendments] == ["One.", "Two."]
    assert amended.closed == closed.closed
    assert amended.amendments[0].sha256 != amended.amendments[1].sha256


def test_without_known_measures_every_measure_is_unknown() -> None:
    assert "none defined" in refusal(lambda: advance(at("plan"), "do", frozenset()))


def test_moving_to_do_locks_the_predictions() -> None:
    started = advance(at("plan"), "do", MEASURES)
    assert started.predictions_sha256 == predictions_fingerprint(at("plan"))


def test_a_prediction_rewritten_after_the_start_is_refused() -> None:
    started = advance(at("plan"), "do", MEASURES)
    question = started.plan.questions[1]
    assert question.prediction is not None
    rewritten = question.model_copy(update={"prediction": question.prediction.model_copy(update={"threshold": 3.5})})
    plan = started.plan.model_copy(update={"questions": (started.plan.questions[0], rewritten)})
    assert refusal(lambda: advance(started.model_copy(update={"plan": plan}), "study", MEASURES)) == (
        "cycle c1: its questions or predictions were changed after the cycle moved to Do.\n"
        "What to do: Restore the questions and predictions as they were when the cycle started; write what you "
        "would now expect differently in the learning of its results or in the next cycle's plan."
    )


def test_a_cycle_past_plan_without_locked_predictions_is_refused() -> None:
    unlocked = at("do").model_copy(update={"predictions_sha256": None})
    assert refusal(lambda: advance(unlocked, "study", MEASURES)) == (
        "cycle c1: its predictions were not locked when it moved to Do (predictions_sha256 is missing), so "
        "nobody can tell whether they were written before the results.\n"
        "What to do: Set the stage back to plan and move the cycle to Do with make cycle-advance CYCLE=c1, which "
        "locks the predictions."
    )


def test_each_stage_has_one_next_step_until_the_cycle_is_closed() -> None:
    assert [next_stage(at(stage)) for stage in STAGES[:-1]] == ["do", "study", "act", "closed"]
    assert next_stage(through(at("plan"), "closed")) is None


def test_the_next_step_names_the_rule_that_blocks_it() -> None:
    blocked = next_step_blocked(at("plan", without("plan.scale")), MEASURES)
    assert blocked is not None
    assert blocked.problem == "it cannot move from Plan to Do without its scale: who takes part, how many and where."
    assert next_step_blocked(at("plan"), MEASURES) is None
    assert next_step_blocked(at("act"), MEASURES) is None
    assert next_step_blocked(through(at("plan"), "closed"), MEASURES) is None


# --- Required text -----------------------------------------------------------------------------

REQUIRED_TEXT = [
    "aim",
    "title",
    "plan.objective",
    "plan.questions.0.text",
    "plan.questions.0.prediction.statement",
    "plan.questions.0.prediction.measure",
    "plan.scale.who",
    "plan.scale.where",
    "plan.data.0.measure",
    "plan.data.0.how",
    "study.results.0.observed",
    "study.results.0.learning",
    "sense_making.what",
    "sense_making.so_what",
    "sense_making.now_what",
    "act.rationale",
]


@pytest.mark.parametrize("blank", ["   ", "", " \t\n "], ids=["spaces", "empty", "whitespace"])
@pytest.mark.parametrize("path", REQUIRED_TEXT)
def test_required_text_made_only_of_spaces_is_refused_naming_the_field(path: str, blank: str) -> None:
    data = copy.deepcopy(complete())
    *parents, last = path.split(".")
    target: Any = data
    for part in parents:
        target = target[int(part)] if isinstance(target, list) else target[part]
    target[last] = blank  # set directly: without() would delete the key for the empty text
    with pytest.raises(ValidationError) as caught:
        CycleRecord.model_validate(data)
    key = re.sub(r"\.(\d+)", r"[\1]", path)
    assert describe_validation(caught.value, "the cycle record") == (
        f"the cycle record is wrong in one place:\n  at {key}: this text is blank (empty or only spaces); "
        "write at least one word"
    )


def test_required_text_in_later_sections_is_refused_too() -> None:
    data = complete(2)
    data["plan"]["previous_decision"]["summary"] = "  "
    data["plan"]["tasks"] = [{"what": " "}]
    with pytest.raises(ValidationError) as caught:
        CycleRecord.model_validate(data)
    assert describe_validation(caught.value, "the cycle record") == (
        "the cycle record is wrong in 2 places:\n"
        "  at plan.previous_decision.summary: this text is blank (empty or only spaces); write at least one word\n"
        "  at plan.tasks[0].what: this text is blank (empty or only spaces); write at least one word"
    )


def test_an_amendment_without_its_author_or_text_is_refused() -> None:
    closed = through(at("plan"), "closed")
    with pytest.raises(ValidationError) as caught:
        amend(closed, date(2024, 4, 1), "  ", "Note.")
    assert [e["loc"] for e in caught.value.errors()] == [("by",)]


def test_required_text_is_kept_as_written_so_earlier_hashes_stay_valid() -> None:
    # Stripping the text would change the content of records locked or sealed before the check.
    record = CycleRecord.model_validate(without("act.rationale", value="  Half worked.\n"))
    assert record.act is not None
    assert record.act.rationale == "  Half worked.\n"
