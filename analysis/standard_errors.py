"""Analytic standard errors and intervals for two-reviewer kappa and AC1 (for comparison).

evalcycle's own intervals are the bootstrap of ``analysis.bootstrap``. These closed forms are
what other tools print, so a reader can compare like with like, and so the published examples
(SAS PROC FREQ; Gwet 2014 / irrCAC) can be reproduced (reference README §1.2):

- ``kappa_ase``: the large-sample standard error of Fleiss, Cohen & Everitt (1969) printed by SAS
  and statsmodels; its interval is kappa ± z·ASE (normal);
- ``gwet_kappa_se`` and ``gwet_ac1_se``: Gwet's variance estimators (no assumption that raters
  are independent); irrCAC's interval is estimate ± t(n-1)·SE with the upper end cut at 1.

All are large-sample approximations and are unreliable with few units (research note §3.5).
"""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np
import numpy.typing as npt

from analysis.coefficients import cohen_kappa, gwet_ac1

FloatArray = npt.NDArray[np.float64]


def _shares(table: npt.ArrayLike) -> tuple[FloatArray, float, FloatArray, FloatArray]:
    t = np.asarray(table, dtype=np.float64)
    n = float(t.sum())
    p = t / n
    return p, n, p.sum(axis=1), p.sum(axis=0)


def kappa_ase(table: npt.ArrayLike, *, where: str = "These codings") -> float:
    """SAS / statsmodels asymptotic standard error of unweighted Cohen's kappa."""
    kappa = cohen_kappa(table, where=where)
    p, n, rows, cols = _shares(table)
    chance = float((rows * cols).sum())
    # weight of cell (i, j): column share of i plus row share of j
    spread = cols[:, None] + rows[None, :]
    diagonal = np.diag(p) * (1 - (rows + cols) * (1 - kappa)) ** 2
    off = p * spread**2 * (1 - kappa) ** 2
    np.fill_diagonal(off, 0.0)
    variance = (diagonal.sum() + off.sum() - (kappa - chance * (1 - kappa)) ** 2) / ((1 - chance) ** 2 * n)
    return math.sqrt(max(float(variance), 0.0))


def gwet_kappa_se(table: npt.ArrayLike, *, where: str = "These codings") -> float:
    """Gwet's standard error of Cohen's kappa (irrCAC ``kappa2.table``, infinite population)."""
    kappa = cohen_kappa(table, where=where)
    p, n, rows, cols = _shares(table)
    chance = float((rows * cols).sum())
    observed = float(np.trace(p))
    agree = np.eye(p.shape[0])
    term = (agree - (1 - kappa) * (cols[:, None] + rows[None, :])) ** 2
    variance = ((p * term).sum() - (observed - 2 * (1 - kappa) * chance) ** 2) / (n * (1 - chance) ** 2)
    return math.sqrt(max(float(variance), 0.0))


def gwet_ac1_se(table: npt.ArrayLike, *, where: str = "These codings") -> float:
    """Gwet's standard error of AC1 (irrCAC ``gwet.ac1.table``, infinite population)."""
    ac1 = gwet_ac1(table, where=where)
    p, n, rows, cols = _shares(table)
    q = p.shape[0]
    shares = (rows + cols) / 2
    chance = float((shares * (1 - shares)).sum()) / (q - 1)
    observed = float(np.trace(p))
    agree = np.eye(q)
    term = (agree - 2 * (1 - ac1) * (1 - (shares[:, None] + shares[None, :]) / 2) / (q - 1)) ** 2
    variance = ((p * term).sum() - (observed - 2 * (1 - ac1) * chance) ** 2) / (n * (1 - chance) ** 2)
    return math.sqrt(max(float(variance), 0.0))


def student_t_quantile(probability: float, df: int) -> float:
    """Quantile of Student's t (Cornish-Fisher expansion to 1/df^4), for probabilities up to 0.995.

    Absolute error below 2e-4 for df >= 9, 2e-5 for df >= 15 and 1e-6 for df >= 30; irrCAC's
    intervals use df = units - 1, so this factor is good to 4 decimals from about 15 units.
    """
    if df < 1 or not 0.0 < probability < 1.0:
        raise ValueError(f"need df ≥ 1 and 0 < probability < 1, got {df} and {probability}")
    z = NormalDist().inv_cdf(probability)
    g1 = (z**3 + z) / 4
    g2 = (5 * z**5 + 16 * z**3 + 3 * z) / 96
    g3 = (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / 384
    g4 = (79 * z**9 + 776 * z**7 + 1482 * z**5 - 1920 * z**3 - 945 * z) / 92160
    return z + g1 / df + g2 / df**2 + g3 / df**3 + g4 / df**4


def normal_interval(estimate: float, se: float, level: float = 0.95) -> tuple[float, float]:
    """estimate ± z·se (the SAS / statsmodels kappa interval)."""
    z = NormalDist().inv_cdf(0.5 + level / 2)
    return estimate - z * se, estimate + z * se


def gwet_interval(estimate: float, se: float, units: int, level: float = 0.95) -> tuple[float, float]:
    """irrCAC's interval: estimate ± t(units - 1)·se, the upper end cut at 1."""
    t = student_t_quantile(0.5 + level / 2, units - 1)
    return estimate - t * se, min(1.0, estimate + t * se)
