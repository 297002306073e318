"""The report's "Measures over time": one run chart per measure and group, with the cycles marked.

The numbers come from ``analysis.measures`` (``SessionCharts.points`` and ``.parts``, handed over
by ``flows/``, since ``reports`` does not import ``analysis``); this module turns each series into
an accessible ``Figure`` (``reports.run_chart_figure``), keeps the table behind the charts for a
CSV file, and renders ``templates/_measures.html.j2`` as an HTML fragment for the cycle report and
the series overview.

What the section promises a reader:

- every session up to and including the report's cycle, one point each, a PDSA cycle boundary
  before each cycle's first session;
- the centre line is the median of the group's first cycle (its baseline), drawn over the whole
  series, and the Anhøj rules are applied to the whole series (``analysis.measures``);
- no count, mean or share from fewer than k people, in the charts, their tables or the CSV:
  withheld sessions are gaps, named as withheld; the section says how many points were withheld
  and why, never which rule withheld which point.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
import pandas as pd

from instruments.evaluation import Evaluation
from reports.charts import Figure
from reports.run_chart_figure import CycleBoundary, RunPart, RunPoint, run_chart_figure

_TEMPLATES = Path(__file__).parent / "templates"
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
PUBLISHED_COLUMNS = [
    "item_id",
    "measure",
    "group",
    "cycle_id",
    "session",
    "session_date",
    "n",
    "mean",
    "agree_share",
    "withheld",
    "position",
    "centre_line",
    "signal",
]


@dataclass(frozen=True)
class MeasureChart:
    """The run chart of one measure for one group; ``figure`` is None when every point is withheld."""

    item_id: str
    label: str
    question: str
    group: str
    figure_id: str
    figure: Figure | None
    points: int
    withheld: int


@dataclass(frozen=True)
class MeasuresSection:
    """What "Measures over time" shows for one cycle, and the table behind its charts."""

    cycle_id: str
    k: int
    charts: tuple[MeasureChart, ...]
    table: pd.DataFrame
    withheld_small: int
    withheld_complementary: int
    unplaced: int
    withheld_changed: int = 0

    @property
    def withheld(self) -> int:
        return self.withheld_small + self.withheld_complementary + self.withheld_changed

    @property
    def privacy_text(self) -> str:
        """The privacy sentence: how many points were withheld and why, no values."""
        if self.table.empty:
            return ""
        if not self.withheld:
            return f"Every session shown had at least {self.k} answers; no point was withheld."
        small = _count(self.withheld_small, "point")
        text = f"{_count(self.withheld, 'point')} withheld and left as gaps: {small} from fewer than {self.k} people"
        if self.withheld_changed:
            text += (
                f", {self.withheld_changed} whose count changed by fewer than {self.k} since an earlier report "
                "showed it (late answers), so that the two reports together describe no one"
            )
        if self.withheld_complementary:
            text += (
                f", and {self.withheld_complementary} more so that no withheld point can be worked out by "
                "subtracting the sessions shown from a cycle's totals"
            )
        return text + "."

    @property
    def unplaced_text(self) -> str:
        """Respondents left out for want of a group or session, in words that never count fewer than k."""
        if not self.unplaced:
            return ""
        if self.unplaced < self.k:
            return f"Fewer than {self.k} responses said no group or session date and are not in these charts."
        return f"{self.unplaced} responses said no group or session date and are not in these charts."

    def csv(self) -> str:
        """The table behind the charts as CSV text (withheld values empty), the same bytes every time."""
        return self.table.to_csv(index=False, lineterminator="\n", float_format="%.4f")


def build_measures_section(
    evaluation: Evaluation,
    cycle_id: str,
    points: pd.DataFrame,
    parts: pd.DataFrame,
    measures: Mapping[str, str],
    *,
    instrument_id: str,
    unplaced: int = 0,
    figure_prefix: str = "run",
) -> MeasuresSection:
    """The section for ``cycle_id`` from ``analysis.measures.measures_over_time(...)``'s points and parts.

    ``measures`` maps item ids to the short names the charts use, in the order to show them
    (``{"pf_safe": "Felt safe"}``). ``points`` must hold no cycle after ``cycle_id``: call the
    analysis with the cycles up to and including it, so its rules see only what was known then.
    """
    order = list(evaluation.cycle_ids())
    if cycle_id not in order:
        raise ValueError(f"{cycle_id!r} is not one of the evaluation's cycles ({', '.join(order)})")
    later = sorted(set(points["cycle_id"]) - set(order[: order.index(cycle_id) + 1]))
    if later:
        raise ValueError(f"the measures for {cycle_id} hold sessions of later or unknown cycles: {', '.join(later)}")
    instrument = evaluation.instrument(instrument_id)
    labels = _cycle_labels(evaluation)
    k = evaluation.privacy.k
    shown = points[points["item_id"].isin(list(measures))]
    reasons = shown.loc[shown["withheld"], "withheld_reason"]
    # One wording for every chart, so that no chart tells which of its gaps hides a small session.
    because = (
        f"fewer than {k} people, or hidden to protect such a point"
        if reasons.isin(["complementary", "changed since published"]).any()
        else None
    )
    charts = []
    for item_id, label in measures.items():
        for group, series in points[points["item_id"] == item_id].groupby("group", sort=False):
            series = series.sort_values("position")
            figure_id = f"{figure_prefix}-{_slug(item_id)}-{_slug(str(group))}"
            part_rows = parts[(parts["item_id"] == item_id) & (parts["group"] == group)]
            figure = None
            if not part_rows.empty:
                figure = _figure(f"{label}, {group}", series, part_rows.iloc[0], labels, k, figure_id, because)
            charts.append(
                MeasureChart(
                    item_id=item_id,
                    label=label,
                    question=instrument.item(item_id).text,
                    group=str(group),
                    figure_id=figure_id,
                    figure=figure,
                    points=len(series),
                    withheld=int(series["withheld"].sum()),
                )
            )
    return MeasuresSection(
        cycle_id=cycle_id,
        k=k,
        charts=tuple(charts),
        table=_published(shown, measures),
        withheld_small=int((~reasons.isin(["complementary", "changed since published"])).sum()),
        withheld_complementary=int((reasons == "complementary").sum()),
        unplaced=unplaced,
        withheld_changed=int((reasons == "changed since published").sum()),
    )


def render_measures_section(section: MeasuresSection, heading_level: int = 2) -> str:
    """The section as an HTML fragment (a ``<section>`` with an ``<h2>``), for a report to include."""
    return environment().get_template("_measures.html.j2").render(measures=section, heading_level=heading_level)


def environment() -> jinja2.Environment:
    """The jinja2 environment of the report templates (autoescaped, strict, deterministic)."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(_TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )


