"""Predictions against results: each prediction's measure computed from the validated answers.

A prediction names a measure (``instruments.cycle.Prediction``):

- ``instrument.item``: the mean scale position of one rating item, over the people who answered it;
- ``instrument.score``: a score of the evaluation (``instruments.evaluation.Score``), e.g.
  ``staff-survey.fim``: per respondent the mean of its items, counted only for respondents who
  answered every item (Weiner et al. 2017; research/pdsa_de.md §4.3), then the mean over them.

A value from fewer than k people is withheld (``value`` and ``n`` are None): neither the number
nor how few people answered is published. The team's written verdict stays the verdict of
record; :func:`check_predictions` puts it next to what the data say, so a reader sees both.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import pandas as pd

from instruments.cycle import CycleRecord
from instruments.evaluation import Evaluation

DataSay = Literal["met", "not met", "cannot tell"]


@dataclass(frozen=True)
class Measure:
    """How one measure is computed: which items of which instrument, and how it is named."""

    measure_id: str
    instrument_id: str
    items: tuple[str, ...]
    label: str
    points: int
    is_score: bool = False

    @property
    def rule(self) -> str:
        """The scoring rule in words, printed in the report."""
        if not self.is_score:
            return f"mean of the answers (1 to {self.points}) of everyone who answered"
        return (
            f"per person, the mean of its {len(self.items)} items (1 to {self.points}), for everyone who "
            "answered all of them; then the mean over those people"
        )


@dataclass(frozen=True)
class Observation:
    """A measure's value in one cycle; ``value`` and ``n`` are None when withheld or without data."""

    measure_id: str
    value: float | None
    n: int | None
    withheld: bool = False

    @property
    def available(self) -> bool:
        return self.value is not None


@dataclass(frozen=True)
class PredictionCheck:
    """One prediction, what the data say about it, and the team's verdict."""

    question_id: str
    question: str
    statement: str
    measure: Measure
    expect: str
    threshold: float | None
    observed: Observation
    previous: Observation | None
    data_say: DataSay
    reason: str
    team_verdict: str | None
    team_observed: str | None
    learning: str | None

    @property
    def agrees(self) -> bool | None:
        """Whether the team's verdict matches what the data say (None when the data cannot tell)."""
        if self.data_say == "cannot tell" or self.team_verdict is None:
            return None
        return self.data_say == self.team_verdict


def measures(evaluation: Evaluation) -> dict[str, Measure]:
    """Every measure of the evaluation by id (rating items and scores)."""
    found: dict[str, Measure] = {}
    for instrument in evaluation.instruments:
        for item in instrument.items:
            if item.scale is not None:
                points = len(evaluation.scale(item.scale).labels)
                found[f"{instrument.id}.{item.id}"] = Measure(
                    f"{instrument.id}.{item.id}", instrument.id, (item.id,), item.text, points
                )
        for score in instrument.scores:
            scale = instrument.item(score.items[0]).scale
            points = len(evaluation.scale(scale).labels) if scale else 0
            found[f"{instrument.id}.{score.id}"] = Measure(
                f"{instrument.id}.{score.id}", instrument.id, score.items, score.label, points, is_score=True
            )
    return found


def respondent_scores(responses: pd.DataFrame, instrument_id: str, items: Sequence[str]) -> pd.Series:
    """Per respondent, the mean of ``items``; respondents who skipped any of them are left out.

    ``responses`` follows the ``SurveyResponses`` contract. The result is indexed by
    ``respondent_token``, sorted, as float.
    """
    if not items:
        raise ValueError("a score needs at least one item")
    chosen = responses[(responses["instrument_id"] == instrument_id) & responses["item_id"].isin(list(items))]
    wide = chosen.pivot_table(index="respondent_token", columns="item_id", values="value", aggfunc="first")
    wide = wide.reindex(columns=list(items))
    complete = wide.dropna()
    return complete.astype("float64").mean(axis=1).sort_index().rename("score")


def observe(responses: pd.DataFrame, measure: Measure, k: int, hidden: Collection[str] = ()) -> Observation:
    """The measure's value and n in ``responses`` (one cycle); withheld when fewer than ``k`` people.

    ``hidden`` are measure ids whose value is withheld anyway: their distribution is published with
    withheld counts, which the mean would reveal (``analysis.implementation_outcomes``).
    """
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")
    scores = respondent_scores(responses, measure.instrument_id, measure.items)
    n = len(scores)
    if n == 0:
        return Observation(measure.measure_id, None, None)
    if n < k or measure.measure_id in hidden:
        return Observation(measure.measure_id, None, None, withheld=True)
    return Observation(measure.measure_id, float(scores.mean()), n)


