"""Summaries of rating (Likert-type) items, with small-cell suppression built in."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

SUMMARY_COLUMNS = ["instrument_id", "item_id", "n", "mean", "agree_share", "suppressed"]


def summarise_ratings(responses: pd.DataFrame, scale_points: Mapping[str, int], k: int) -> pd.DataFrame:
    """One row per item: respondents, mean position and share in the upper half of the scale.

    ``responses`` follows the ``SurveyResponses`` contract; ``scale_points`` gives the number of
    points of each item's scale. An item answered by fewer than ``k`` respondents is kept with
    ``suppressed=True`` and no count, mean or share, so a report can say it was withheld without
    revealing anything about it. Items come out sorted by share agreeing (highest first).
    """
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")
    rows = []
    for (instrument_id, item_id), answers in responses.groupby(["instrument_id", "item_id"], sort=True):
        points = scale_points[str(item_id)]
        values = answers["value"].astype("int64").to_numpy()
        n = int(answers["respondent_token"].nunique())
        if n < k:
            rows.append([instrument_id, item_id, None, None, None, True])
            continue
        upper = values > (points + 1) / 2
        rows.append([instrument_id, item_id, n, float(values.mean()), float(upper.mean()), False])
    summary = pd.DataFrame(rows, columns=SUMMARY_COLUMNS)
    summary["n"] = summary["n"].astype("Int64")
    summary["mean"] = summary["mean"].astype("float64")
    summary["agree_share"] = summary["agree_share"].astype("float64")
    return summary.sort_values(
        ["suppressed", "agree_share", "item_id"], ascending=[True, False, True], kind="stable"
    ).reset_index(drop=True)
