"""Agreement coefficients of two reviewers, computed from their ``k x k`` contingency table.

The table has reviewer A in rows and reviewer B in columns; cell ``(i, j)`` counts the units A put
in category ``i`` and B in category ``j``. For a present/absent code, category 0 is *absent* and
1 is *present* (``BinaryCounts.table()``). Categories nobody used still count as categories
(they matter to Gwet's AC1 and Brennan-Prediger, whose chance terms depend on ``k``).

Each public function takes one table and returns a float, or raises ``InsufficientData`` when the
coefficient cannot honestly be computed — never a silent 0, 1 or NaN:

- every coefficient needs at least one unit coded by both reviewers;
- Cohen's kappa, Scott's pi and Krippendorff's alpha are undefined when either reviewer gave the
  same answer to every unit (e.g. never applied a code). Kappa is then 0 or 0/0 by construction
  and alpha is driven by the other reviewer alone (research note §3.7, §7.4);
- positive agreement needs someone to have applied the code, negative agreement someone to have
  left it off.

The ``batch_*`` kernels take a stack of tables (shape ``(..., k, k)``) and return one value per
table, with a mask of the undefined ones; the bootstrap uses them on thousands of resampled
tables at once. Formulas: research note §3.3, reference README §1.2.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from instruments.errors import InsufficientData

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
Kernel = Callable[[FloatArray], FloatArray]

CONSTANT_ACTION = (
    "Read percent agreement and Gwet's AC1 for this code instead, together with its counts; "
    "to judge its reliability, double-code more segments in which it can occur."
)


def _as_tables(table: npt.ArrayLike) -> FloatArray:
    array = np.asarray(table, dtype=np.float64)
    if array.ndim < 2 or array.shape[-1] != array.shape[-2] or array.shape[-1] < 2:
        raise ValueError(f"a contingency table must be k x k with k ≥ 2, got shape {array.shape}")
    if np.any(array < 0) or not np.all(np.isfinite(array)):
        raise ValueError("a contingency table must hold finite, non-negative counts")
    return array


def table_parts(t: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Units, observed agreement, and each reviewer's category shares of a stack of tables."""
    n = t.sum(axis=(-2, -1))
    safe = np.where(n > 0, n, 1.0)
    observed = np.trace(t, axis1=-2, axis2=-1) / safe
    rows = t.sum(axis=-1) / safe[..., None]
    cols = t.sum(axis=-2) / safe[..., None]
    return n, observed, rows, cols


def beyond_chance(observed: FloatArray, chance: FloatArray) -> FloatArray:
    gap = 1.0 - chance
    return np.divide(observed - chance, gap, out=np.zeros_like(observed), where=gap > 0)


def batch_percent_agreement(t: FloatArray) -> FloatArray:
    """Share of units on which both reviewers chose the same category."""
    return table_parts(t)[1]


def batch_cohen_kappa(t: FloatArray) -> FloatArray:
    """Cohen's kappa: chance agreement from each reviewer's own category shares."""
    _, observed, rows, cols = table_parts(t)
    return beyond_chance(observed, (rows * cols).sum(axis=-1))


def batch_scott_pi(t: FloatArray) -> FloatArray:
    """Scott's pi: chance agreement from the two reviewers' pooled category shares."""
    _, observed, rows, cols = table_parts(t)
    return beyond_chance(observed, (((rows + cols) / 2) ** 2).sum(axis=-1))


def batch_krippendorff_alpha(t: FloatArray) -> FloatArray:
    """Krippendorff's alpha (nominal) for two reviewers: 1 - D_o / D_e on the coincidences.

    With ``n`` units the pairable values number ``2n``; ``n_c`` (uses of category ``c`` by
    either reviewer) gives the expected disagreement, so alpha = 1 - (2n - 1)(2n - 2·agreed) /
    ((2n)² - Σ n_c²) (Krippendorff 2011, research note §3.3).
    """
    n = t.sum(axis=(-2, -1))
    agreed = np.trace(t, axis1=-2, axis2=-1)
    values = t.sum(axis=-1) + t.sum(axis=-2)
    expected = (2 * n) ** 2 - (values**2).sum(axis=-1)
    disagreement = (2 * n - 1) * (2 * n - 2 * agreed)
    ratio: FloatArray = np.divide(disagreement, expected, out=np.ones_like(n), where=expected > 0)
    return 1.0 - ratio


