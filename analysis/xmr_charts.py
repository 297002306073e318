"""XmR charts with the NHS "Making Data Count" rules, as NHSRplotthedots 0.2.2 computes them.

An optional rule set beside the Anhøj run chart (research note ``pdsa_de.md`` §2.3). The mean of
all points is the centre line; process limits are mean ± 2.66 x mean moving range, the near limits
mean ± (2/3) x 2.66 x mean moving range. By default moving ranges of 3.267 x their mean or more are
screened out before the mean moving range is recomputed (``screen_outliers=False`` reproduces the
MDC Excel tools). A point is special cause if it is outside the limits, part of a 7-point trend,
part of 2 of 3 points beyond the near limits on the same side, or part of 7 or more consecutive
points on one side of the mean.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

RUN_LENGTH = 7
_LIMIT_FACTOR = 2.66
_MOVING_RANGE_SCREEN = 3.267

Flags = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class XmrChart:
    """Centre line, limits and the special-cause points (1-based) of one XmR chart."""

    mean: float
    mean_moving_range: float
    lower_limit: float
    upper_limit: float
    flagged_points: tuple[int, ...]


def xmr_chart(values: Sequence[float], *, screen_outliers: bool = True) -> XmrChart:
    """All four MDC rules on ``values`` (every point is baseline; no rebasing)."""
    y = np.asarray(values, dtype=np.float64)
    if y.size < 2 or not np.isfinite(y).all():
        raise ValueError(f"an XmR chart needs at least 2 finite values, got {y.size} values")
    mean = float(y.mean())
    moving_ranges = np.abs(np.diff(y))
    mean_range = float(moving_ranges.mean())
    if screen_outliers:
        kept = moving_ranges[moving_ranges < _MOVING_RANGE_SCREEN * mean_range]
        mean_range = float(kept.mean()) if kept.size else mean_range
    spread = _LIMIT_FACTOR * mean_range
    lower, upper = mean - spread, mean + spread
    near = spread * 2 / 3
    side = np.sign(y - mean).astype(np.int64)
    close = (y < mean - near) | (y > mean + near)
    flags = (
        (y < lower)
        | (y > upper)
        | part_of_seven_trend(seven_point_trend(y.tolist()).tolist())
        | part_of_seven_trend(seven_point_one_side_mean(side.tolist()).tolist())
        | two_in_three(close.tolist(), side.tolist())
    )
    return XmrChart(mean, mean_range, lower, upper, tuple(int(i) + 1 for i in np.flatnonzero(flags)))


def seven_point_one_side_mean(sides: Sequence[int]) -> Flags:
    """Flags each point that is the 7th or later of consecutive points on one side (1 or -1)."""
    return _run_lengths([int(s) for s in sides]) >= RUN_LENGTH


def seven_point_trend(values: Sequence[float]) -> Flags:
    """Flags each point that ends 7 or more strictly rising (or falling) points; a tie breaks it."""
    steps = [int(s) for s in np.sign(np.diff(np.asarray(values, dtype=np.float64)))]
    # a run of 6 equal, non-zero steps ends at the 7th point of the trend
    return np.concatenate(([False], _run_lengths(steps) >= RUN_LENGTH - 1))


def part_of_seven_trend(flags: Sequence[bool | int]) -> Flags:
    """Marks the 7 points ending at every flagged point."""
    flagged = np.asarray(flags, dtype=np.bool_)
    marked = np.zeros(flagged.size, dtype=np.bool_)
    for end in np.flatnonzero(flagged):
        marked[max(0, end - RUN_LENGTH + 1) : end + 1] = True
    return marked


def two_in_three(close: Sequence[bool | int], sides: Sequence[int]) -> Flags:
    """Marks every point of a window of 3 in which 2 or more lie beyond a near limit on one side."""
    beyond = np.asarray(close, dtype=np.bool_) * np.asarray(sides, dtype=np.int64)
    marked = np.zeros(beyond.size, dtype=np.bool_)
    for start in range(beyond.size - 2):
        window = beyond[start : start + 3]
        if (window > 0).sum() >= 2 or (window < 0).sum() >= 2:
            marked[start : start + 3] = True
    return marked


def _run_lengths(codes: list[int]) -> npt.NDArray[np.int64]:
    """Length so far of the run of equal codes ending at each position (0 for zero codes)."""
    lengths = np.zeros(len(codes), dtype=np.int64)
    for i, code in enumerate(codes):
        if code == 0:
            continue
        lengths[i] = lengths[i - 1] + 1 if i and codes[i - 1] == code else 1
    return lengths
