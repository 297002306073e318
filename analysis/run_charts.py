"""Run charts and I charts with the Anhøj rules, as qicharts2 0.8.1 computes them.

A chart is split into parts (e.g. one per PDSA cycle); each part has its own centre line (the
median on a run chart, the mean on an I chart) and its own runs analysis. Points that are missing
or lie exactly on the centre line are not *useful*: they neither break nor extend a run. On the
useful points (research note ``pdsa_de.md`` §2.2):

- longest run L = longest block of consecutive points on the same side of the centre line,
  signal if L > ``round(log2(n)) + 3``;
- crossings C = number of blocks - 1, signal if C < ``qbinom(0.05, n - 1, 0.5)``.

qicharts2 applies the rules to any number of points. evalcycle does not: with fewer than
``MIN_USEFUL_POINTS`` useful points a part gets ``RulesNotApplied`` instead of ``RunsSignals``, so a
report can never read a short series as "no signal" (research note §7.4, a design choice).
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from instruments.errors import InsufficientData

MIN_USEFUL_POINTS = 10
"""Fewest useful points for which the Anhøj rules are applied (qicharts2 vignette: "as few as 10")."""

# qicharts2's I chart: sigma = mean moving range / d2, moving ranges of 3.267 x their mean or more
# are screened out first (research note §2.2 and run_chart_vectors.json, vignette2_ichart).
_D2 = 1.128
_MOVING_RANGE_SCREEN = 3.267

ChartKind = Literal["run", "i"]
Floats = npt.NDArray[np.float64]


@dataclass(frozen=True)
class RunsSignals:
    """The Anhøj rules, applied: the two statistics, their limits and what they signal."""

    n_useful: int
    longest_run: int
    longest_run_max: int
    crossings: int
    crossings_min: int

    @property
    def long_run(self) -> bool:
        """A run longer than its limit (a run equal to the limit is not a signal)."""
        return self.longest_run > self.longest_run_max

    @property
    def few_crossings(self) -> bool:
        """Fewer crossings than their limit (there is no "too many crossings" signal)."""
        return self.crossings < self.crossings_min

    @property
    def signal(self) -> bool:
        """Non-random variation: either rule fired."""
        return self.long_run or self.few_crossings


@dataclass(frozen=True)
class RulesNotApplied:
    """Too few useful points for the rules: this part says nothing about signals either way."""

    n_useful: int
    minimum: int = MIN_USEFUL_POINTS

    @property
    def reason(self) -> str:
        return (
            f"run-chart rules not applied: {self.n_useful} useful "
            f"{'point' if self.n_useful == 1 else 'points'}, the rules need at least {self.minimum}"
        )


@dataclass(frozen=True)
class SigmaLimits:
    """I chart 3-sigma limits of one part, and the points (1-based) that fall outside them."""

    lower: float
    upper: float
    points_outside: tuple[int, ...]

    @property
    def signal(self) -> bool:
        return bool(self.points_outside)


@dataclass(frozen=True)
class ChartPoint:
    """One point of the series as drawn: its value (None if missing), part and centre line."""

    position: int
    value: float | None
    part: int
    centre_line: float
    useful: bool
    excluded: bool = False
    lower_limit: float | None = None
    upper_limit: float | None = None


@dataclass(frozen=True)
class ChartPart:
    """One part of the chart (positions 1-based, inclusive) with its own centre line and rules.

    ``n_obs`` counts the part's points that are not excluded, missing ones included (as qicharts2).
    """

    part: int
    first: int
    last: int
    baseline_last: int
    centre_line: float
    n_obs: int
    n_useful: int
    runs: RunsSignals | RulesNotApplied
    limits: SigmaLimits | None = None


@dataclass(frozen=True)
class RunChart:
    """A whole chart: ``kind`` is "run" (median) or "i" (mean and 3-sigma limits)."""

    kind: ChartKind
    points: tuple[ChartPoint, ...]
    parts: tuple[ChartPart, ...]


def anhoej_limits(n_useful: int) -> tuple[int, int]:
    """``(longest_run_max, crossings_min)`` for ``n_useful`` useful observations.

    ``round(log2(n)) + 3`` (Schilling 2012) and ``qbinom(0.05, n - 1, 0.5)`` (Chen 2010); the
    latter is the smallest x with P(X ≤ x) ≥ 0.05 for X ~ Binomial(n - 1, 1/2), worked out here in
    whole numbers (tests compare it with scipy's ``binom.ppf``; importing scipy.stats costs a second).
    """
    if n_useful < 1:
        raise ValueError(f"the Anhøj limits need at least 1 useful observation, got {n_useful}")
    longest_run_max = round(math.log2(n_useful)) + 3
    return longest_run_max, _binomial_half_quantile_5_percent(n_useful - 1)


def _binomial_half_quantile_5_percent(trials: int) -> int:
    """Smallest x with P(X ≤ x) ≥ 1/20 for X ~ Binomial(trials, 1/2), exactly (integer arithmetic)."""
    cumulative = 0
    for x in range(trials + 1):
        cumulative += math.comb(trials, x)
        if 20 * cumulative >= 2**trials:
            return x
    return trials


def runs_analysis(values: Iterable[float | None], centre_line: float) -> RunsSignals:
    """The Anhøj statistics of ``values`` against ``centre_line``, for any number of points.

    This is qicharts2's computation without evalcycle's minimum-points rule; reports should use
    ``run_chart`` or ``i_chart``, which withhold the rules from short series.
    """
    y = _as_floats(values)
    sides = np.sign(y[~np.isnan(y)] - centre_line)
    sides = sides[sides != 0]
    n_useful = int(sides.size)
    if n_useful == 0:
        raise ValueError("runs analysis needs at least 1 point off the centre line, got none")
    block_starts = np.flatnonzero(np.diff(sides) != 0) + 1
    block_lengths = np.diff(np.concatenate(([0], block_starts, [n_useful])))
    longest_run_max, crossings_min = anhoej_limits(n_useful)
    return RunsSignals(
        n_useful=n_useful,
        longest_run=int(block_lengths.max()),
        longest_run_max=longest_run_max,
        crossings=int(block_lengths.size - 1),
        crossings_min=crossings_min,
    )


def run_chart(
    values: Iterable[float | None],
    *,
    freeze: int | None = None,
    parts: Sequence[int] = (),
    exclude: Collection[int] = (),
) -> RunChart:
    """Run chart: median centre line per part, Anhøj rules per part (qicharts2 ``chart = "run"``).

    Positions are 1-based. ``parts`` lists the last point of every part but the final one
    (qicharts2 ``part = 24``: part 1 = points 1-24, part 2 = points 25 onwards). ``freeze = k``
    takes the first part's centre line from its points 1..k only (a baseline) and judges the whole
    part against it; it must lie in the first part (qicharts2 would leave later parts without a
    centre line). ``exclude`` lists points kept on the chart but left out of the centre line and the
    rules (e.g. a period known to be disrupted).
    """
    return _chart("run", values, freeze, parts, exclude)


def i_chart(
    values: Iterable[float | None],
    *,
    freeze: int | None = None,
    parts: Sequence[int] = (),
    exclude: Collection[int] = (),
) -> RunChart:
    """I chart: mean centre line and 3-sigma limits per part, with the Anhøj rules against the mean.

    Sigma is the mean moving range of the baseline points / 1.128, after dropping moving ranges of
    3.267 x their mean or more; a moving range is not taken across a missing point. Arguments as
    for ``run_chart``.
    """
    return _chart("i", values, freeze, parts, exclude)


def _chart(
    kind: ChartKind,
    values: Iterable[float | None],
    freeze: int | None,
    ends: Sequence[int],
    exclude: Collection[int],
) -> RunChart:
    y = _as_floats(values)
    bounds = _part_bounds(y.size, freeze, ends)
    included = np.ones(y.size, dtype=np.bool_)
    for position in exclude:
        if not 1 <= position <= y.size:
            raise ValueError(f"exclude must list positions between 1 and {y.size}, got {position}")
        included[position - 1] = False
    points: list[ChartPoint] = []
    chart_parts: list[ChartPart] = []
    for number, (first, last, baseline_last) in enumerate(bounds, start=1):
        part_values = y[first - 1 : last]
        part_included = included[first - 1 : last]
        baseline_all = y[first - 1 : baseline_last][part_included[: baseline_last - first + 1]]
        baseline = baseline_all[~np.isnan(baseline_all)]
        where = f"{'Run' if kind == 'run' else 'I'} chart, part {number} (points {first} to {last})"
        if baseline.size == 0:
            raise InsufficientData(
                where,
                "no value was recorded for the points that set the centre line, so there is no centre line.",
                "Record the measure for these periods, or join this part to its neighbour.",
            )
        centre = float(np.median(baseline)) if kind == "run" else float(np.mean(baseline))
        limits = _sigma_limits(where, part_values, baseline_all, centre, first) if kind == "i" else None
        analysed = part_values[part_included]
        useful = part_included & ~np.isnan(part_values) & (part_values != centre)
        n_useful = int(useful.sum())
        runs: RunsSignals | RulesNotApplied
        if n_useful < MIN_USEFUL_POINTS:
            runs = RulesNotApplied(n_useful=n_useful)
        else:
            runs = runs_analysis(analysed.tolist(), centre)
        chart_parts.append(
            ChartPart(number, first, last, baseline_last, centre, int(analysed.size), n_useful, runs, limits)
        )
        for offset, value in enumerate(part_values):
            points.append(
                ChartPoint(
                    position=first + offset,
                    value=None if math.isnan(value) else float(value),
                    part=number,
                    centre_line=centre,
                    useful=bool(useful[offset]),
                    excluded=not part_included[offset],
                    lower_limit=None if limits is None else limits.lower,
                    upper_limit=None if limits is None else limits.upper,
                )
            )
    return RunChart(kind, tuple(points), tuple(chart_parts))


def _sigma_limits(where: str, part_values: Floats, baseline: Floats, centre: float, first: int) -> SigmaLimits:
    moving_ranges = np.abs(np.diff(baseline))
    moving_ranges = moving_ranges[~np.isnan(moving_ranges)]
    if moving_ranges.size == 0:
        raise InsufficientData(
            where,
            "fewer than 2 consecutive values set the centre line, so there is no moving range to set the limits from.",
            "Record the measure for more periods before drawing an I chart, or use a run chart.",
        )
    mean_range = moving_ranges.mean()
    screened = moving_ranges[moving_ranges < _MOVING_RANGE_SCREEN * mean_range]
    sigma = float(screened.mean() if screened.size else mean_range) / _D2
    lower, upper = centre - 3 * sigma, centre + 3 * sigma
    outside = np.flatnonzero((part_values < lower) | (part_values > upper))
    return SigmaLimits(lower, upper, tuple(int(first + i) for i in outside))


def _part_bounds(n: int, freeze: int | None, ends: Sequence[int]) -> list[tuple[int, int, int]]:
    if n == 0:
        raise ValueError("a chart needs at least 1 point, got an empty series")
    cuts = [int(end) for end in ends]
    if any(not 1 <= end < n for end in cuts) or cuts != sorted(set(cuts)):
        raise ValueError(f"parts must be increasing positions between 1 and {n - 1}, got {list(ends)}")
    firsts = [1, *(end + 1 for end in cuts)]
    lasts = [*cuts, n]
    baselines = list(lasts)
    if freeze is not None:
        if not 1 <= freeze <= lasts[0]:
            raise ValueError(f"freeze must be a position between 1 and {lasts[0]} (the first part), got {freeze}")
        baselines[0] = freeze
    return list(zip(firsts, lasts, baselines, strict=True))


def _as_floats(values: Iterable[float | None]) -> Floats:
    y = np.array([np.nan if value is None or pd.isna(value) else float(value) for value in values])
    if np.isinf(y).any():
        raise ValueError("a chart value is infinite; only finite numbers (or missing values) can be charted")
    return y.astype(np.float64)