def _figure(
    measure: str,
    series: pd.DataFrame,
    part: pd.Series,
    labels: Mapping[str, str],
    k: int,
    figure_id: str,
    because: str | None,
) -> Figure:
    one_year = len({d.year for d in series["session_date"]}) == 1
    rows: list[dict[str, Any]] = [{str(key): value for key, value in row.items()} for row in series.to_dict("records")]
    run_points = [
        RunPoint(
            position=int(row["position"]),
            period=_period(str(row["session"]), row["session_date"], one_year),
            value=None if row["withheld"] else float(row["mean"]),
            useful=bool(row["useful"]),
            signal=bool(row["signal"]),
            withheld=bool(row["withheld"]),
        )
        for row in rows
    ]
    run_part = RunPart(
        number=1,
        first=int(part["first"]),
        last=int(part["last"]),
        centre_line=float(part["centre_line"]),
        n_useful=int(part["n_useful"]),
        rules_applied=bool(part["rules_applied"]),
        long_run=bool(part["long_run"]),
        few_crossings=bool(part["few_crossings"]),
    )
    boundaries: list[tuple[int, str]] = []
    for row in rows:
        cycle_id = str(row["cycle_id"])
        if not boundaries or boundaries[-1][1] != cycle_id:
            boundaries.append((int(row["position"]), cycle_id))
    cycle_lines = [CycleBoundary(position, labels.get(cycle_id, cycle_id)) for position, cycle_id in boundaries]
    centre_name = "median" if int(part["baseline_last"]) >= int(part["last"]) else "baseline median"
    return run_chart_figure(
        measure,
        run_points,
        [run_part],
        cycle_lines,
        k=k,
        figure_id=figure_id,
        centre_name=centre_name,
        withheld_because=because,
    )


def _published(points: pd.DataFrame, measures: Mapping[str, str]) -> pd.DataFrame:
    table = points.assign(
        measure=points["item_id"].map(dict(measures)),
        session_date=[d.isoformat() for d in points["session_date"]],
        mean=points["mean"].astype("float64").round(4),
        agree_share=points["agree_share"].astype("float64").round(4),
        centre_line=points["centre_line"].astype("float64").round(4),
    )
    hidden = table["withheld"].astype(bool)
    table["n"] = table["n"].astype("Int64").mask(hidden)
    table["mean"] = table["mean"].mask(hidden)
    table["agree_share"] = table["agree_share"].mask(hidden)
    return table[PUBLISHED_COLUMNS].reset_index(drop=True)


def _cycle_labels(evaluation: Evaluation) -> dict[str, str]:
    """Short cycle names for the chart: a title's words before any ':' or '(' ("Cycle 1")."""
    labels = {}
    for cycle in evaluation.cycles:
        short = re.split(r"[:(]", cycle.title, maxsplit=1)[0].strip()
        labels[cycle.id] = short or cycle.id
    return labels


def _period(session: str, date: dt.date, one_year: bool) -> str:
    """A session as the chart names it: "3 Mar" (with the year when the series spans years)."""
    if not re.fullmatch(r"\s*\d{4}-\d{2}-\d{2}\s*", session):
        return session
    day = f"{date.day} {_MONTHS[date.month - 1]}"
    return day if one_year else f"{day} {date.year}"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-") or "x"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
