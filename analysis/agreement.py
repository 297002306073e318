"""Inter-coder agreement of two reviewers on present/absent codes: the table a report publishes.

    agreement_table(frame_a, frame_b)    one row per code, then the two pooled rows, as a DataFrame
    code_agreement / codes_agreement    one code: counts, prevalence, every coefficient (estimates)
    pooled_agreement                    all codes: De Vries pooled kappa, stacked-table alpha (pooled)
    CodeAgreement.reading()             Krippendorff's band, always with the counts beside it

The numbers come from contingency tables (``analysis.contingency``) through the formulas of
``analysis.coefficients``; intervals from ``analysis.bootstrap``. Missing data: a segment counts
for a code only if both reviewers gave it a value. Users' guide: docs/agreement.md.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from analysis.bootstrap import REPLICATES, SEED
from analysis.contingency import binary_counts, unit_cells
from analysis.estimates import (
    PER_CODE,
    WITH_INTERVALS,
    CodeAgreement,
    Estimate,
    Reading,
    code_agreement,
    codes_agreement,
)
from analysis.pooled import PooledAgreement, pooled_agreement

__all__ = [
    "COLUMNS",
    "CodeAgreement",
    "Estimate",
    "PooledAgreement",
    "Reading",
    "agreement_table",
    "code_agreement",
    "codes_agreement",
    "pooled_agreement",
]

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
        reasons = [de_vries.reason or "this row gives only the De Vries pooled kappa; the stacked row gives the rest"]
        if interval is not None and interval.reason is not None:
            reasons.append(f"kappa interval: {interval.reason}")
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
                "undefined_reason": "; ".join(reasons),
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
