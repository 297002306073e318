"""Agreement among more than two raters on one nominal variable.

evalcycle's own reviews have two reviewers (``analysis.coefficients``); these functions exist so
the published many-rater examples (Fleiss 1971, Gwet 2014) can be checked with the same
definitions, and so a later design with more reviewers has tested coefficients to use.

The input is ``counts``: one row per unit, one column per category, cell = raters who put that
unit in that category (``rating_counts`` builds it from a raters x units array). Memory is
units x categories, the size of the counts themselves. Units with fewer than two ratings are
unpairable and are dropped from observed agreement and from alpha (research note §3.7); Gwet's
category shares use every unit with at least one rating, as irrCAC does.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from instruments.errors import InsufficientData

FloatArray = npt.NDArray[np.float64]

_ACTION = "Collect ratings from at least two raters on more units, then compute agreement again."


def rating_counts(ratings: npt.ArrayLike, categories: int) -> npt.NDArray[np.int64]:
    """Units x categories counts from a raters x units array of category numbers (-1 = blank)."""
    array = np.asarray(ratings)
    if array.ndim != 2 or not np.issubdtype(array.dtype, np.integer):
        raise ValueError("ratings must be a raters x units array of integers (-1 for a blank)")
    if array.size and (int(array.min()) < -1 or int(array.max()) >= categories):
        raise ValueError(f"ratings must hold values from -1 (blank) to {categories - 1}")
    counts = np.zeros((array.shape[1], categories), dtype=np.int64)
    for row in array:
        rated = row >= 0
        np.add.at(counts, (np.flatnonzero(rated), row[rated]), 1)
    return counts


def _pairable(counts: npt.ArrayLike, where: str) -> tuple[FloatArray, FloatArray]:
    n = np.asarray(counts, dtype=np.float64)
    if n.ndim != 2 or n.shape[1] < 2 or np.any(n < 0):
        raise ValueError(f"counts must be units x categories (≥ 2) of non-negative numbers, got {n.shape}")
    raters = n.sum(axis=1)
    if not np.any(raters >= 2):
        raise InsufficientData(where, "no unit was rated by at least two raters, so nothing can be compared", _ACTION)
    return n, raters


def _observed(n: FloatArray, raters: FloatArray) -> float:
    keep = raters >= 2
    per_unit = (n[keep] * (n[keep] - 1)).sum(axis=1) / (raters[keep] * (raters[keep] - 1))
    return float(per_unit.mean())


def _beyond(observed: float, chance: float, name: str, where: str) -> float:
    if chance >= 1.0:
        raise InsufficientData(
            where,
            f"every rating is in the same category, so {name} is undefined: with no variation "
            "there is no agreement beyond chance to measure",
            _ACTION,
        )
    return (observed - chance) / (1.0 - chance)


def many_percent_agreement(counts: npt.ArrayLike, *, where: str = "These ratings") -> float:
    """Mean over pairable units of the share of rater pairs that agree."""
    n, raters = _pairable(counts, where)
    return _observed(n, raters)


def fleiss_kappa(counts: npt.ArrayLike, *, where: str = "These ratings") -> float:
    """Fleiss' (1971) kappa (Scott's pi for two raters): chance from pooled category shares."""
    n, raters = _pairable(counts, where)
    keep = raters >= 2
    shares = n[keep].sum(axis=0) / raters[keep].sum()
    return _beyond(_observed(n, raters), float((shares**2).sum()), "Fleiss' kappa", where)


def many_krippendorff_alpha(counts: npt.ArrayLike, *, where: str = "These ratings") -> float:
    """Krippendorff's alpha (nominal) over pairable units, from the coincidence totals."""
    n, raters = _pairable(counts, where)
    keep = raters >= 2
    n, raters = n[keep], raters[keep]
    total = raters.sum()
    agreed = ((n * (n - 1)).sum(axis=1) / (raters - 1)).sum()
    values = n.sum(axis=0)
    expected = total**2 - (values**2).sum()
    if expected <= 0:
        _beyond(1.0, 1.0, "Krippendorff's alpha", where)
    return float(1.0 - (total - 1) * (total - agreed) / expected)


def many_gwet_ac1(counts: npt.ArrayLike, *, where: str = "These ratings") -> float:
    """Gwet's AC1: chance Σ π_k(1 - π_k)/(q - 1), π_k the mean share of category k per unit."""
    n, raters = _pairable(counts, where)
    rated = raters >= 1
    shares = (n[rated] / raters[rated, None]).mean(axis=0)
    chance = float((shares * (1 - shares)).sum()) / (n.shape[1] - 1)
    return _beyond(_observed(n, raters), chance, "Gwet's AC1", where)


def many_brennan_prediger(counts: npt.ArrayLike, *, where: str = "These ratings") -> float:
    """Brennan-Prediger coefficient: chance agreement 1/q."""
    n, raters = _pairable(counts, where)
    return _beyond(_observed(n, raters), 1.0 / n.shape[1], "Brennan-Prediger", where)


def conger_kappa(ratings: npt.ArrayLike, categories: int, *, where: str = "These ratings") -> float:
    """Conger's (1980) kappa: Cohen's kappa for m raters, chance from each rater's own shares.

    Chance agreement is the mean over ordered pairs of different raters of Σ_k p_gk · p_hk, where
    ``p_gk`` is rater g's share of category k among the units g rated.
    """
    array = np.asarray(ratings)
    counts = rating_counts(array, categories)
    n, raters = _pairable(counts, where)
    per_rater = np.stack([np.bincount(row[row >= 0], minlength=categories) for row in array]).astype(float)
    shares = per_rater / np.maximum(per_rater.sum(axis=1, keepdims=True), 1.0)
    m = shares.shape[0]
    pairs = (shares.sum(axis=0) ** 2 - (shares**2).sum(axis=0)).sum() / (m * (m - 1))
    return _beyond(_observed(n, raters), float(pairs), "Conger's kappa", where)