def judge(
    expect: str, threshold: float | None, observed: Observation, previous: Observation | None
) -> tuple[DataSay, str]:
    """What the data say about a prediction, with the reason in words (values shown to 2 decimals)."""
    if observed.withheld:
        return "cannot tell", "withheld by the privacy rule (too few people, or it would reveal withheld counts)"
    if observed.value is None:
        return "cannot tell", "no answers in this cycle"
    value = round(observed.value, 2)
    if expect in ("at least", "at most"):
        if threshold is None:
            return "cannot tell", "the prediction has no threshold"
        met = value >= threshold if expect == "at least" else value <= threshold
        return ("met" if met else "not met"), f"{value:.2f} against {expect} {threshold:g}"
    if previous is None or previous.value is None:
        why = "withheld" if previous is not None and previous.withheld else "no value"
        return "cannot tell", f"the previous cycle has {why} to compare with"
    before = round(previous.value, 2)
    change = round(value - before, 2)
    if expect == "no change":
        return (
            "cannot tell",
            f"changed by {change:+.2f} (from {before:.2f}); whether that is 'no change' is the team's call",
        )
    met = change > 0 if expect == "increase" else change < 0
    return ("met" if met else "not met"), f"{before:.2f} before, {value:.2f} now ({change:+.2f})"


def check_predictions(
    record: CycleRecord,
    known: Mapping[str, Measure],
    responses: pd.DataFrame,
    previous_responses: pd.DataFrame | None,
    k: int,
    hidden: Collection[str] = (),
    previous_hidden: Collection[str] = (),
) -> tuple[PredictionCheck, ...]:
    """Every prediction of ``record`` with its observed value, next to the team's result.

    ``responses`` are this cycle's rating answers; ``previous_responses`` those of the cycle before
    (needed for ``increase``, ``decrease`` and ``no change``), or None. ``hidden`` and
    ``previous_hidden``: measure ids withheld in either cycle (see :func:`observe`).
    """
    results = {r.question: r for r in record.study.results} if record.study else {}
    checks = []
    for question in record.plan.questions:
        prediction = question.prediction
        if prediction is None:
            continue
        measure = known.get(prediction.measure)
        if measure is None:
            raise ValueError(f"prediction {question.id} names measure {prediction.measure!r}, which is not known")
        observed = observe(responses, measure, k, hidden)
        previous = observe(previous_responses, measure, k, previous_hidden) if previous_responses is not None else None
        data_say, reason = judge(prediction.expect, prediction.threshold, observed, previous)
        result = results.get(question.id)
        checks.append(
            PredictionCheck(
                question_id=question.id,
                question=question.text,
                statement=prediction.statement,
                measure=measure,
                expect=prediction.expect,
                threshold=prediction.threshold,
                observed=observed,
                previous=previous,
                data_say=data_say,
                reason=reason,
                team_verdict=result.verdict if result else None,
                team_observed=result.observed if result else None,
                learning=result.learning if result else None,
            )
        )
    return tuple(checks)


def predictions_table(checks: Sequence[PredictionCheck]) -> pd.DataFrame:
    """The predictions-vs-results table as published (values rounded to 2 decimals, withheld as NA)."""

    def shown(observation: Observation | None) -> object:
        return round(observation.value, 2) if observation is not None and observation.value is not None else pd.NA

    rows = [
        {
            "question_id": c.question_id,
            "measure_id": c.measure.measure_id,
            "expect": c.expect,
            "threshold": c.threshold if c.threshold is not None else pd.NA,
            "value": shown(c.observed),
            "n": c.observed.n if c.observed.n is not None else pd.NA,
            "previous_value": shown(c.previous),
            "data_say": c.data_say,
            "reason": c.reason,
            "rule": c.measure.rule,
            "team_verdict": c.team_verdict or "",
            "team_observed": c.team_observed or "",
            "learning": c.learning or "",
        }
        for c in checks
    ]
    columns = ["question_id", "measure_id", "expect", "threshold", "value", "n", "previous_value", "data_say", "reason"]
    table = pd.DataFrame(rows, columns=[*columns, "rule", "team_verdict", "team_observed", "learning"])
    table["n"] = table["n"].astype("Int64")
    for column in ("threshold", "value", "previous_value"):
        table[column] = table[column].astype("Float64")
    return table
