from __future__ import annotations

import pandas as pd
import pytest

from analysis.segments import SEGMENT_COLUMNS, segment_utterances
from instruments.errors import ContractViolation
from validation.codings import Codings, Segments
from validation.contracts import validate_table


def utterances() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "source_id": ["0123456789ab", "0123456789ab"],
            "instrument_id": "staff-interview",
            "cycle_id": "cycle-1",
            "source_kind": "interview",
            "turn": [1, 2],
            "speaker_role": ["interviewer", "psw"],
            "start_s": [0.0, 2.0],
            "end_s": [2.0, 5.0],
            "text": ["How was it?", "Good. Dr. Lee helped."],
        }
    )


def test_segments_made_by_analysis_meet_the_contract() -> None:
    segments = segment_utterances(utterances(), "sentence")
    validated = validate_table(Segments, segments, "segments")
    assert list(validated.columns) == list(SEGMENT_COLUMNS) == list(Segments.to_schema().columns)


def test_segments_with_control_characters_or_bad_ids_are_refused_with_every_cell() -> None:
    segments = segment_utterances(utterances(), "utterance")
    segments.loc[0, "text"] = "bell\x07"
    segments.loc[1, "segment_id"] = "not-an-id"
    with pytest.raises(ContractViolation) as caught:
        validate_table(Segments, segments, "segments")
    assert caught.value.problem == ("2 value(s) break the rules of the Segments table (columns 'segment_id', 'text').")
    assert sorted((f.row, f.column) for f in caught.value.failures) == [(1, "text"), (2, "segment_id")]


def test_codings_allow_missing_values_but_not_repeated_decisions() -> None:
    codings = pd.DataFrame(
        {
            "segment_id": ["0123456789ab-0001-01"] * 3,
            "code_id": ["debrief", "role-distinct", "debrief"],
            "reviewer_id": ["reviewer-a"] * 3,
            "value": pd.array([True, None, False], dtype="boolean"),
        }
    )
    validate_table(Codings, codings.iloc[:2], "codings")
    with pytest.raises(ContractViolation) as caught:
        validate_table(Codings, codings, "codings")
    assert {f.rule for f in caught.value.failures} == {"contract.Codings.multiple_fields_uniqueness"}
