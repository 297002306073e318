"""Measures over time: one point per group session, and its run chart, from participant feedback.

A participant-feedback survey names the group (a choice item) and the session (a text item the
survey link fills in with the session date, ``YYYY-MM-DD``); both are joined to the ratings by
``respondent_token`` within a cycle. For every chosen rating item and group this module gives one
point per session: its date, cycle, number of respondents, mean position and share agreeing
(upper half of the scale, as ``analysis.likert``).

Privacy (research note ``pdsa_de.md`` §5):

- a point from fewer than ``k`` respondents is **withheld**: kept as a row (so it is counted and
  leaves a gap in the chart) with no count, mean or share;
- the cycle report publishes each item's count and mean per cycle, so one withheld session could
  be worked out by subtracting the published sessions from those totals. Within every item, group
  and cycle, the withheld points must therefore cover at least ``k`` respondents together (or none):
  further points are withheld, fewest respondents first, until they do (``complementary``);
- a session's point already published (in an earlier cycle's report) whose n has changed by 1 to
  k - 1 since (late answers) is withheld, before the complementary step;
- a shown point's share agreeing is withheld when, with its count, it would tell that 1 to k - 1
  people agreed (or did not).

The run chart (``chart_sessions``), kept simple on purpose: one part per group and item, its
centre line the median of the **baseline**, the sessions of the group's first cycle (frozen, as
qicharts2 ``freeze``), and the Anhøj rules over the whole series against that line. A change the
team makes in a later cycle then shows as a shift away from the baseline, which is what a PDSA
series asks. No new part is started at a cycle boundary: a new centre line would hide the very
shift the change was meant to make. A point is marked as a signal when it belongs to a run longer
than the limit; "too few crossings" belongs to the whole part and marks no single point.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.run_charts import RulesNotApplied, run_chart
from analysis.suppression import shares_revealing_few
from instruments.errors import DefinitionError, InsufficientData
from instruments.evaluation import Evaluation, Instrument, Item

POINT_COLUMNS = [
    "item_id",
    "group",
    "cycle_id",
    "session",
    "session_date",
    "n",
    "mean",
    "agree_share",
    "withheld",
    "withheld_reason",
]
CHART_COLUMNS = [*POINT_COLUMNS, "position", "centre_line", "part", "useful", "signal"]
PART_COLUMNS = [
    "item_id",
    "group",
    "part",
    "first",
    "last",
    "baseline_last",
    "centre_line",
    "n_useful",
    "rules_applied",
    "long_run",
    "few_crossings",
]
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


@dataclass(frozen=True)
class SessionDesign:
    """Where the session series comes from: the instrument, its group and session items, the measures."""

    instrument_id: str
    group_item: str
    session_item: str
    groups: tuple[str, ...]
    items: tuple[str, ...]
    scale_points: tuple[int, ...]


@dataclass(frozen=True)
class SessionCharts:
    """The series with their run charts: ``points`` has ``CHART_COLUMNS``, ``parts`` ``PART_COLUMNS``.

    ``unplaced`` counts respondents left out because they gave no group or no session.
    """

    points: pd.DataFrame
    parts: pd.DataFrame
    unplaced: int

    @property
    def withheld(self) -> int:
        return int(self.points["withheld"].sum())


def session_design(
    evaluation: Evaluation,
    instrument_id: str,
    items: Sequence[str],
    *,
    group_item: str | None = None,
    session_item: str | None = None,
) -> SessionDesign:
    """The session series of ``instrument_id``: its group and session items, and the measures ``items``.

    Without ``group_item``, the instrument's one single-choice item is the group; without
    ``session_item``, its one text item whose id is ``session`` or ends in ``_session``.
    """
    where = f"evaluation, instrument {instrument_id}"
    instrument = next((i for i in evaluation.instruments if i.id == instrument_id), None)
    if instrument is None:
        raise DefinitionError(
            "evaluation, instruments",
            f"there is no instrument {instrument_id!r} to draw measures over time from.",
            f"Use one of the evaluation's instruments ({', '.join(i.id for i in evaluation.instruments)}).",
        )
    group = _group_item(instrument, group_item, where)
    session = _session_item(instrument, session_item, where)
    points = []
    for item_id in items:
        item = next((i for i in instrument.items if i.id == item_id), None)
        if item is None or item.scale is None:
            raise DefinitionError(
                where,
                f"{item_id!r} is not one of its rating items, so it cannot be drawn over time.",
                "Choose rating items of this instrument (items with a scale) as the measures.",
            )
        points.append(len(evaluation.scale(item.scale).labels))
    return SessionDesign(instrument.id, group.id, session.id, group.choices, tuple(items), tuple(points))


def _group_item(instrument: Instrument, item_id: str | None, where: str) -> Item:
    candidates = [i for i in instrument.items if i.choices and not i.multiple]
    chosen = [i for i in candidates if item_id is None or i.id == item_id]
    if len(chosen) != 1:
        problem = (
            f"{item_id!r} is not one of its single-choice items"
            if item_id is not None
            else f"it has {len(candidates)} single-choice items, and one must say which group a respondent came to"
        )
        raise DefinitionError(
            where,
            f"{problem}; measures over time are drawn per group.",
            "Give the survey one choice item listing the groups (e.g. `- {id: group, text: Which group?, "
            "choices: [...]}`), or name the group item when drawing the measures.",
        )
    return chosen[0]


def _session_item(instrument: Instrument, item_id: str | None, where: str) -> Item:
    texts = [i for i in instrument.items if i.kind == "text"]
    if item_id is None:
        chosen = [i for i in texts if i.id == "session" or i.id.endswith("_session")]
    else:
        chosen = [i for i in texts if i.id == item_id]
    if len(chosen) != 1:
        raise DefinitionError(
            where,
            "it has no session item (a text item whose id is 'session' or ends in '_session'), or more than one, "
            "so answers cannot be put in session order.",
            "Add one text item for the session date, filled in by the survey link as YYYY-MM-DD "
            "(e.g. `- {id: pf_session, text: Session date}`), and map the export's session column to it.",
        )
    return chosen[0]


def session_points(
    responses: pd.DataFrame,
    choices: pd.DataFrame,
    comments: pd.DataFrame,
    design: SessionDesign,
    cycles: Sequence[str],
    *,
    k: int,
    published: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, int]:
    """One row per measure, group and session (``POINT_COLUMNS``), and the count of unplaced respondents.

    ``published`` holds the points as reports already published them (``item_id``, ``group``,
    ``session``, ``n``; NA where withheld; a session may appear in several reports): a point whose
    n has since changed by 1 to k - 1 people (late answers to an earlier session) is withheld, as
    the two versions side by side would describe those few people.

    The frames follow the ``SurveyResponses``, ``SurveyChoices`` and ``SurveyComments`` contracts and
    may hold several cycles; only ``cycles`` are used, in that order. Rows come out by measure (in
    ``design.items`` order), group (in the order of its choices), then session date and cycle.
    """
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")
    key = ["cycle_id", "respondent_token"]
    wanted = list(cycles)

    def ours(frame: pd.DataFrame, item_ids: Sequence[str]) -> pd.DataFrame:
        mask = (
            (frame["instrument_id"] == design.instrument_id)
            & frame["item_id"].isin(list(item_ids))
            & frame["cycle_id"].isin(wanted)
        )
        return frame.loc[mask].astype({c: "object" for c in ("cycle_id", "respondent_token", "item_id")})

    ratings = ours(responses, design.items)
    groups = ours(choices, [design.group_item])
    groups = groups[groups["choice"].isin(design.groups)]
    groups = groups.groupby(key).filter(lambda rows: len(rows) == 1)[[*key, "choice"]]
    sessions = ours(comments, [design.session_item])[[*key, "text"]]
    dates = pd.Series([_session_date(str(t)) for t in sessions["text"]], index=sessions.index, dtype="object")
    sessions = sessions.assign(session_date=dates)
    _check_sessions(ratings, sessions, design, wanted)
    placed = groups.merge(sessions.dropna(subset=["session_date"]), on=key).rename(
        columns={"choice": "group", "text": "session"}
    )
    respondents = ratings[key].drop_duplicates()
    unplaced = len(respondents) - len(respondents.merge(placed[key], on=key))
    answers = placed.merge(ratings[[*key, "item_id", "value"]], on=key, how="left")
    answered = {
        key_: rows_["value"].astype("int64").to_numpy()
        for key_, rows_ in answers.dropna(subset=["item_id"]).groupby(["cycle_id", "group", "session", "item_id"])
    }
    rows = []
    for cycle_id, group, session, date in (
        placed[["cycle_id", "group", "session", "session_date"]]
        .drop_duplicates(subset=["cycle_id", "group", "session"])
        .itertuples(index=False)
    ):
        for item_id, points in zip(design.items, design.scale_points, strict=True):
            values = answered.get((cycle_id, group, session, item_id), np.array([], dtype=np.int64))
            n = int(values.size)
            withheld = n < k
            rows.append(
                {
                    "item_id": item_id,
                    "group": group,
                    "cycle_id": cycle_id,
                    "session": session,
                    "session_date": date,
                    "n": n,
                    "mean": float(values.mean()) if n else np.nan,
                    "agree_share": float((values > (points + 1) / 2).mean()) if n else np.nan,
                    "withheld": withheld,
                    "withheld_reason": f"fewer than {k}" if withheld else "",
                }
            )
    frame = pd.DataFrame(rows, columns=POINT_COLUMNS)
    if published is not None:
        frame = _changed_since_published(frame, published, k)
    frame = _complementary(frame, k)
    frame["_item"] = frame["item_id"].map({item: i for i, item in enumerate(design.items)})
    frame["_group"] = frame["group"].map({group: i for i, group in enumerate(design.groups)})
    frame["_cycle"] = frame["cycle_id"].map({cycle: i for i, cycle in enumerate(wanted)})
    frame = frame.sort_values(["_item", "_group", "session_date", "_cycle", "session"], kind="stable")
    frame = frame.drop(columns=["_item", "_group", "_cycle"]).reset_index(drop=True)
    hidden = frame["withheld"]
    frame["n"] = frame["n"].astype("Int64").mask(hidden)
    frame["mean"] = frame["mean"].astype("float64").mask(hidden)
    shares = frame["agree_share"].astype("float64").mask(hidden)
    # A shown session's share agreeing and its n must not tell that 1 to k - 1 people agreed.
    frame["agree_share"] = shares.mask(shares_revealing_few(shares, frame["n"], k).to_numpy())
    frame["withheld"] = frame["withheld"].astype("bool")
    return frame, int(unplaced)


def _session_date(text: str) -> dt.date | None:
    found = _DATE.search(text)
    if found is None:
        return None
    try:
        return dt.date(*(int(part) for part in found.groups()))
    except ValueError:
        return None


def _check_sessions(ratings: pd.DataFrame, sessions: pd.DataFrame, design: SessionDesign, cycles: list[str]) -> None:
    for cycle_id in cycles:
        where = f"{design.instrument_id}, item {design.session_item}, {cycle_id}"
        rated = ratings.loc[ratings["cycle_id"] == cycle_id, "respondent_token"].nunique()
        answered = sessions[sessions["cycle_id"] == cycle_id]
        if rated and answered.empty:
            raise InsufficientData(
                where,
                "no response in this cycle says which session it is about, so the measures cannot be put "
                "in session order.",
                f"Map the export's session column to item {design.session_item} under the instrument's "
                "exports in the evaluation, and make the survey link fill in the session date; then ingest "
                "the cycle's files again.",
            )
        unreadable = int(answered["session_date"].isna().sum())
        if unreadable:
            raise InsufficientData(
                where,
                f"{unreadable} of {len(answered)} answers to the session item are not dates written as "
                "YYYY-MM-DD (for example 2026-03-03), so their sessions cannot be put in time order.",
                "Make the survey link fill in the session date as YYYY-MM-DD, correct the session column "
                "of the export, and ingest the file again.",
            )


def _changed_since_published(frame: pd.DataFrame, published: pd.DataFrame, k: int) -> pd.DataFrame:
    """Withhold the shown points whose n differs by 1 to k - 1 from an n some report published."""
    key = ["item_id", "group", "session"]
    before = published.loc[published["n"].notna(), [*key, "n"]].astype({"n": "int64", "session": "object"})
    before = before.astype({c: "object" for c in key}).rename(columns={"n": "published_n"})
    now = frame.reset_index().astype({c: "object" for c in key}).merge(before, on=key, how="inner")
    now["change"] = (now["n"].astype("int64") - now["published_n"]).abs()
    small = now[(now["change"] > 0) & (now["change"] < k) & ~now["withheld"].astype(bool)]
    # What a reader could not know already: only the late answers of a point shown before.
    unknown = small.groupby("index")["change"].max()
    frame = frame.copy()
    frame.loc[unknown.index, "withheld"] = True
    frame.loc[unknown.index, "withheld_reason"] = "changed since published"
    frame.loc[unknown.index, _UNKNOWN] = unknown.to_numpy()
    return frame


#: A working column: how many of a withheld point's people a reader could not know from earlier
#: reports (its late answers); absent or NA, all of its n.
_UNKNOWN = "_unknown"


def _complementary(frame: pd.DataFrame, k: int) -> pd.DataFrame:
    """Withhold more points until each item, group and cycle's withheld points cover 0 or >= k people.

    A point withheld for its late answers covers only those: the rest was published before.
    """
    frame = frame.copy()
    unknown = frame[_UNKNOWN] if _UNKNOWN in frame else pd.Series(np.nan, index=frame.index)
    frame[_UNKNOWN] = unknown.fillna(frame["n"].astype("float64"))
    for _, block in frame.groupby(["item_id", "group", "cycle_id"], sort=True):
        covered = int(block.loc[block["withheld"], _UNKNOWN].sum())
        candidates = block[~block["withheld"]].sort_values(["n", "session_date", "session"], kind="stable")
        for index, n in zip(candidates.index, candidates["n"], strict=True):
            if covered == 0 or covered >= k:
                break
            frame.loc[index, "withheld"] = True
            frame.loc[index, "withheld_reason"] = "complementary"
            covered += int(n)
    return frame.drop(columns=[_UNKNOWN])


def chart_sessions(points: pd.DataFrame, cycles: Sequence[str], unplaced: int = 0) -> SessionCharts:
    """Run charts of ``session_points``'s series: baseline median of each group's first cycle, Anhøj rules.

    A series whose every point is withheld gets no part (and NaN centre lines): there is nothing
    to draw a centre line from.
    """
    charted = []
    parts = []
    rank = {cycle: i for i, cycle in enumerate(cycles)}
    for (item_id, group), series in points.groupby(["item_id", "group"], sort=False):
        series = series.reset_index(drop=True).assign(position=lambda s: s.index + 1)
        values = [
            None if withheld else float(mean) for mean, withheld in zip(series["mean"], series["withheld"], strict=True)
        ]
        recorded = series.loc[~series["withheld"], "cycle_id"]
        if recorded.empty:
            charted.append(series.assign(centre_line=np.nan, part=0, useful=False, signal=False))
            continue
        first_cycle = min(recorded, key=lambda c: rank[c])
        baseline_last = int(series.loc[series["cycle_id"].map(rank) <= rank[first_cycle], "position"].max())
        chart = run_chart(values, freeze=baseline_last)
        part = chart.parts[0]
        useful = [p.useful for p in chart.points]
        signal = [False] * len(values)
        long_run = False
        few_crossings = False
        if not isinstance(part.runs, RulesNotApplied):
            long_run, few_crossings = part.runs.long_run, part.runs.few_crossings
            if long_run:
                signal = _in_long_runs(values, useful, part.centre_line, part.runs.longest_run_max)
        charted.append(series.assign(centre_line=part.centre_line, part=1, useful=useful, signal=signal))
        parts.append(
            {
                "item_id": item_id,
                "group": group,
                "part": 1,
                "first": part.first,
                "last": part.last,
                "baseline_last": part.baseline_last,
                "centre_line": part.centre_line,
                "n_useful": part.n_useful,
                "rules_applied": not isinstance(part.runs, RulesNotApplied),
                "long_run": long_run,
                "few_crossings": few_crossings,
            }
        )
    if not charted:
        charted.append(
            points.assign(
                position=pd.Series(dtype="int64"),
                centre_line=pd.Series(dtype="float64"),
                part=pd.Series(dtype="int64"),
                useful=pd.Series(dtype="bool"),
                signal=pd.Series(dtype="bool"),
            )
        )
    frame = pd.concat(charted, ignore_index=True)
    return SessionCharts(frame[CHART_COLUMNS], pd.DataFrame(parts, columns=PART_COLUMNS), unplaced)


def _in_long_runs(values: list[float | None], useful: list[bool], centre: float, limit: int) -> list[bool]:
    """Which points belong to a run of useful points on one side of ``centre`` longer than ``limit``."""
    marks = [False] * len(values)
    run: list[int] = []
    side = 0.0
    for index, (value, counts) in enumerate(zip(values, useful, strict=True)):
        if not counts or value is None:
            continue
        here = float(np.sign(value - centre))
        if here != side:
            if len(run) > limit:
                for i in run:
                    marks[i] = True
            run, side = [], here
        run.append(index)
    if len(run) > limit:
        for i in run:
            marks[i] = True
    return marks


def measures_over_time(
    responses: pd.DataFrame,
    choices: pd.DataFrame,
    comments: pd.DataFrame,
    design: SessionDesign,
    cycles: Sequence[str],
    *,
    k: int,
    published: pd.DataFrame | None = None,
) -> SessionCharts:
    """``session_points`` then ``chart_sessions``: the series of ``cycles`` with their run charts."""
    points, unplaced = session_points(responses, choices, comments, design, cycles, k=k, published=published)
    return chart_sessions(points, cycles, unplaced)


def charted_measures(instrument: Instrument, predicted: Iterable[str]) -> dict[str, str]:
    """The rating items of ``instrument`` to chart over time, item id -> short name, in its order.

    These are the items the team's predictions name (``predicted`` holds measure ids such as
    ``participant-feedback.pf_safe``), since those are what the PDSA cycles test; with no such
    prediction, every rating item of the instrument.
    """
    rated = [item for item in instrument.items if item.scale is not None]
    named = set(predicted)
    chosen = [item for item in rated if f"{instrument.id}.{item.id}" in named] or rated
    return {item.id: item.short or item.text for item in chosen}