def batch_gwet_ac1(t: FloatArray) -> FloatArray:
    """Gwet's AC1: chance agreement Σ π_k (1 - π_k) / (k - 1), π_k the pooled share of category k."""
    _, observed, rows, cols = table_parts(t)
    shares = (rows + cols) / 2
    k = t.shape[-1]
    return beyond_chance(observed, (shares * (1 - shares)).sum(axis=-1) / (k - 1))


def batch_brennan_prediger(t: FloatArray) -> FloatArray:
    """Brennan-Prediger (Bennett's S): chance agreement 1/k; for a code (k = 2) this is PABAK."""
    k = t.shape[-1]
    return beyond_chance(table_parts(t)[1], np.full(t.shape[:-2], 1.0 / k))


def batch_positive_agreement(t: FloatArray) -> FloatArray:
    """2a / (2a + b + c) on a 2x2 table: agreement on *present*, given someone applied the code."""
    both, split = 2 * t[..., 1, 1], t[..., 0, 1] + t[..., 1, 0]
    return np.divide(both, both + split, out=np.zeros_like(both), where=both + split > 0)


def batch_negative_agreement(t: FloatArray) -> FloatArray:
    """2d / (2d + b + c) on a 2x2 table: agreement on *absent*, given someone left the code off."""
    neither, split = 2 * t[..., 0, 0], t[..., 0, 1] + t[..., 1, 0]
    return np.divide(neither, neither + split, out=np.zeros_like(neither), where=neither + split > 0)


def batch_undefined(t: FloatArray, kernel: Kernel) -> BoolArray:
    """Which tables of a stack the coefficient ``kernel`` is undefined on (see module docstring)."""
    n = t.sum(axis=(-2, -1))
    undefined: BoolArray = n == 0
    if kernel in _NEEDS_VARIATION:
        rows_used = (t.sum(axis=-1) > 0).sum(axis=-1)
        cols_used = (t.sum(axis=-2) > 0).sum(axis=-1)
        undefined = undefined | (rows_used < 2) | (cols_used < 2)
    elif kernel is batch_positive_agreement:
        undefined = undefined | (t[..., 1, 1] + t[..., 0, 1] + t[..., 1, 0] == 0)
    elif kernel is batch_negative_agreement:
        undefined = undefined | (t[..., 0, 0] + t[..., 0, 1] + t[..., 1, 0] == 0)
    return undefined


_NEEDS_VARIATION: frozenset[Kernel] = frozenset({batch_cohen_kappa, batch_scott_pi, batch_krippendorff_alpha})

NAMES: dict[Kernel, str] = {
    batch_percent_agreement: "percent agreement",
    batch_cohen_kappa: "Cohen's kappa",
    batch_scott_pi: "Scott's pi",
    batch_krippendorff_alpha: "Krippendorff's alpha",
    batch_gwet_ac1: "Gwet's AC1",
    batch_brennan_prediger: "Brennan-Prediger (PABAK)",
    batch_positive_agreement: "positive agreement",
    batch_negative_agreement: "negative agreement",
}


def _one_answer(reviewer: str, shares: FloatArray) -> str:
    if shares.shape[-1] == 2:
        did = "never applied the code" if shares[1] == 0 else "applied the code to every segment"
        return f"{reviewer} {did}"
    return f"{reviewer} put every segment in the same category"


def _no_variation(t: FloatArray) -> str:
    rows, cols = t.sum(axis=1), t.sum(axis=0)
    a_fixed, b_fixed = (rows > 0).sum() < 2, (cols > 0).sum() < 2
    if a_fixed and b_fixed and np.array_equal(rows > 0, cols > 0):
        if t.shape[0] == 2:
            return (
                "neither reviewer applied the code"
                if rows[1] == 0
                else "both reviewers applied the code to every segment"
            )
        return "both reviewers put every segment in the same category"
    if a_fixed and b_fixed:
        return f"{_one_answer('reviewer A', rows)} and {_one_answer('reviewer B', cols)}"
    return _one_answer("reviewer A", rows) if a_fixed else _one_answer("reviewer B", cols)


