"""Agreement over all codes, two ways that must not be confused (research note §3.4, §7.2).

- De Vries et al. (2008) pooled kappa: (mean p_o - mean p_e) / (1 - mean p_e), the means taken
  over codes; Dedoose reports this one.
- The stacked table: every code x segment decision in one 2x2 table; its alpha is the pooled
  alpha. Its kappa would be a third, different number, so it is not given.

Pooled intervals resample whole segments (a segment carries all its codes), from the per-unit
cells of ``contingency.unit_cells``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from types import MappingProxyType

import numpy as np
import numpy.typing as npt

from analysis import coefficients as co
from analysis.bootstrap import REPLICATES, SEED, percentile_interval, pooled_replicate_tables
from analysis.contingency import BinaryCounts
from analysis.estimates import PER_CODE, CodeAgreement, Estimate, code_agreement

FloatArray = npt.NDArray[np.float64]
STACKED_LABEL = "all codes (stacked table)"


@dataclass(frozen=True)
class PooledAgreement:
    """De Vries pooled kappa, and every other coefficient on the stacked table (``stacked``)."""

    codes: int
    de_vries_kappa: Estimate
    stacked: CodeAgreement


def _de_vries(tables: FloatArray) -> tuple[FloatArray, npt.NDArray[np.bool_]]:
    """De Vries pooled kappa of (..., codes, 2, 2) tables; codes without units are skipped."""
    has_units = tables.sum(axis=(-2, -1)) > 0
    observed = co.batch_percent_agreement(tables)
    _, _, rows, cols = co.table_parts(tables)
    chance = (rows * cols).sum(axis=-1)
    used = np.maximum(has_units.sum(axis=-1), 1)
    mean_observed = (observed * has_units).sum(axis=-1) / used
    mean_chance = (chance * has_units).sum(axis=-1) / used
    undefined = co.batch_undefined(tables.sum(axis=-3), co.batch_cohen_kappa)
    return co.beyond_chance(mean_observed, mean_chance), undefined


def _pooled_problem(stacked: BinaryCounts) -> str | None:
    if co.undefined_reason(stacked.table(), co.batch_cohen_kappa, "All codes") is None:
        return None
    if stacked.units == 0:
        return "no segment was coded by both reviewers on any code, so there is nothing to compare"
    a_constant = stacked.both + stacked.only_a in (0, stacked.units)
    reviewer = "A" if a_constant else "B"
    applied = stacked.both + (stacked.only_a if a_constant else stacked.only_b)
    did = "never applied any code" if applied == 0 else "applied every code to every segment"
    return f"reviewer {reviewer} {did}, so agreement beyond chance over all codes is undefined"


def pooled_agreement(
    counts: list[BinaryCounts],
    *,
    cells: list[npt.NDArray[np.int8]] | None = None,
    level: float | None = 0.95,
    replicates: int = REPLICATES,
    seed: int = SEED,
) -> PooledAgreement:
    """De Vries pooled kappa and the stacked-table coefficients over all codes.

    Every code with at least one compared segment takes part, including codes whose own kappa
    is undefined (that is what pooling is for). Bootstrap intervals (pooled kappa; stacked
    alpha, AC1 and PABAK) need ``level`` and ``cells`` (``contingency.unit_cells``): pooled
    resamples must take whole segments, which the tables alone cannot do.
    """
    stacked = sum(counts, BinaryCounts(0, 0, 0, 0, 0))
    estimates = dict(code_agreement(stacked, STACKED_LABEL, level=None).estimates)
    estimates["kappa"] = Estimate(None, "kappa over all codes is the De Vries pooled kappa, shown on its own row")
    problem = _pooled_problem(stacked)
    if problem is None:
        tables = np.stack([c.table() for c in counts]).astype(np.float64)
        kappa = Estimate(float(_de_vries(tables)[0]))
    else:
        kappa = Estimate(None, problem)
    if level is not None and cells is not None and stacked.units > 0:
        resampled = pooled_replicate_tables(cells, replicates=replicates, seed=seed)
        if kappa.value is not None:
            values, undefined = _de_vries(resampled)
            kappa = replace(kappa, interval=percentile_interval(values, undefined, "pooled kappa", level))
        sums = resampled.sum(axis=1)
        for name in ("alpha", "ac1", "pabak"):
            if estimates[name].value is not None:
                kernel = PER_CODE[name]
                found = percentile_interval(kernel(sums), co.batch_undefined(sums, kernel), co.NAMES[kernel], level)
                estimates[name] = replace(estimates[name], interval=found)
    return PooledAgreement(len(counts), kappa, CodeAgreement(STACKED_LABEL, stacked, MappingProxyType(estimates)))
