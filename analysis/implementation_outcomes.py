"""Implementation outcomes of one cycle (Proctor et al. 2011; research/pdsa_de.md §4.2-§4.3, §5.4).

- **Scores** such as AIM, IAM and FIM (acceptability, appropriateness, feasibility): per person
  the mean of the score's items (``analysis.predictions.respondent_scores``), then the mean over
  people, n, and how many people fall in each of three bands. Nothing is shown from fewer than k
  people; band counts of 1 to k - 1 are withheld with complementary suppression
  (``analysis.suppression``), since the total (n) is published.
- **Item blocks** such as the staff-concerns self-assessment: each item as a distribution over
  its scale, withheld in the same way. An item's mean is shown only when none of its counts is
  withheld: a mean next to a partly withheld distribution would let a reader work out the
  withheld counts (two equations, two unknowns).
- **Reach**: responses and sessions per group, responses suppressed like any count of people.
- **Fidelity**: what the cycle record's Do log says (ran as planned, deviations, problems).

Results never hold a withheld value: withheld cells are ``pd.NA`` and counted.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.predictions import Measure, respondent_scores
from analysis.suppression import TOTAL, shares_revealing_few, suppress_small_cells
from instruments.cycle import CycleRecord

BANDS = ("under 3", "3 to under 4", "4 or more")
"""Bands of a 1-5 score: below the middle on average, in between, agreeing on average."""


@dataclass(frozen=True)
class ScoreSummary:
    """One score in one cycle. ``mean``/``n`` are None when fewer than k people have a score."""

    measure: Measure
    outcome: str
    n: int | None
    mean: float | None
    #: People per band (``BANDS``) and the total; withheld cells ``pd.NA``; None when n < k.
    bands: pd.DataFrame | None
    withheld: int


@dataclass(frozen=True)
class BlockSummary:
    """One item block in one cycle: per item n, counts per scale level, mean (or ``pd.NA``)."""

    table: pd.DataFrame
    levels: tuple[str, ...]
    withheld: int


@dataclass(frozen=True)
class Reach:
    """Responses (people) and sessions per group; responses withheld when 1 to k - 1."""

    table: pd.DataFrame
    withheld: int


@dataclass(frozen=True)
class Fidelity:
    as_planned: bool | None
    deviations: tuple[str, ...]
    problems: tuple[str, ...]
    unexpected: tuple[str, ...]


def band_of(score: float) -> str:
    return BANDS[0] if score < 3 else BANDS[1] if score < 4 else BANDS[2]


def score_summary(responses: pd.DataFrame, measure: Measure, outcome: str, k: int) -> ScoreSummary:
    """Mean, n and band counts of one score; all withheld when fewer than ``k`` people have a score."""
    scores = respondent_scores(responses, measure.instrument_id, measure.items)
    n = len(scores)
    if n < k:
        return ScoreSummary(measure, outcome, None, None, None, withheld=2 + len(BANDS) if n else 0)
    counts = pd.DataFrame(
        [[int((scores.map(band_of) == band).sum()) for band in BANDS]], columns=list(BANDS), index=["people"]
    )
    suppressed = suppress_small_cells(counts, k)
    if all_alike(counts, n, k):  # everyone in one band: the bands would tell each person's
        bands = suppressed.published.copy()
        bands[list(BANDS)] = pd.NA
        return ScoreSummary(measure, outcome, n, float(scores.mean()), bands, len(BANDS))
    return ScoreSummary(measure, outcome, n, float(scores.mean()), suppressed.published, suppressed.withheld)


def all_alike(counts: pd.DataFrame, n: int, k: int) -> bool:
    """Whether fewer than ``2 * k`` people all gave the one answer of a row of ``counts``.

    Then the counts, every one 0 or at least k, still tell each of those people's answer to
    anyone who knows who answered (a staff team does): they are withheld, and the mean with them.
    """
    return n < 2 * k and int(counts.iloc[0].max()) == n


def block_summary(
    responses: pd.DataFrame, instrument_id: str, items: Sequence[str], levels: Sequence[str], k: int
) -> BlockSummary:
    """Each item of a block as people per level of its scale, with n and a mean where safe.

    Columns: ``item_id``, ``n``, one per level, ``mean``. An item with fewer than ``k`` answers is
    withheld whole (n included); otherwise each row is suppressed on its own (its total is n), and
    one that fewer than ``2 * k`` people answered all alike (:func:`all_alike`) shows only its n.
    """
    levels = tuple(levels)
    rows: list[dict[str, object]] = []
    withheld = 0
    chosen = responses[responses["instrument_id"] == instrument_id]
    for item_id in items:
        values = chosen.loc[chosen["item_id"] == item_id, "value"].astype("int64")
        n = len(values)
        row: dict[str, object] = {"item_id": item_id}
        if n == 0:
            rows.append({**row, "n": pd.NA, **dict.fromkeys(levels, pd.NA), "mean": pd.NA})
            continue
        if n < k:
            rows.append({**row, "n": pd.NA, **dict.fromkeys(levels, pd.NA), "mean": pd.NA})
            withheld += len(levels) + 2
            continue
        counts = pd.DataFrame(
            [[int((values == position).sum()) for position in range(1, len(levels) + 1)]],
            columns=list(levels),
            index=[item_id],
        )
        suppressed = suppress_small_cells(counts, k)
        published = suppressed.published.iloc[0]
        if all_alike(counts, n, k):
            withheld += len(levels) + 1
            rows.append({**row, "n": published[TOTAL], **dict.fromkeys(levels, pd.NA), "mean": pd.NA})
            continue
        complete = suppressed.withheld == 0
        withheld += suppressed.withheld + (0 if complete else 1)
        rows.append(
            {
                **row,
                "n": published[TOTAL],
                **{level: published[level] for level in levels},
                "mean": float(values.mean()) if complete else pd.NA,
            }
        )
    table = pd.DataFrame(rows, columns=["item_id", "n", *levels, "mean"])
    for column in ("n", *levels):
        table[column] = table[column].astype("Int64")
    table["mean"] = table["mean"].astype("Float64")
    return BlockSummary(table, levels, withheld)


def reach(
    choices: pd.DataFrame,
    comments: pd.DataFrame,
    instrument_id: str,
    group_item: str,
    session_item: str | None,
    k: int,
) -> Reach:
    """Responses (people who named the group) and distinct sessions per group.

    ``choices`` follows ``SurveyChoices`` (the group is a choice item); ``comments`` follows
    ``SurveyComments`` (the session is a text item, e.g. a date filled in by the survey link).
    """
    groups = choices[(choices["instrument_id"] == instrument_id) & (choices["item_id"] == group_item)]
    if groups.empty:
        return Reach(pd.DataFrame(columns=["group", "responses", "sessions"]), 0)
    people = groups.groupby("choice")["respondent_token"].nunique().sort_index()
    counts = pd.DataFrame({"responses": people.astype("int64")})
    suppressed = suppress_small_cells(counts, k)
    table = suppressed.published.rename_axis("group").reset_index()
    table["sessions"] = pd.array([pd.NA] * len(table), dtype="Int64")
    if session_item is not None:
        sessions = comments[(comments["instrument_id"] == instrument_id) & (comments["item_id"] == session_item)]
        joined = groups.merge(sessions[["respondent_token", "text"]], on="respondent_token", how="inner")
        per_group = joined.groupby("choice")["text"].nunique()
        values = [per_group.get(g, 0) if g != TOTAL else int(per_group.sum()) for g in table["group"]]
        table["sessions"] = pd.array(np.asarray(values, dtype="int64"), dtype="Int64")
    return Reach(table[["group", "responses", "sessions"]], suppressed.withheld)


def fidelity(record: CycleRecord | None) -> Fidelity:
    """What the cycle record says about delivery as planned (empty without a record or Do log)."""
    if record is None or record.do is None:
        return Fidelity(None, (), (), ())
    do = record.do
    return Fidelity(do.as_planned, do.deviations, do.problems, do.unexpected)


@dataclass(frozen=True)
class RatingDistribution:
    """Rating items as people per answer group, ready for a diverging bar chart.

    ``table`` columns: ``item_id``, ``n`` (``pd.NA`` when fewer than k answered), ``suppressed``
    (fewer than k answered), ``partly_withheld`` (n is shown but some counts are not), then one
    column per entry of ``levels``. ``grouping`` says how the scale was grouped: ``"full"`` or
    ``"three"`` (disagree / neither / agree; only for odd scales of 5 points or more).
    """

    table: pd.DataFrame
    levels: tuple[str, ...]
    grouping: str
    withheld: int


def groupings(scale: Sequence[str]) -> dict[str, tuple[tuple[str, tuple[int, ...]], ...]]:
    """The ways a scale may be grouped, finest first: name -> ((label, 1-based positions), ...)."""
    labels = tuple(scale)
    points, half = len(labels), len(labels) // 2
    lower, upper = tuple(range(1, half + 1)), tuple(range(points - half + 1, points + 1))
    found: dict[str, tuple[tuple[str, tuple[int, ...]], ...]] = {
        "full": tuple((label, (position,)) for position, label in enumerate(labels, start=1))
    }
    if points % 2 and points > 3:
        found["three"] = (
            (" or ".join(labels[p - 1] for p in lower), lower),
            (labels[half], (half + 1,)),
            (" or ".join(labels[p - 1] for p in upper), upper),
        )
    return found


def rating_distributions(
    responses: pd.DataFrame, instrument_id: str, items: Sequence[str], scale: Sequence[str], k: int
) -> RatingDistribution:
    """People per answer for each item, grouped only as coarsely as needed for counts to be shown.

    The finest grouping (full scale, then three groups) in which every item answered by
    at least ``k`` people has no withheld count is used; if none manages that, the one that shows
    the most items in full (the finer on a tie). Each item's row is suppressed on its own, and an
    item that fewer than ``2 * k`` people answered all alike shows no counts either.
    """
    chosen = responses[responses["instrument_id"] == instrument_id]
    values = {item: chosen.loc[chosen["item_id"] == item, "value"].astype("int64") for item in items}
    eligible = [item for item in items if len(values[item]) >= k]
    best: RatingDistribution | None = None
    best_shown = -1
    for name, groups in groupings(scale).items():
        distribution = _distribution(values, groups, name, k)
        shown = int((~distribution.table["suppressed"] & ~distribution.table["partly_withheld"]).sum())
        if shown > best_shown:
            best, best_shown = distribution, shown
        if shown == len(eligible):
            return distribution
    assert best is not None
    return best


def _distribution(
    values: dict[str, pd.Series], groups: tuple[tuple[str, tuple[int, ...]], ...], name: str, k: int
) -> RatingDistribution:
    levels = tuple(label for label, _ in groups)
    rows: list[dict[str, object]] = []
    withheld = 0
    for item_id, answers in values.items():
        if len(answers) == 0:
            continue
        if len(answers) < k:
            rows.append({"item_id": item_id, "n": pd.NA, "suppressed": True, "partly_withheld": False})
            withheld += len(levels) + 1
            continue
        counts = pd.DataFrame(
            [[int(answers.isin(positions).sum()) for _, positions in groups]], columns=list(levels), index=[item_id]
        )
        suppressed = suppress_small_cells(counts, k)
        published = suppressed.published.iloc[0]
        partly = suppressed.withheld > 0 or all_alike(counts, len(answers), k)
        # An item not drawn in full shows none of its counts: its mean is published elsewhere
        # (rating summary, predictions), and mean + n + some counts would reveal the others.
        withheld += len(levels) if partly else 0
        rows.append(
            {
                "item_id": item_id,
                "n": published[TOTAL],
                "suppressed": False,
                "partly_withheld": partly,
                **{level: (pd.NA if partly else published[level]) for level in levels},
            }
        )
    table = pd.DataFrame(rows, columns=["item_id", "n", "suppressed", "partly_withheld", *levels])
    for column in ("n", *levels):
        table[column] = table[column].astype("Int64")
    table["suppressed"] = table["suppressed"].astype(bool)
    table["partly_withheld"] = table["partly_withheld"].astype(bool)
    return RatingDistribution(table, levels, name, withheld)


def scores_table(summaries: Sequence[ScoreSummary]) -> pd.DataFrame:
    """The scores as one published table: outcome, score, n, mean (2 decimals) and people per band."""
    rows = []
    for summary in summaries:
        bands = summary.bands.iloc[0] if summary.bands is not None else None
        rows.append(
            {
                "outcome": summary.outcome,
                "measure_id": summary.measure.measure_id,
                "score": summary.measure.label,
                "n": summary.n if summary.n is not None else pd.NA,
                "mean": round(summary.mean, 2) if summary.mean is not None else pd.NA,
                **{f"people {band}": (bands[band] if bands is not None else pd.NA) for band in BANDS},
            }
        )
    table = pd.DataFrame(rows, columns=["outcome", "measure_id", "score", "n", "mean", *(f"people {b}" for b in BANDS)])
    for column in ("n", *(f"people {b}" for b in BANDS)):
        table[column] = table[column].astype("Int64")
    table["mean"] = table["mean"].astype("Float64")
    return table


def guard_rating_summary(summary: pd.DataFrame, k: int, partly_withheld: Collection[str]) -> pd.DataFrame:
    """``analysis.likert.summarise_ratings`` output made safe to publish beside the distributions.

    A share agreeing is withheld when it reveals a count of 1 to k - 1 people (agreeing or not);
    a mean is withheld for an item whose published distribution has withheld counts
    (``partly_withheld``), since mean, n and the shown counts together would reveal them.
    """
    guarded = summary.copy()
    small = shares_revealing_few(guarded["agree_share"], guarded["n"], k)
    guarded["agree_share"] = guarded["agree_share"].astype("Float64").mask(small)
    hidden = guarded["item_id"].isin(list(partly_withheld))
    guarded["mean"] = guarded["mean"].astype("Float64").mask(hidden)
    return guarded