def undefined_reason(table: npt.ArrayLike, kernel: Kernel, where: str) -> InsufficientData | None:
    """Why ``kernel`` cannot be computed on this one table, as the error to raise (None if it can)."""
    t = _as_tables(table)
    if t.ndim != 2:
        raise ValueError(f"expected one k x k table, got shape {t.shape}")
    if not batch_undefined(t, kernel):
        return None
    name = NAMES[kernel]
    if t.sum() == 0:
        return InsufficientData(
            where,
            f"no segment was coded by both reviewers, so {name} has nothing to compare",
            "Check that both reviewers' workbooks were imported for this cycle and that they "
            "code the same segments (a blank cell does not count as coded).",
        )
    if kernel is batch_positive_agreement:
        return InsufficientData(
            where,
            "neither reviewer applied the code, so positive agreement (agreement on the segments "
            "where someone applied it) is undefined",
            "Report negative agreement and percent agreement for this code instead.",
        )
    if kernel is batch_negative_agreement:
        return InsufficientData(
            where,
            "both reviewers applied the code to every segment, so negative agreement (agreement "
            "on the segments where someone left it off) is undefined",
            "Report positive agreement and percent agreement for this code instead.",
        )
    return InsufficientData(
        where,
        f"{_no_variation(t)}, so {name} is undefined: without variation in a reviewer's answers, "
        "agreement beyond chance cannot be measured",
        CONSTANT_ACTION,
    )


def _scalar(kernel: Kernel, table: npt.ArrayLike, where: str) -> float:
    problem = undefined_reason(table, kernel, where)
    if problem is not None:
        raise problem
    return float(kernel(_as_tables(table)))


def percent_agreement(table: npt.ArrayLike, *, where: str = "These codings") -> float:
    """Share of units coded identically (ignores chance; always show it beside the others)."""
    return _scalar(batch_percent_agreement, table, where)


def cohen_kappa(table: npt.ArrayLike, *, where: str = "These codings") -> float:
    """Cohen's (1960) kappa; raises ``InsufficientData`` if a reviewer gave one answer throughout."""
    return _scalar(batch_cohen_kappa, table, where)


def scott_pi(table: npt.ArrayLike, *, where: str = "These codings") -> float:
    """Scott's (1955) pi; undefined in the same cases as kappa."""
    return _scalar(batch_scott_pi, table, where)


def krippendorff_alpha(table: npt.ArrayLike, *, where: str = "These codings") -> float:
    """Krippendorff's alpha, nominal level, two reviewers; undefined in the same cases as kappa."""
    return _scalar(batch_krippendorff_alpha, table, where)


def gwet_ac1(table: npt.ArrayLike, *, where: str = "These codings") -> float:
    """Gwet's (2008) AC1; defined whenever at least one unit was coded by both reviewers."""
    return _scalar(batch_gwet_ac1, table, where)


def brennan_prediger(table: npt.ArrayLike, *, where: str = "These codings") -> float:
    """Brennan-Prediger coefficient (chance 1/k); PABAK = 2·p_o - 1 on a present/absent code."""
    return _scalar(batch_brennan_prediger, table, where)


def positive_agreement(table: npt.ArrayLike, *, where: str = "These codings") -> float:
    """Positive agreement 2a / (2a + b + c) on a 2x2 table (a = both applied the code)."""
    _require_binary(table)
    return _scalar(batch_positive_agreement, table, where)


def negative_agreement(table: npt.ArrayLike, *, where: str = "These codings") -> float:
    """Negative agreement 2d / (2d + b + c) on a 2x2 table (d = neither applied the code)."""
    _require_binary(table)
    return _scalar(batch_negative_agreement, table, where)


def weighted_kappa_linear(table: npt.ArrayLike, *, where: str = "These codings") -> float:
    """Cohen's kappa with linear disagreement weights |i - j| / (k - 1), for ordered categories.

    Only meaningful when the categories are in scale order (e.g. ratings 0, 1, 2); evalcycle's
    codes are nominal and use the unweighted coefficients above.
    """
    problem = undefined_reason(table, batch_cohen_kappa, where)
    if problem is not None:
        raise problem
    t = _as_tables(table)
    k = t.shape[0]
    p = t / t.sum()
    index = np.arange(k)
    weights = np.abs(index[:, None] - index[None, :]) / (k - 1)
    expected = np.outer(p.sum(axis=1), p.sum(axis=0))
    return float(1.0 - (weights * p).sum() / (weights * expected).sum())


def _require_binary(table: npt.ArrayLike) -> None:
    if np.shape(table) != (2, 2):
        raise ValueError(f"positive and negative agreement need a 2x2 table, got shape {np.shape(table)}")
