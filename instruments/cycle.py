"""PDSA cycle records and the rules that keep them honest.

A cycle record is one YAML file per cycle (see ``docs/cycle-records.md``), loaded and saved by
:mod:`instruments.cycle_records`. Its fields follow research/pdsa_de.md §1.3; the rules follow §1.5:

- a cycle moves one stage at a time, plan → do → study → act → closed (:func:`advance`, then
  ``close`` in :mod:`instruments.cycle_records`);
- it cannot start (Plan → Do) unless every question carries a prediction that names a measure the
  evaluation knows; a cycle after the first must name its previous cycle and cite that cycle's
  decision;
- it cannot reach Act while any prediction has no result (met / not met / inconclusive);
- it cannot close without exactly one decision (adopt, adapt or abandon) and a rationale, and an
  adapted change needs a plan for the next cycle;
- it cannot start without its scale and a data plan for every predicted measure; moving to Do
  locks the questions and predictions with a sha256, so they cannot be rewritten after the results;
- a closed record carries a sha256 of its content; later notes are appended as amendments.

The wrong *shape* of a record (a missing key, an unknown decision, required text left blank) is
a pydantic error, which the loader turns into a :class:`~instruments.errors.DefinitionError`. A
broken *rule* is a :class:`~instruments.errors.CycleStateError` naming the cycle, the rule and what
to do. The checks over a whole series (one chain, one open cycle) live in
:mod:`instruments.cycle_series`; what reads and writes files is in :mod:`instruments.cycle_records`.
The module is a little over 500 lines because the record's shape and the rules on it are read
together, and the rules' messages (where, what, what to do) are long by nature.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Collection
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from instruments.errors import CycleStateError

Stage = Literal["plan", "do", "study", "act", "closed"]
STAGES: tuple[Stage, ...] = ("plan", "do", "study", "act", "closed")
Purpose = Literal["collect information", "develop", "test", "implement"]
Expectation = Literal["increase", "decrease", "no change", "at least", "at most"]
Verdict = Literal["met", "not met", "inconclusive"]
Decision = Literal["adopt", "adapt", "abandon"]

_ID_PATTERN = r"^[a-z0-9][a-z0-9_-]*$"
Text = str  # free text written by the team, where it may be left empty


def _not_blank(text: str) -> str:
    if not text.strip():
        raise ValueError("this text is blank (empty or only spaces); write at least one word")
    return text


#: Free text the team must write. Text made only of spaces is refused; the text is kept as written
#: (not stripped), so the hashes of records locked or sealed before this check stay valid.
RequiredText = Annotated[str, AfterValidator(_not_blank)]


class _Model(BaseModel):
    # Teams write results such as ``observed: 4.3``; YAML reads those as numbers, kept here as text.
    model_config = ConfigDict(extra="forbid", frozen=True, coerce_numbers_to_str=True)


class Prediction(_Model):
    """What the team expects, stated before the cycle starts, judged on one measure."""

    statement: RequiredText
    measure: RequiredText
    expect: Expectation
    threshold: float | None = None

    @model_validator(mode="after")
    def _threshold_when_needed(self) -> Prediction:
        if self.expect in ("at least", "at most") and self.threshold is None:
            raise ValueError(f"'expect: {self.expect}' needs a threshold (the number to reach)")
        return self


class Question(_Model):
    """A question the cycle will answer, with the team's prediction for it."""

    id: str = Field(pattern=_ID_PATTERN)
    text: RequiredText
    prediction: Prediction | None = None


class CycleScale(_Model):
    """How small the test is: who takes part, how many, where."""

    who: RequiredText
    how_many: int = Field(ge=1)
    where: RequiredText


class Task(_Model):
    what: RequiredText
    who: Text = ""
    when: Text = ""
    where: Text = ""


class DataCollection(_Model):
    """How one measure's data will be collected."""

    measure: RequiredText
    how: RequiredText
    who: Text = ""
    when: Text = ""
    where: Text = ""


class PreviousDecision(_Model):
    """The previous cycle's Act decision, cited by the Plan of the cycle that follows it."""

    cycle: str = Field(pattern=_ID_PATTERN)
    decision: Decision
    summary: RequiredText


class Plan(_Model):
    objective: RequiredText
    change_idea: Text = ""
    previous_decision: PreviousDecision | None = None
    questions: tuple[Question, ...] = ()
    scale: CycleScale | None = None
    tasks: tuple[Task, ...] = ()
    data: tuple[DataCollection, ...] = ()


class Do(_Model):
    """What happened: problems and unexpected observations are lists, one item each."""

    as_planned: bool
    deviations: tuple[Text, ...] = ()
    problems: tuple[Text, ...] = ()
    unexpected: tuple[Text, ...] = ()


