"""Codings reshaped for the agreement statistics: one row per segment, one column per code."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd


def coding_matrix(codings: pd.DataFrame, reviewer_id: str, codes: Sequence[str]) -> pd.DataFrame:
    """One reviewer's codings (long: segment_id, code_id, reviewer_id, value) as a segment-by-code table.

    Cells are True, False or <NA> (not coded); codes the reviewer never saw are all <NA>.
    """
    mine = codings[codings["reviewer_id"] == reviewer_id]
    wide = mine.pivot(index="segment_id", columns="code_id", values="value")
    wide = wide.reindex(columns=list(codes)).astype("boolean")
    wide.columns.name = None
    return wide.sort_index()
