"""A run chart as the report shows it: points, centre line per part, PDSA cycles, and what the rules said.

The numbers come from ``analysis.run_charts`` (converted in ``flows/``, since ``reports`` does not
import ``analysis``); this module only draws and words them (research note ``pdsa_de.md`` §2):

- points joined in time order; a missing or withheld value leaves a gap;
- each part's centre line (the median) drawn over that part, solid when the part shows no
  signal and dashed orange when it does; its value is printed under the chart with the outcome
  (not beside the line, where it would cover points);
- points that are part of a signal are orange **diamonds** (shape as well as colour), excluded
  points hollow circles, all other points filled blue circles; the key says so in words;
- every PDSA cycle boundary a labelled vertical line just before the cycle's first point;
- the rule outcome of every part printed under the chart: "no signal", "signal: long run",
  "signal: too few crossings", or "run-chart rules not applied: 7 useful points, the rules need
  at least 10" (which is not "no signal": the chart cannot tell either way).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from matplotlib import figure as mpl_figure
from matplotlib import transforms
from matplotlib.lines import Line2D

from reports.charts import DataTable, Figure, drawing, svg_of
from reports.palette import AXIS, BACKGROUND, SERIES, SIGNAL, TEXT

_MAX_PERIOD_LABELS = 8


@dataclass(frozen=True)
class _Marker:
    shape: str
    size: float
    edge: str
    face: str
    key: str


_MARKERS = {
    "plain-points": _Marker("o", 6, SERIES, SERIES, "value"),
    "signal-points": _Marker("D", 7.5, SIGNAL, SIGNAL, "part of a signal"),
    "excluded-points": _Marker("o", 7, SERIES, BACKGROUND, "excluded from the rules"),
}


@dataclass(frozen=True)
class RunPoint:
    """One period of the series. ``position`` is 1-based; ``period`` names it ("Week 3").

    ``value`` is None when nothing was recorded or when it is ``withheld`` (fewer than k people).
    ``useful`` is False for a point on the centre line; ``excluded`` points are drawn but left out
    of the centre line and the rules; ``signal`` marks a point that belongs to a signalling run.
    """

    position: int
    period: str
    value: float | None
    useful: bool = True
    excluded: bool = False
    signal: bool = False
    withheld: bool = False


@dataclass(frozen=True)
class RunPart:
    """One part of the chart (points ``first`` to ``last``), its centre line and its rule outcome."""

    number: int
    first: int
    last: int
    centre_line: float
    n_useful: int
    rules_applied: bool
    long_run: bool = False
    few_crossings: bool = False
    minimum_points: int = 10

    @property
    def signal(self) -> bool:
        return self.long_run or self.few_crossings

    @property
    def outcome(self) -> str:
        """The rule outcome in the words the chart prints."""
        if not self.rules_applied:
            noun = "point" if self.n_useful == 1 else "points"
            return (
                f"run-chart rules not applied: {self.n_useful} useful {noun}, "
                f"the rules need at least {self.minimum_points}"
            )
        found = [
            name for name, fired in (("long run", self.long_run), ("too few crossings", self.few_crossings)) if fired
        ]
        return f"signal: {' and '.join(found)}" if found else "no signal"


@dataclass(frozen=True)
class CycleBoundary:
    """A PDSA cycle starting at point ``position`` (the line is drawn just before it)."""

    position: int
    label: str


def run_chart_figure(
    measure: str,
    points: Sequence[RunPoint],
    parts: Sequence[RunPart],
    boundaries: Sequence[CycleBoundary] = (),
    *,
    k: int,
    figure_id: str = "run-chart",
    centre_name: str = "median",
    withheld_because: str | None = None,
) -> Figure:
    """The run chart of ``measure`` as a ``Figure``; ``k`` is used in the wording about withheld points.

    ``withheld_because`` replaces "fewer than k people" as the reason given for withheld points,
    for a chart where some points are withheld to protect others (complementary suppression).
    """
    points, parts = tuple(points), tuple(parts)
    _check(points, parts, boundaries)
    alt_text = _alt_text(measure, points, parts)
    description = _description(measure, points, parts, boundaries, k, centre_name, withheld_because)
    with drawing(figure_id):
        canvas = _draw(measure, points, parts, boundaries, k, centre_name, withheld_because)
        svg = svg_of(canvas, figure_id, alt_text)
    table = _table(measure, points, parts, k, centre_name, withheld_because)
    return Figure(figure_id, svg, alt_text, description, table)


def _check(points: tuple[RunPoint, ...], parts: tuple[RunPart, ...], boundaries: Sequence[CycleBoundary]) -> None:
    if not points:
        raise ValueError("a run chart needs at least 1 point, got none")
    positions = [p.position for p in points]
    if positions != list(range(1, len(points) + 1)):
        raise ValueError(f"run chart points must be numbered 1, 2, 3, ... in time order, got {positions}")
    for point in points:
        if point.withheld and point.value is not None:
            raise ValueError(f"point {point.position} ({point.period}) is withheld but still has a value")
    covered = [p for part in parts for p in range(part.first, part.last + 1)]
    if covered != positions:
        raise ValueError(f"the parts must cover points 1 to {len(points)} in order, once each")
    for part in parts:
        if not part.rules_applied and part.signal:
            raise ValueError(f"part {part.number} has a signal although its rules were not applied")
    for boundary in boundaries:
        if not 1 <= boundary.position <= len(points):
            raise ValueError(
                f"cycle boundary {boundary.label!r} is at point {boundary.position}, outside 1 to {len(points)}"
            )


def _draw(
    measure: str,
    points: tuple[RunPoint, ...],
    parts: tuple[RunPart, ...],
    boundaries: Sequence[CycleBoundary],
    k: int,
    centre_name: str,
    withheld_because: str | None = None,
) -> mpl_figure.Figure:
    canvas = mpl_figure.Figure(figsize=(7.5, 3.6))
    ax = canvas.add_axes((0.1, 0.25, 0.68, 0.6))
    x = [p.position for p in points]
    y = [math.nan if p.value is None else p.value for p in points]
    ax.plot(x, y, color=SERIES, linewidth=1.5, gid="series-line")
    groups = {
        "plain-points": [p for p in points if p.value is not None and not p.signal and not p.excluded],
        "signal-points": [p for p in points if p.value is not None and p.signal and not p.excluded],
        "excluded-points": [p for p in points if p.value is not None and p.excluded],
    }
    for name, members in groups.items():
        if members:
            marker = _MARKERS[name]
            ax.plot(
                [p.position for p in members],
                [p.value for p in members if p.value is not None],
                linestyle="none",
                marker=marker.shape,
                markersize=marker.size,
                color=marker.edge,
                markerfacecolor=marker.face,
                markeredgewidth=1.5,
                gid=name,
            )
    for part in parts:
        colour, dashes = (SIGNAL, "--") if part.signal else (AXIS, "-")
        ax.plot(
            [part.first - 0.4, part.last + 0.4],
            [part.centre_line] * 2,
            color=colour,
            linestyle=dashes,
            linewidth=1.5,
            gid=f"centre-{part.number}",
        )
    top = transforms.blended_transform_factory(ax.transData, ax.transAxes)
    for index, boundary in enumerate(boundaries):
        line_x = boundary.position - 0.5
        ax.axvline(line_x, color=AXIS, linewidth=1.2, linestyle=(0, (1.5, 2)), gid=f"boundary-{index}")
        ax.text(
            line_x,
            1.03 + 0.09 * (index % 2),
            boundary.label,
            transform=top,
            ha="left",
            va="bottom",
            color=TEXT,
            gid=f"boundary-label-{index}",
        )
    ax.set_xlim(0.5, len(points) + 0.5)
    step = math.ceil(len(points) / _MAX_PERIOD_LABELS)
    shown = points[::step]
    ax.set_xticks([p.position for p in shown], [p.period for p in shown])
    ax.set_ylabel(measure)
    ax.margins(y=0.15)
    handles = [Line2D([], [], color=AXIS, linewidth=1.5, label=f"{centre_name} (centre line)")]
    for name, members in groups.items():
        if members:
            marker = _MARKERS[name]
            handles.append(
                Line2D(
                    [],
                    [],
                    linestyle="none",
                    marker=marker.shape,
                    markersize=marker.size,
                    color=marker.edge,
                    markerfacecolor=marker.face,
                    markeredgewidth=1.5,
                    label=marker.key,
                )
            )
    if any(part.signal for part in parts):
        handles.append(
            Line2D(
                [],
                [],
                color=SIGNAL,
                linestyle="--",
                linewidth=1.5,
                label=f"{centre_name} of a part with a signal",
            )
        )
    if boundaries:
        handles.append(Line2D([], [], color=AXIS, linestyle=(0, (1.5, 2)), linewidth=1.2, label="a PDSA cycle starts"))
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.02, 1.0))
    ax.annotate(
        "\n".join(_notes(points, parts, k, centre_name, withheld_because)),
        xy=(0, 0),
        xycoords="axes fraction",
        xytext=(0, -30),
        textcoords="offset points",
        ha="left",
        va="top",
        color=TEXT,
        gid="outcomes",
        annotation_clip=False,
    )
    return canvas


def _notes(
    points: tuple[RunPoint, ...],
    parts: tuple[RunPart, ...],
    k: int,
    centre_name: str,
    withheld_because: str | None = None,
) -> list[str]:
    if len(parts) == 1:
        notes = [f"{centre_name.capitalize()} {_number(parts[0].centre_line)}. Rules (Anhøj): {parts[0].outcome}"]
    else:
        notes = [
            f"Points {part.first}\u2013{part.last}: {centre_name} {_number(part.centre_line)}; {part.outcome}"
            for part in parts
        ]
    withheld = [p.period for p in points if p.withheld]
    if withheld:
        notes.append(f"Not shown ({withheld_because or f'fewer than {k} people'}): {', '.join(withheld)}")
    return notes


def _number(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _span(points: tuple[RunPoint, ...], part: RunPart) -> str:
    return f"{points[part.first - 1].period} to {points[part.last - 1].period}"


def _alt_text(measure: str, points: tuple[RunPoint, ...], parts: tuple[RunPart, ...]) -> str:
    if len(parts) == 1:
        outcome = parts[0].outcome
    else:
        outcome = "; ".join(f"part {part.number}: {part.outcome}" for part in parts)
    return f"Run chart of {measure}, {len(points)} points from {points[0].period} to {points[-1].period}: {outcome}."


def _description(
    measure: str,
    points: tuple[RunPoint, ...],
    parts: tuple[RunPart, ...],
    boundaries: Sequence[CycleBoundary],
    k: int,
    centre_name: str,
    withheld_because: str | None = None,
) -> str:
    sentences = [f"The chart shows {measure} in time order, one point per period."]
    recorded = [p for p in points if p.value is not None]
    if recorded:
        low = min(recorded, key=lambda p: (p.value, p.position))
        high = max(recorded, key=lambda p: (p.value, -p.position))
        sentences.append(
            f"Values ranged from {_number(low.value or 0.0)} ({low.period}) "
            f"to {_number(high.value or 0.0)} ({high.period})."
        )
    for part in parts:
        prefix = "Over the whole series" if len(parts) == 1 else f"Part {part.number} ({_span(points, part)})"
        sentences.append(f"{prefix}: the {centre_name} was {_number(part.centre_line)}; {part.outcome}.")
    for boundary in boundaries:
        sentences.append(f"{boundary.label} starts at {points[boundary.position - 1].period}.")
    signal = [p.period for p in points if p.signal]
    if signal:
        sentences.append(f"Points in a signal (orange diamonds): {', '.join(signal)}.")
    excluded = [p.period for p in points if p.excluded]
    if excluded:
        sentences.append(f"Shown but left out of the {centre_name} and the rules: {', '.join(excluded)}.")
    withheld = [p.period for p in points if p.withheld]
    if withheld:
        if withheld_because:
            sentences.append(f"Not shown ({withheld_because}): {', '.join(withheld)}.")
        else:
            sentences.append(f"Not shown because fewer than {k} people were counted: {', '.join(withheld)}.")
    return " ".join(sentences)


def _table(
    measure: str,
    points: tuple[RunPoint, ...],
    parts: tuple[RunPart, ...],
    k: int,
    centre_name: str,
    withheld_because: str | None = None,
) -> DataTable:
    part_of = {p: part for part in parts for p in range(part.first, part.last + 1)}
    rows = []
    for point in points:
        if point.withheld:
            value, note = "withheld", f"withheld ({withheld_because or f'fewer than {k}'})"
        elif point.value is None:
            value, note = "", "not recorded"
        else:
            value = _number(point.value)
            note = "; ".join(
                text
                for text, applies in (
                    ("excluded from the rules", point.excluded),
                    ("part of a signal", point.signal),
                    (f"on the {centre_name} (not counted by the rules)", not point.useful and not point.excluded),
                )
                if applies
            )
        part = part_of[point.position]
        rows.append((str(point.position), point.period, value, _number(part.centre_line), str(part.number), note))
    columns = ("Point", "Period", measure, f"{centre_name.capitalize()} (centre line)", "Part", "Note")
    return DataTable(f"{measure}: the values behind the run chart", columns, tuple(rows))
