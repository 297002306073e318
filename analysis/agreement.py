"""Inter-coder agreement of two reviewers on present/absent codes: per code and over all codes.

    code_agreement(counts, code)        one code: counts, prevalence and every coefficient
    pooled_agreement(counts_per_code)   all codes: De Vries pooled kappa and alpha on the stacked table
    agreement_table(frame_a, frame_b)   both, as one DataFrame a report can print
    CodeAgreement.reading()             Krippendorff's band, always with the counts beside it

A coefficient that cannot honestly be computed is an ``Estimate`` with no value and a reason in
words (the text of the ``InsufficientData`` the plain function would raise), so a report prints
the reason instead of a number. Missing data: a segment counts for a code only if both reviewers
gave it a value (``analysis.contingency``). Formulas and thresholds: research note §3.2-§3.4, §7.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pandas as pd

from analysis import coefficients as co
from analysis.bootstrap import (
    REPLICATES,
    SEED,
    Interval,
    percentile_interval,
    pooled_replicates,
    table_intervals,
)
from analysis.contingency import BinaryCounts, binary_counts, unit_cells
from instruments.errors import InsufficientData

FloatArray = npt.NDArray[np.float64]

# Coefficient name -> kernel, in the order reports show them.
PER_CODE: dict[str, co.Kernel] = {
    "percent_agreement": co.batch_percent_agreement,
    "kappa": co.batch_cohen_kappa,
    "alpha": co.batch_krippendorff_alpha,
    "ac1": co.batch_gwet_ac1,
    "pabak": co.batch_brennan_prediger,
    "positive_agreement": co.batch_positive_agreement,
    "negative_agreement": co.batch_negative_agreement,
}
WITH_INTERVALS = ("kappa", "alpha", "ac1", "pabak")


@dataclass(frozen=True)
class Estimate:
    """One coefficient: its value, or None and the reason in words; optionally an interval."""

    value: float | None
    reason: str | None = None
    interval: Interval | None = None


@dataclass(frozen=True)
class CodeAgreement:
    """Everything said about one code. Coefficients are never reported without ``counts``."""

    code: str
    counts: BinaryCounts
    estimates: dict[str, Estimate] = field(repr=False)

    def __getitem__(self, name: str) -> Estimate:
        return self.estimates[name]

    def reading(self) -> Reading:
        """Krippendorff's reliability band for this code, bound to its counts and prevalence.

        Raises ``InsufficientData`` when alpha is undefined for this code.
        """
        alpha = self.estimates["alpha"]
        if alpha.value is None:
            where = f'Code "{self.code}"'
            problem = co.undefined_reason(self.counts.table(), co.batch_krippendorff_alpha, where)
            raise problem or InsufficientData(where, alpha.reason or "", co.CONSTANT_ACTION)
        return Reading(self.code, alpha.value, self.counts, self.estimates)


@dataclass(frozen=True)
class Reading:
    """A verdict band. It has no text of its own: ``str()`` always gives it with the numbers
    it must be read beside (units, each reviewer's prevalence, the four counts, percent agreement,
    kappa and AC1), because with a rare code a low alpha and a high agreement go together
    (research note §3.3, §7.3).
    """

    code: str
    alpha: float
    counts: BinaryCounts
    estimates: dict[str, Estimate] = field(repr=False)

    def __str__(self) -> str:
        shown = round(self.alpha, 3)
        if shown >= 0.800:
            band = "reliable enough to draw conclusions (alpha >= .800, Krippendorff 2004)"
        elif shown >= 0.667:
            band = "acceptable for tentative conclusions only (.667 <= alpha < .800, Krippendorff 2004)"
        else:
            band = "not reliable enough to draw conclusions (alpha < .667, Krippendorff 2004)"
        c = self.counts
        blanks = f" ({c.blank} left out for blank cells)" if c.blank else ""
        others = ", ".join(
            f"{label} {_number(self.estimates[name])}" for label, name in (("kappa", "kappa"), ("AC1", "ac1"))
        )
        agreed = self.estimates["percent_agreement"].value or 0.0
        return (
            f'Code "{self.code}": alpha = {shown:.3f}, {band}. '
            f"Read it with: {c.units} segments compared{blanks}; reviewer A applied the code to "
            f"{c.prevalence_a:.1%} of them and reviewer B to {c.prevalence_b:.1%}; both {c.both}, "
            f"A only {c.only_a}, B only {c.only_b}, neither {c.neither}; "
            f"percent agreement {agreed:.1%}, {others}."
        )


def _number(estimate: Estimate) -> str:
    return "undefined" if estimate.value is None else f"{estimate.value:.3f}"


def code_agreement(
    counts: BinaryCounts,
    code: str,
    *,
    level: float | None = 0.95,
    replicates: int = REPLICATES,
    seed: int = SEED,
) -> CodeAgreement:
    """All per-code coefficients of one code's 2x2 table, with bootstrap intervals unless ``level``
    is None. Undefined coefficients carry the reason instead of a value."""
    return codes_agreement([counts], [code], level=level, replicates=replicates, seed=seed)[0]


def codes_agreement(
    counts: Sequence[BinaryCounts],
    codes: Sequence[str],
    *,
    level: float | None = 0.95,
    replicates: int = REPLICATES,
    seed: int = SEED,
) -> list[CodeAgreement]:
    """``code_agreement`` for many codes at once: each coefficient is one call on all tables."""
    if len(counts) != len(codes):
        raise ValueError(f"got {len(counts)} tables for {len(codes)} codes")
    tables = np.stack([c.table() for c in counts]).astype(np.float64) if counts else np.zeros((0, 2, 2))
    values = {name: kernel(tables).tolist() for name, kernel in PER_CODE.items()}
    undefined = {name: _undefined_list(tables, kernel) for name, kernel in PER_CODE.items()}
    results = []
    for i, (count, code) in enumerate(zip(counts, codes, strict=True)):
        intervals: dict[str, Interval] = {}
        if level is not None and count.units > 0:
            kernels = [PER_CODE[name] for name in WITH_INTERVALS]
            found = table_intervals(count.table(), kernels, level=level, replicates=replicates, seed=seed)
            intervals = dict(zip(WITH_INTERVALS, found, strict=True))
        estimates = {}
        for name, kernel in PER_CODE.items():
            if undefined[name][i]:
                problem = co.undefined_reason(count.table(), kernel, f'Code "{code}"')
                estimates[name] = Estimate(None, problem.problem if problem else None)
            else:
                estimates[name] = Estimate(float(values[name][i]), None, intervals.get(name))
        results.append(CodeAgreement(code, count, estimates))
    return results


def _undefined_list(tables: FloatArray, kernel: co.Kernel) -> list[bool]:
    return [bool(x) for x in co.batch_undefined(tables, kernel).tolist()]


@dataclass(frozen=True)
class PooledAgreement:
    """Agreement over all codes, two ways that must not be confused (research note §3.4):

    - ``de_vries_kappa``: (mean p_o - mean p_e) / (1 - mean p_e) over codes (De Vries et al. 2008);
    - ``stacked``: every coefficient on the one 2x2 table of all code x segment decisions,
      of which the stacked alpha is the one to report.
    """

    codes: int
    de_vries_kappa: Estimate
    stacked: CodeAgreement


def _de_vries(tables: FloatArray) -> tuple[FloatArray, npt.NDArray[np.bool_]]:
    """De Vries pooled kappa of a stack of (..., codes, 2, 2) tables; codes without units are skipped."""
    n = tables.sum(axis=(-2, -1))
    has_units = n > 0
    observed = co.batch_percent_agreement(tables)
    _, _, rows, cols = co.table_parts(tables)
    chance = (rows * cols).sum(axis=-1)
    used = np.maximum(has_units.sum(axis=-1), 1)
    mean_observed = (observed * has_units).sum(axis=-1) / used
    mean_chance = (chance * has_units).sum(axis=-1) / used
    stacked = tables.sum(axis=-3)
    undefined = co.batch_undefined(stacked, co.batch_cohen_kappa)
    return co.beyond_chance(mean_observed, mean_chance), undefined


def _stacked_alpha(tables: FloatArray) -> tuple[FloatArray, npt.NDArray[np.bool_]]:
    stacked = tables.sum(axis=-3)
    kernel = co.batch_krippendorff_alpha
    return kernel(stacked), co.batch_undefined(stacked, kernel)


def _pooled_problem(stacked: BinaryCounts) -> str | None:
    problem = co.undefined_reason(stacked.table(), co.batch_cohen_kappa, "All codes")
    if problem is None:
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
    is undefined (that is what pooling is for). Intervals need ``cells``
    (``contingency.unit_cells``), because pooled resamples must take whole segments.
    """
    stacked = sum(counts, BinaryCounts(0, 0, 0, 0, 0))
    label = "all codes (stacked table)"
    stacked_result = code_agreement(stacked, label, level=None)
    problem = _pooled_problem(stacked)
    kappa = Estimate(None, problem)
    alpha = stacked_result.estimates["alpha"]
    if problem is None:
        tables = np.stack([c.table() for c in counts]).astype(np.float64)
        value = float(_de_vries(tables)[0])
        kappa_interval = alpha_interval = None
        if level is not None and cells is not None:
            for statistic, name in ((_de_vries, "kappa"), (_stacked_alpha, "alpha")):
                values, undefined = pooled_replicates(cells, statistic, replicates=replicates, seed=seed)
                found = percentile_interval(values, undefined, f"pooled {name}", level)
                if name == "kappa":
                    kappa_interval = found
                else:
                    alpha_interval = found
        kappa = Estimate(value, None, kappa_interval)
        if alpha.value is not None:
            alpha = Estimate(alpha.value, None, alpha_interval)
    estimates = dict(stacked_result.estimates)
    estimates["alpha"] = alpha
    estimates["kappa"] = Estimate(
        None, "kappa over all codes is the De Vries pooled kappa, shown on its own row"
    )
    return PooledAgreement(len(counts), kappa, CodeAgreement(label, stacked, estimates))


