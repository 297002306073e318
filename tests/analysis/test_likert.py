from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis.likert import summarise_ratings


def responses(values: dict[str, list[int]]) -> pd.DataFrame:
    rows = [
        {
            "respondent_token": f"r-{i:016x}",
            "instrument_id": "s",
            "cycle_id": "c",
            "item_id": item,
            "value": v,
        }
        for item, answers in values.items()
        for i, v in enumerate(answers)
    ]
    return pd.DataFrame(rows)


def test_items_get_count_mean_and_share_in_the_upper_half() -> None:
    summary = summarise_ratings(responses({"a": [5, 4, 3, 2, 1, 4]}), {"a": 5}, k=5)
    row = summary.iloc[0]
    assert row["n"] == 6
    assert row["mean"] == pytest.approx(19 / 6)
    assert row["agree_share"] == pytest.approx(3 / 6)  # 4, 5, 4: above the neutral middle
    assert not row["suppressed"]


def test_an_item_answered_by_fewer_than_k_people_is_withheld_entirely() -> None:
    summary = summarise_ratings(responses({"a": [5, 5, 5, 5]}), {"a": 5}, k=5)
    row = summary.iloc[0]
    assert bool(row["suppressed"])
    assert pd.isna(row["n"])
    assert math.isnan(row["mean"])
    assert math.isnan(row["agree_share"])


def test_items_are_sorted_by_share_agreeing_with_withheld_items_last() -> None:
    data = responses({"low": [1, 2, 1, 2, 4], "high": [5, 5, 4, 4, 1], "few": [5, 5]})
    summary = summarise_ratings(data, {"low": 5, "high": 5, "few": 5}, k=5)
    assert list(summary["item_id"]) == ["high", "low", "few"]


def test_on_an_even_scale_the_upper_half_starts_above_the_middle() -> None:
    summary = summarise_ratings(responses({"a": [1, 2, 3, 4, 4]}), {"a": 4}, k=5)
    assert summary.iloc[0]["agree_share"] == pytest.approx(3 / 5)


def test_k_must_be_positive() -> None:
    with pytest.raises(ValueError, match="k must be at least 1"):
        summarise_ratings(responses({"a": [1]}), {"a": 5}, k=0)


@given(st.lists(st.integers(min_value=1, max_value=5), min_size=1, max_size=40), st.integers(5, 10))
def test_no_published_figure_comes_from_fewer_than_k_people(answers: list[int], k: int) -> None:
    row = summarise_ratings(responses({"a": answers}), {"a": 5}, k=k).iloc[0]
    if len(answers) < k:
        assert bool(row["suppressed"]) and pd.isna(row["n"])
    else:
        assert row["n"] == len(answers)
        assert 1 <= row["mean"] <= 5
        assert 0 <= row["agree_share"] <= 1
