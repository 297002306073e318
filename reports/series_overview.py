"""The series overview: every PDSA cycle on one page, with its decision, and the measures across cycles.

One self-contained, accessible HTML page (no external files) that a program team reads to see
the whole series at once: per cycle its title, dates, how its predictions turned out (met, not
met, inconclusive, still waiting), its decision (adopt, adapt or abandon) with the rationale, and
a link to its own report; then the run charts over all cycles (``reports.measures_section``).
A cycle of the evaluation without a record is listed and said to have none, not left out.
The page is meant for ``published/series/overview.html``, beside ``published/<cycle>/``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from instruments.cycle import CycleRecord
from instruments.cycle_series import Counts, counts
from instruments.evaluation import Evaluation
from reports.measures_section import MeasuresSection, environment

_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_STAGES = {"plan": "Plan", "do": "Do", "study": "Study", "act": "Act", "closed": "closed"}


@dataclass(frozen=True)
class CycleSummary:
    """One cycle as the overview lists it; ``record`` False means no cycle record was found."""

    cycle_id: str
    title: str
    record: bool
    report_link: str
    dates: str = ""
    stage: str = ""
    change_idea: str = ""
    scale: str = ""
    decision: str = ""
    rationale: str = ""
    next_cycle: str = ""
    met: int = 0
    not_met: int = 0
    inconclusive: int = 0
    awaiting: int = 0

    @property
    def predictions_text(self) -> str:
        total = self.met + self.not_met + self.inconclusive + self.awaiting
        if not total:
            return "No prediction was recorded."
        parts = [f"{self.met} met", f"{self.not_met} not met", f"{self.inconclusive} inconclusive"]
        if self.awaiting:
            parts.append(f"{self.awaiting} still waiting for a result")
        return f"{_count(total, 'prediction')}: {', '.join(parts)}."


@dataclass(frozen=True)
class SeriesOverview:
    evaluation_title: str
    organisation: str
    aim: str
    cycles: tuple[CycleSummary, ...]
    totals: Counts
    measures: MeasuresSection | None

    @property
    def totals_text(self) -> str:
        t = self.totals
        judged = t.met + t.not_met + t.inconclusive
        text = (
            f"Across the series, {judged} predictions have a result: {t.met} met, {t.not_met} not met, "
            f"{t.inconclusive} inconclusive"
        )
        text += f"; {t.awaiting_result} still waiting." if t.awaiting_result else "."
        decided = t.adopted + t.adapted + t.abandoned
        if decided:
            text += (
                f" Closed cycles decided to adopt {t.adopted} "
                f"{'time' if t.adopted == 1 else 'times'}, adapt {t.adapted} and abandon {t.abandoned}."
            )
        return text


def build_series_overview(
    evaluation: Evaluation, records: Sequence[CycleRecord], measures: MeasuresSection | None = None
) -> SeriesOverview:
    """The overview of the evaluation's cycles, in the evaluation's order, from whatever records exist.

    ``measures`` is the measures section built for the latest cycle (all sessions so far); without
    it the page says that no measures are charted.
    """
    by_id = {record.cycle_id: record for record in records}
    summaries = []
    for cycle in evaluation.cycles:
        link = f"../{cycle.id}/report.html"
        record = by_id.get(cycle.id)
        if record is None:
            summaries.append(CycleSummary(cycle.id, cycle.title, record=False, report_link=link))
            continue
        tally = counts([record])
        summaries.append(
            CycleSummary(
                cycle_id=cycle.id,
                title=f"Cycle {record.number}: {record.title}",
                record=True,
                report_link=link,
                dates=_dates(record),
                stage=_STAGES[record.stage],
                change_idea=record.plan.change_idea,
                scale=_scale(record),
                decision=record.act.decision if record.act else "",
                rationale=record.act.rationale if record.act else "",
                next_cycle=record.act.next_cycle if record.act else "",
                met=tally.met,
                not_met=tally.not_met,
                inconclusive=tally.inconclusive,
                awaiting=tally.awaiting_result,
            )
        )
    known = [by_id[c.id] for c in evaluation.cycles if c.id in by_id]
    aims = sorted({record.aim for record in known})
    return SeriesOverview(
        evaluation_title=evaluation.title,
        organisation=evaluation.organisation,
        aim=aims[-1] if aims else "",
        cycles=tuple(summaries),
        totals=counts(known),
        measures=measures,
    )


def render_series_overview(overview: SeriesOverview) -> str:
    """The overview as one self-contained HTML page."""
    return environment().get_template("series_overview.html.j2").render(overview=overview)


def _dates(record: CycleRecord) -> str:
    d = record.dates
    if d.actual_start is not None:
        end = f" to {_day(d.actual_end)}" if d.actual_end is not None else " (still running)"
        return f"{_day(d.actual_start)}{end}"
    if d.planned_start is not None:
        end = f" to {_day(d.planned_end)}" if d.planned_end is not None else ""
        return f"planned {_day(d.planned_start)}{end}"
    return ""


def _day(day: dt.date) -> str:
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _scale(record: CycleRecord) -> str:
    """Who took part, how many and where, as the plan set it (research §1.5: show the scale grow)."""
    scale = record.plan.scale
    if scale is None:
        return ""
    return f"{scale.who}; {scale.how_many} people planned; {scale.where}"