COLUMNS = [
    "scope",
    "code",
    "units",
    "blank",
    "prevalence_a",
    "prevalence_b",
    *PER_CODE,
    *(f"{name}_ci_{end}" for name in WITH_INTERVALS for end in ("low", "high")),
    "undefined_reason",
]


def _codings_array(frame: pd.DataFrame, index: pd.Index, codes: list[str], name: str) -> npt.NDArray[np.int8]:
    """1 / 0 / -1 (blank) per segment and code; a segment missing from ``frame`` is blank."""
    if not frame.index.is_unique:
        raise ValueError(f"{name} has repeated segment ids; each segment must appear once")
    missing = [code for code in codes if code not in frame.columns]
    if missing:
        raise ValueError(f"{name} has no column for code(s) {missing}")
    try:
        values = frame.reindex(index)[codes].astype("Float64").to_numpy(dtype=np.float64, na_value=-1.0)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{name} must hold only True/False, 1/0 or blanks") from error
    if not np.isin(values, (-1.0, 0.0, 1.0)).all():
        raise ValueError(f"{name} must hold only True/False, 1/0 or blanks")
    return values.astype(np.int8)


def _row(scope: str, result: CodeAgreement) -> dict[str, object]:
    c = result.counts
    row: dict[str, object] = {
        "scope": scope,
        "code": result.code,
        "units": c.units,
        "blank": c.blank,
        "prevalence_a": c.prevalence_a,
        "prevalence_b": c.prevalence_b,
    }
    reasons = []
    for name, estimate in result.estimates.items():
        row[name] = estimate.value
        if estimate.reason is not None:
            reasons.append(f"{name}: {estimate.reason}")
        interval = estimate.interval
        if name in WITH_INTERVALS:
            row[f"{name}_ci_low"] = interval.low if interval else None
            row[f"{name}_ci_high"] = interval.high if interval else None
            if interval is not None and interval.reason is not None:
                reasons.append(f"{name} interval: {interval.reason}")
    row["undefined_reason"] = "; ".join(reasons) or None
    return row


