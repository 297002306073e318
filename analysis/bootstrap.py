"""Percentile bootstrap intervals over units, computed on resampled contingency tables.

Resampling units with replacement and re-counting the table is the same as drawing the table's
cells from a multinomial with the observed cell shares, so one ``Generator.multinomial`` call
produces every replicate table at once (replicates x k x k numbers, never replicates x units).
Pooled statistics depend on how codes co-occur within a unit, so ``pooled_replicate_tables``
resamples whole units instead, in blocks that keep memory proportional to the number of units.

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
        percentile_interval(kernel(tables), batch_undefined(tables, kernel), NAMES[kernel], level) for kernel in kernels
    ]


def _unit_weights(units: int, size: int, rng: np.random.Generator) -> npt.NDArray[np.int64]:
    """How often each unit is drawn in ``size`` resamples of ``units`` units (size x units).

    One resample per row: counting ``units`` draws into ``units`` bins stays in cache, which is
    several times faster than one scattered count over the whole block.
    """
    weights = np.empty((size, units), dtype=np.int64)
    for row in weights:
        row[:] = np.bincount(rng.integers(0, units, size=units), minlength=units)
    return weights


def _onehot(cells: Sequence[npt.NDArray[np.int8]], codes: range, dtype: type) -> npt.NDArray[np.floating]:
    """units x (4 · codes): 1 where a unit falls in cell 0-3 of a code's table (blanks: none)."""
    onehot: npt.NDArray[np.floating] = np.zeros((cells[0].size, 4 * len(codes)), dtype=dtype)
    for j, code in enumerate(codes):
        for index in range(4):
            onehot[:, 4 * j + index] = cells[code] == index
    return onehot


def pooled_replicate_tables(
    cells: Sequence[npt.NDArray[np.int8]],
    *,
    replicates: int = REPLICATES,
    seed: int = SEED,
    block_bytes: int = 32 * 2**20,
) -> FloatArray:
    """Every code's 2x2 table on ``replicates`` resamples of whole units (replicates x codes x 2 x 2).

    ``cells`` holds, per code, each unit's cell of the 2x2 table (0 neither, 1 only B, 2 only A,
    3 both, 4 blank). Replicates are drawn in blocks: a block's unit weights (how often each unit
    is drawn) times the units' one-hot cells of a group of codes gives all those tables in one
    matrix product. Weights and one-hot cells each stay within ``block_bytes``, so memory grows
    with the number of units only. Counts are whole numbers below 2**24, exact in float32.
    """
    units = int(cells[0].size) if cells else 0
    if units == 0:
        raise ValueError("cannot resample zero units")
    dtype: type = np.float32 if units < 2**24 else np.float64
    itemsize = np.dtype(dtype).itemsize
    block = max(1, min(replicates, block_bytes // (itemsize * units)))
    group = max(1, min(len(cells), block_bytes // (itemsize * 4 * units)))
    groups = [range(first, min(first + group, len(cells))) for first in range(0, len(cells), group)]
    cached = _onehot(cells, groups[0], dtype) if len(groups) == 1 else None
    rng = np.random.default_rng(seed)
    tables = np.empty((replicates, len(cells), 4))
    for start in range(0, replicates, block):
        size = min(block, replicates - start)
        weights: npt.NDArray[np.floating] = _unit_weights(units, size, rng).astype(dtype)
        for codes in groups:
            onehot = cached if cached is not None else _onehot(cells, codes, dtype)
            product = (weights @ onehot).reshape(size, len(codes), 4)
            tables[start : start + size, codes.start : codes.stop] = product
    return tables.reshape(replicates, len(cells), 2, 2)
