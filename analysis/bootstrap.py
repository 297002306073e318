"""Percentile bootstrap intervals over units, computed on resampled contingency tables.

Resampling units with replacement and re-counting the table is the same as drawing the table's
cells from a multinomial with the observed cell shares, so one ``Generator.multinomial`` call
produces every replicate table at once (replicates x k x k numbers, never replicates x units).
Pooled statistics depend on how codes co-occur within a unit, so ``pooled_replicates`` resamples
whole units instead, in blocks that keep memory proportional to the number of units.

The seed is fixed, so a report is reproducible. A percentile interval is only as good as the
sample: with few units (fewer than about 30) it is wide and its coverage is poor (Hughes 2021,
research note §3.5), and the report must say so. Replicates on which the coefficient is
undefined (e.g. a resample in which a reviewer never applied a rare code) are left out; if more
than the interval's tail share of them are undefined, no interval is given and the reason says
why.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from analysis.coefficients import NAMES, Kernel, batch_undefined

FloatArray = npt.NDArray[np.float64]
SEED = 20240601
REPLICATES = 2000


@dataclass(frozen=True)
class Interval:
    """A bootstrap interval, or the reason there is none (``low``/``high`` are then None)."""

    low: float | None
    high: float | None
    level: float
    replicates: int
    reason: str | None = None


def replicate_tables(table: npt.ArrayLike, replicates: int = REPLICATES, seed: int = SEED) -> FloatArray:
    """``replicates`` tables drawn as unit-resamples of ``table`` (shape replicates x k x k)."""
    t = np.asarray(table, dtype=np.int64)
    n = int(t.sum())
    if n == 0:
        raise ValueError("cannot resample a table with no units")
    rng = np.random.default_rng(seed)
    draws = rng.multinomial(n, t.ravel() / n, size=replicates)
    return draws.reshape(replicates, *t.shape).astype(np.float64)


def percentile_interval(
    values: FloatArray, undefined: npt.NDArray[np.bool_], name: str, level: float = 0.95
) -> Interval:
    """Percentile interval of the defined replicate values of one coefficient."""
    if not 0.5 < level < 1.0:
        raise ValueError(f"level must lie between 0.5 and 1, got {level}")
    tail = (1.0 - level) / 2
    replicates = int(values.size)
    if undefined.mean() > tail:
        share = f"{undefined.mean():.0%}"
        return Interval(
            None,
            None,
            level,
            replicates,
            f"{name} was undefined in {share} of the resampled data sets (the code is too rare or "
            "too common in these segments), so no interval is given",
        )
    low, high = np.quantile(values[~undefined], [tail, 1.0 - tail])
    return Interval(float(np.clip(low, -1, 1)), float(np.clip(high, -1, 1)), level, replicates)


def table_intervals(
    table: npt.ArrayLike,
    kernels: Sequence[Kernel],
    *,
    level: float = 0.95,
    replicates: int = REPLICATES,
    seed: int = SEED,
) -> list[Interval]:
    """One percentile interval per coefficient kernel, all from the same replicate tables."""
    tables = replicate_tables(table, replicates, seed)
    return [
        percentile_interval(kernel(tables), batch_undefined(tables, kernel), NAMES[kernel], level)
        for kernel in kernels
    ]


def pooled_replicate_tables(
    cells: Sequence[npt.NDArray[np.int8]],
    *,
    replicates: int = REPLICATES,
    seed: int = SEED,
    block_bytes: int = 64 * 2**20,
) -> FloatArray:
    """Every code's 2x2 table on ``replicates`` resamples of whole units (replicates x codes x 2 x 2).

    ``cells`` holds, per code, each unit's cell of the 2x2 table (0 neither, 1 only B, 2 only A,
    3 both, 4 blank). Each block of replicates draws how often every unit is taken (a multinomial
    over units) and counts each code's cells with those weights; a block holds at most
    ``block_bytes`` of weights, so memory stays proportional to the number of units.
    """
    units = int(cells[0].size) if cells else 0
    if units == 0:
        raise ValueError("cannot resample zero units")
    rng = np.random.default_rng(seed)
    block = max(1, min(replicates, block_bytes // (8 * units)))
    tables = np.empty((replicates, len(cells), 2, 2))
    for start in range(0, replicates, block):
        size = min(block, replicates - start)
        taken = rng.multinomial(units, np.full(units, 1.0 / units), size=size).astype(np.float64)
        for c, cell in enumerate(cells):
            for index in range(4):
                tables[start : start + size, c, index // 2, index % 2] = taken @ (cell == index)
    return tables