class Result(_Model):
    """The Study of one question's prediction."""

    question: str = Field(pattern=_ID_PATTERN)
    observed: RequiredText
    verdict: Verdict
    learning: RequiredText


class Study(_Model):
    results: tuple[Result, ...] = ()
    charts: tuple[str, ...] = ()
    surprises: tuple[Text, ...] = ()


class SenseMaking(_Model):
    """The developmental-evaluation session: what? so what? now what? (research §4.1)."""

    held_on: date
    roles: tuple[str, ...] = Field(min_length=1)
    what: RequiredText
    so_what: RequiredText
    now_what: RequiredText
    dissent: tuple[Text, ...] = ()
    emerging_questions: tuple[Text, ...] = ()


class Act(_Model):
    decision: Decision
    rationale: RequiredText
    next_cycle: Text = ""


class Dates(_Model):
    planned_start: date | None = None
    planned_end: date | None = None
    actual_start: date | None = None
    actual_end: date | None = None

    @model_validator(mode="after")
    def _ends_after_start(self) -> Dates:
        for kind in ("planned", "actual"):
            start, end = getattr(self, f"{kind}_start"), getattr(self, f"{kind}_end")
            if start is not None and end is not None and end < start:
                raise ValueError(f"{kind}_end ({end}) is before {kind}_start ({start})")
        return self


class Seal(_Model):
    """Written by closing: the date and the sha256 of the record's canonical content."""

    date: dt.date
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")


class Amendment(_Model):
    """A note added after closing. Each one's sha256 chains to the seal and earlier amendments."""

    date: dt.date
    by: RequiredText
    text: RequiredText
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")


class CycleRecord(_Model):
    """One PDSA cycle, from its Plan to its closing (research/pdsa_de.md §1.3)."""

    cycle_id: str = Field(pattern=_ID_PATTERN)
    series_id: str = Field(pattern=_ID_PATTERN)
    aim: RequiredText
    number: int = Field(ge=1)
    previous_cycle_id: str | None = Field(default=None, pattern=_ID_PATTERN)
    title: RequiredText
    purpose: Purpose
    stage: Stage = "plan"
    dates: Dates = Dates()
    plan: Plan
    do: Do | None = None
    study: Study | None = None
    sense_making: SenseMaking | None = None
    act: Act | None = None
    #: Written when the cycle moves to Do: the sha256 of the questions and predictions as they were
    #: then, so that nobody can rewrite a prediction once the results are known.
    predictions_sha256: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$")
    closed: Seal | None = None
    amendments: tuple[Amendment, ...] = ()

    @model_validator(mode="after")
    def _references_resolve(self) -> CycleRecord:
        problems: list[str] = []
        if self.number == 1 and self.previous_cycle_id is not None:
            problems.append("cycle number 1 is the first of its series and cannot have a previous_cycle_id")
        if self.previous_cycle_id == self.cycle_id:
            problems.append("a cycle cannot follow itself (previous_cycle_id is its own cycle_id)")
        cited = self.plan.previous_decision
        if cited is not None and cited.cycle != self.previous_cycle_id:
            problems.append(
                f"plan.previous_decision cites cycle {cited.cycle!r} but previous_cycle_id is "
                f"{self.previous_cycle_id!r}; they must be the same cycle"
            )
        ids = [q.id for q in self.plan.questions]
        problems += [f"question id {i} is used more than once" for i in sorted({i for i in ids if ids.count(i) > 1})]
        answered = [r.question for r in self.study.results] if self.study else []
        for question in sorted(set(answered)):
            if question not in ids:
                problems.append(f"study has a result for question {question!r}, which the plan does not ask")
            elif answered.count(question) > 1:
                problems.append(f"study has more than one result for question {question!r}")
        if (self.stage == "closed") != (self.closed is not None):
            problems.append("'closed' is written by closing the cycle; stage and 'closed' must agree")
        if problems:
            raise ValueError("; ".join(problems))
        return self


def fingerprint(record: CycleRecord) -> str:
    """The sha256 of a record's canonical content: everything except the hash and the amendments.

    The canonical content is the record's JSON with sorted keys, leaving out values that equal
    their defaults, so that a field added to the model later (with a default) leaves the hashes
    of records closed before it valid. Renaming a field would not: that needs a migration.
    """
    content = record.model_dump(mode="json", exclude_defaults=True, exclude={"amendments": True, "closed": {"sha256"}})
    return _sha256(content)


def predictions_fingerprint(record: CycleRecord) -> str:
    """The sha256 of the plan's questions and predictions, locked when the cycle moves to Do."""
    return _sha256([question.model_dump(mode="json", exclude_defaults=True) for question in record.plan.questions])


