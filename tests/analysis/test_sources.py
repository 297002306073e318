from __future__ import annotations

import pandas as pd

from analysis.sources import describe_sources


def test_sources_are_described_without_exact_small_counts() -> None:
    responses = pd.DataFrame({"instrument_id": ["s"] * 3, "respondent_token": ["a", "b", "c"]})
    utterances = pd.DataFrame(
        {
            "source_id": ["x", "x", "y", "z"],
            "source_kind": ["interview", "interview", "interview", "consensus"],
        }
    )
    assert describe_sources(responses, utterances, {"s": "Feedback"}, k=5) == (
        "Feedback: answers from fewer than 5 people.",
        "2 interviews with staff.",
        "Notes of 1 consensus-building session.",
    )


def test_a_cycle_without_data_says_so() -> None:
    empty = pd.DataFrame({"instrument_id": [], "respondent_token": []})
    none = pd.DataFrame({"source_id": [], "source_kind": []})
    assert describe_sources(empty, none, {}, k=5) == ("No data has been accepted for this cycle yet.",)