def agreement_table(
    codings_a: pd.DataFrame,
    codings_b: pd.DataFrame,
    codes: list[str] | None = None,
    *,
    level: float | None = 0.95,
    replicates: int = REPLICATES,
    seed: int = SEED,
) -> pd.DataFrame:
    """One row per code, then the two pooled rows, ready to publish.

    Each reviewer's codings are indexed by segment id with one True/False (or 1/0) column per
    code; a blank (NA) or a segment one reviewer never saw leaves that segment out for that code.
    ``scope`` is ``"code"``, ``"pooled_de_vries"`` (De Vries pooled kappa; only ``kappa`` is
    filled) or ``"stacked"`` (every code x segment decision in one table; its ``alpha`` is the
    pooled alpha). Undefined values are <NA> with the reason in ``undefined_reason``. Pass
    ``level=None`` to skip the bootstrap intervals.
    """
    codes = list(codings_a.columns) if codes is None else list(codes)
    index = codings_a.index.union(codings_b.index)
    a = _codings_array(codings_a, index, codes, "codings_a")
    b = _codings_array(codings_b, index, codes, "codings_b")
    counts = binary_counts(a, b) if codes else []
    per_code = codes_agreement(counts, codes, level=level, replicates=replicates, seed=seed)
    rows = [_row("code", result) for result in per_code]
    if counts:
        cells = unit_cells(a, b) if level is not None else None
        pooled = pooled_agreement(counts, cells=cells, level=level, replicates=replicates, seed=seed)
        de_vries = pooled.de_vries_kappa
        interval = de_vries.interval
        rows.append(
            {
                "scope": "pooled_de_vries",
                "code": "all codes (De Vries pooled kappa)",
                "units": pooled.stacked.counts.units,
                "blank": pooled.stacked.counts.blank,
                "prevalence_a": pooled.stacked.counts.prevalence_a,
                "prevalence_b": pooled.stacked.counts.prevalence_b,
                "kappa": de_vries.value,
                "kappa_ci_low": interval.low if interval else None,
                "kappa_ci_high": interval.high if interval else None,
                "undefined_reason": de_vries.reason
                or "this row gives only the De Vries pooled kappa; the stacked row gives the rest",
            }
        )
        rows.append(_row("stacked", pooled.stacked))
    frame = pd.DataFrame(rows, columns=COLUMNS)
    for column in COLUMNS[4:-1]:
        frame[column] = frame[column].astype("Float64")
    frame["units"] = frame["units"].astype("Int64")
    frame["blank"] = frame["blank"].astype("Int64")
    frame["undefined_reason"] = frame["undefined_reason"].astype("string")
    return frame