def amendment_digest(previous: str, on: date, by: str, text: str) -> str:
    """The sha256 of one amendment, chained to the digest before it (the seal or an amendment)."""
    return _sha256({"previous": previous, "on": on.isoformat(), "by": by, "text": text})


def _sha256(content: Any) -> str:
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


# --- The stage rules --------------------------------------------------------------------------


def rule_broken(record: CycleRecord, problem: str, action: str) -> CycleStateError:
    return CycleStateError(f"cycle {record.cycle_id}", problem, action)


def _ready_for_do(record: CycleRecord, known_measures: Collection[str] | None) -> None:
    plan = record.plan
    if not plan.questions:
        raise rule_broken(
            record,
            "it cannot move from Plan to Do without a question and a prediction: the plan asks no question.",
            "Add at least one question under plan.questions, each with a prediction that names a measure and "
            "an expected direction or threshold.",
        )
    missing = [q.id for q in plan.questions if q.prediction is None]
    if missing:
        raise rule_broken(
            record,
            f"it cannot move from Plan to Do while a question has no prediction: {', '.join(missing)}.",
            "Write down what you expect for each question before the cycle starts (a measure and an expected "
            "direction or threshold).",
        )
    if known_measures is not None:
        unknown = [
            f"{q.id} ({q.prediction.measure})"
            for q in plan.questions
            if q.prediction is not None and q.prediction.measure not in known_measures
        ]
        if unknown:
            raise rule_broken(
                record,
                "it cannot move from Plan to Do while a prediction names a measure the evaluation does not "
                f"know: {', '.join(unknown)}.",
                f"Use one of the evaluation's measures ({', '.join(sorted(known_measures)) or 'none defined'}), "
                "or add the measure to the evaluation first.",
            )
    if plan.scale is None:
        raise rule_broken(
            record,
            "it cannot move from Plan to Do without its scale: who takes part, how many and where.",
            "Fill in plan.scale (who, how_many, where); start with a small test.",
        )
    planned = {collection.measure for collection in plan.data}
    unplanned = sorted({q.prediction.measure for q in plan.questions if q.prediction} - planned)
    if unplanned:
        raise rule_broken(
            record,
            f"it cannot move from Plan to Do without a plan to collect the data of {', '.join(unplanned)}.",
            "Add an entry under plan.data for each measure a prediction names: how, by whom, when and where "
            "its data are collected.",
        )
    if record.number > 1 and record.previous_cycle_id is None:
        raise rule_broken(
            record,
            f"cycle number {record.number} does not name the cycle it follows, so the series is not linked.",
            "Set previous_cycle_id to the cycle_id of the cycle before this one.",
        )
    if record.number > 1 and plan.previous_decision is None:
        raise rule_broken(
            record,
            f"its plan does not cite the Act decision of the previous cycle ({record.previous_cycle_id}).",
            "Add plan.previous_decision with that cycle, its decision (adopt, adapt or abandon) and a sentence "
            "on how this cycle builds on it.",
        )


def _ready_for_study(record: CycleRecord) -> None:
    if record.do is None:
        raise rule_broken(
            record,
            "it cannot move from Do to Study before the Do log says whether the cycle ran as planned.",
            "Fill in do.as_planned (true or false) and list any problems and unexpected observations.",
        )
    if not record.do.as_planned and not record.do.deviations:
        raise rule_broken(
            record,
            "the Do log says the cycle did not run as planned but lists no deviation.",
            "List under do.deviations what was done differently from the plan.",
        )
    if record.dates.actual_start is None:
        raise rule_broken(
            record,
            "it cannot move from Do to Study without the date the cycle actually started.",
            "Fill in dates.actual_start.",
        )


def _ready_for_act(record: CycleRecord) -> None:
    answered = {r.question for r in record.study.results} if record.study else set()
    waiting = [q.id for q in record.plan.questions if q.id not in answered]
    if waiting:
        raise rule_broken(
            record,
            f"it cannot move from Study to Act while a prediction has no result: {', '.join(waiting)}.",
            "Add a result under study.results for each of these questions: what was observed, whether the "
            "prediction was met, not met or inconclusive, and what was learned.",
        )
    if record.sense_making is None:
        raise rule_broken(
            record,
            "it cannot move from Study to Act before the team has made sense of the results.",
            "Record the sense-making session under sense_making: what happened, so what it means, now what to do.",
        )


