"""What is said about one code: every coefficient, its interval, or the reason it has none.

A coefficient that cannot honestly be computed is an ``Estimate`` with no value and a reason in
words (the text of the ``InsufficientData`` the plain function in ``analysis.coefficients`` would
raise), so a report prints the reason instead of a number. Krippendorff's band is only
available as a ``Reading``, whose text always carries the counts and prevalence.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np
import numpy.typing as npt

from analysis import coefficients as co
from analysis.bootstrap import REPLICATES, SEED, Interval, table_intervals
from analysis.contingency import BinaryCounts
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
FEW_UNITS = 30  # below this, intervals are wide and their coverage poor (research note §3.5, §7.6)


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
    estimates: Mapping[str, Estimate] = field(repr=False)

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
    estimates: Mapping[str, Estimate] = field(repr=False)

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
        interval = self.estimates["alpha"].interval
        spread = ""
        if interval is not None and interval.low is not None and interval.high is not None:
            spread = f" ({interval.level:.0%} interval {interval.low:.3f} to {interval.high:.3f})"
        text = (
            f'Code "{self.code}": alpha = {shown:.3f}{spread}, {band}. '
            f"Read it with: {c.units} segments compared{blanks}; reviewer A applied the code to "
            f"{c.prevalence_a:.1%} of them and reviewer B to {c.prevalence_b:.1%}; both {c.both}, "
            f"A only {c.only_a}, B only {c.only_b}, neither {c.neither}; "
            f"percent agreement {agreed:.1%}, {others}."
        )
        if c.units < FEW_UNITS:
            text += f" With fewer than {FEW_UNITS} segments compared, every figure here is rough."
        return text


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
        results.append(CodeAgreement(code, count, MappingProxyType(estimates)))
    return results


def _undefined_list(tables: FloatArray, kernel: co.Kernel) -> list[bool]:
    return [bool(x) for x in co.batch_undefined(tables, kernel).tolist()]