def _ready_to_close(record: CycleRecord) -> None:
    if record.act is None:
        raise rule_broken(
            record,
            "it cannot close without an Act decision.",
            "Fill in act.decision (exactly one of adopt, adapt or abandon) and act.rationale.",
        )
    if record.act.decision == "adapt" and not record.act.next_cycle.strip():
        raise rule_broken(
            record,
            "the decision is to adapt the change, but the record does not say what the next cycle will test.",
            "Describe the next cycle under act.next_cycle, or choose adopt or abandon instead.",
        )
    if record.dates.actual_end is None:
        raise rule_broken(
            record,
            "it cannot close without the date the cycle actually ended.",
            "Fill in dates.actual_end.",
        )


def _gate(record: CycleRecord, stage: Stage, known_measures: Collection[str] | None) -> None:
    """Raise if ``record`` may not be at ``stage`` (the rules for entering that stage)."""
    if stage == "do":
        _ready_for_do(record, known_measures)
    elif stage == "study":
        _ready_for_study(record)
    elif stage == "act":
        _ready_for_act(record)
    elif stage == "closed":
        _ready_to_close(record)


def next_stage(record: CycleRecord) -> Stage | None:
    """The stage a record takes next (``closed`` after Act, by closing it); None once it is closed."""
    return None if record.stage == "closed" else STAGES[STAGES.index(record.stage) + 1]


def next_step_blocked(record: CycleRecord, known_measures: Collection[str]) -> CycleStateError | None:
    """The rule that keeps a checked record from taking its next step now, or None if nothing does."""
    following = next_stage(record)
    try:
        if following is not None:
            _gate(record, following, known_measures)
    except CycleStateError as err:
        return err
    return None


def check_record(record: CycleRecord, known_measures: Collection[str] | None = None) -> None:
    """Check that a record meets every rule up to its stage, and that a closed one is untouched.

    ``known_measures`` is the set of measure ids the evaluation defines; ``None`` skips that one
    check (for reading records without their evaluation).
    """
    for stage in STAGES[1 : STAGES.index(record.stage) + 1]:
        _gate(record, stage, known_measures)
    if record.stage != "plan" and record.predictions_sha256 is None:
        raise rule_broken(
            record,
            "its predictions were not locked when it moved to Do (predictions_sha256 is missing), so nobody "
            "can tell whether they were written before the results.",
            f"Set the stage back to plan and move the cycle to Do with make cycle-advance CYCLE={record.cycle_id}, "
            "which locks the predictions.",
        )
    if record.stage != "plan" and record.predictions_sha256 != predictions_fingerprint(record):
        raise rule_broken(
            record,
            "its questions or predictions were changed after the cycle moved to Do.",
            "Restore the questions and predictions as they were when the cycle started; write what you would "
            "now expect differently in the learning of its results or in the next cycle's plan.",
        )
    if record.closed is not None:
        if fingerprint(record) != record.closed.sha256:
            raise rule_broken(
                record,
                "this closed cycle has been edited since it was closed (its content no longer matches the "
                "sha256 recorded when it was closed).",
                "Restore the record as it was closed (for example from version control) and add any "
                "correction as an amendment instead.",
            )
        previous, on = record.closed.sha256, record.closed.date
        for number, amendment in enumerate(record.amendments, start=1):
            digest = amendment_digest(previous, amendment.date, amendment.by, amendment.text)
            if amendment.sha256 != digest or amendment.date < on:
                raise rule_broken(
                    record,
                    f"amendment {number} has been edited, reordered or back-dated since it was added.",
                    "Restore the amendments as they were added; write a new amendment for any further correction.",
                )
            previous, on = digest, amendment.date


def advance(record: CycleRecord, to_stage: Stage, known_measures: Collection[str]) -> CycleRecord:
    """The record moved on to ``to_stage`` (the next stage), or a :class:`CycleStateError`."""
    if record.stage == "closed":
        raise rule_broken(
            record,
            "a closed cycle cannot move to another stage or be changed.",
            "Add an amendment to record a correction, or plan the next cycle in a new record.",
        )
    following = STAGES[STAGES.index(record.stage) + 1]
    if to_stage == "closed":
        raise rule_broken(
            record,
            "a cycle is closed by the close step, which records the date and a fingerprint of the record.",
            f"Close the cycle instead, with make cycle-close CYCLE={record.cycle_id} (add DATE=YYYY-MM-DD if it "
            "did not close today).",
        )
    if to_stage != following:
        raise rule_broken(
            record,
            f"it is at {record.stage.capitalize()} and can only move to {following.capitalize()} next, "
            f"not to {to_stage.capitalize()}.",
            "Move the cycle one stage at a time: Plan, Do, Study, Act, then close it.",
        )
    check_record(record, known_measures)
    _gate(record, to_stage, known_measures)
    if to_stage == "do":
        return record.model_copy(update={"stage": to_stage, "predictions_sha256": predictions_fingerprint(record)})
    return record.model_copy(update={"stage": to_stage})
