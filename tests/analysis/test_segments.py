from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.segments import (
    CONTEXT_CHARS,
    SEGMENT_COLUMNS,
    UNITS,
    learned_abbreviations,
    segment_utterances,
    shorten_context,
    split_text,
)

SOURCE = "0123456789ab"
OTHER = "ba9876543210"


def utterances(rows: list[tuple[str, int, str, str]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "source_id": [r[0] for r in rows],
            "instrument_id": "staff-interview",
            "cycle_id": "cycle-1",
            "source_kind": "interview",
            "turn": [r[1] for r in rows],
            "speaker_role": [r[2] for r in rows],
            "start_s": 0.0,
            "end_s": 1.0,
            "text": [r[3] for r in rows],
        }
    )


SAMPLE = utterances(
    [
        (SOURCE, 1, "interviewer", "How did the first weeks go?"),
        (
            SOURCE,
            2,
            "psw",
            "Dr. Smith reviewed the plan with us. Several barriers came up, e.g. staffing and "
            "training.\nThe next cycle starts in May.",
        ),
        (OTHER, 1, "counsellor", "We debriefed after each session. It helped."),
    ]
)


def test_abbreviations_do_not_end_a_sentence() -> None:
    text = "Dr. Smith met Mrs. Jones and Prof. Lee, i.e. the whole panel. Then we left."
    assert split_text(text, "sentence") == [
        "Dr. Smith met Mrs. Jones and Prof. Lee, i.e. the whole panel.",
        "Then we left.",
    ]


def test_extra_abbreviations_can_be_added_by_the_evaluation() -> None:
    text = "We met the Hon. Minister today. It went well."
    assert len(split_text(text, "sentence")) == 3
    assert len(segment_utterances(utterances([(SOURCE, 1, "psw", text)]), "sentence", ["hon."])) == 2


def test_sentence_unit_cuts_each_turn_into_numbered_sentences() -> None:
    segments = segment_utterances(SAMPLE, "sentence")
    assert list(segments.columns) == list(SEGMENT_COLUMNS)
    assert segments["segment_id"].tolist() == [
        f"{SOURCE}-0001-01",
        f"{SOURCE}-0002-01",
        f"{SOURCE}-0002-02",
        f"{SOURCE}-0002-03",
        f"{OTHER}-0001-01",
        f"{OTHER}-0001-02",
    ]
    assert segments["text"].iloc[2] == "Several barriers came up, e.g. staffing and training."
    assert set(segments["unit"]) == {"sentence"}


def test_utterance_unit_gives_one_segment_per_turn() -> None:
    segments = segment_utterances(SAMPLE, "utterance")
    assert segments["segment_id"].tolist() == [f"{SOURCE}-0001-01", f"{SOURCE}-0002-01", f"{OTHER}-0001-01"]
    assert segments["text"].tolist() == SAMPLE["text"].tolist()


def test_paragraph_unit_cuts_turns_at_line_breaks() -> None:
    segments = segment_utterances(SAMPLE, "paragraph")
    assert segments["segment_id"].tolist() == [
        f"{SOURCE}-0001-01",
        f"{SOURCE}-0002-01",
        f"{SOURCE}-0002-02",
        f"{OTHER}-0001-01",
    ]
    assert segments["text"].iloc[2] == "The next cycle starts in May."


def test_context_is_the_previous_turn_of_the_same_source() -> None:
    segments = segment_utterances(SAMPLE, "sentence").set_index("segment_id")["context"]
    assert segments[f"{SOURCE}-0001-01"] == ""
    assert segments[f"{SOURCE}-0002-03"] == "interviewer: How did the first weeks go?"
    assert segments[f"{OTHER}-0001-01"] == ""


def test_long_context_keeps_the_end_of_the_previous_turn() -> None:
    text = " ".join(f"word{i}" for i in range(200))
    short = shorten_context(text)
    assert len(short) <= CONTEXT_CHARS
    assert short.startswith("…word")
    assert short.endswith("word199")


def test_abbreviations_learned_from_a_corpus_do_not_depend_on_its_order() -> None:
    texts = [
        "We met Dr. Jones on Monday. She said the peer worker, i.e. the PSW, was key. Mr. Brown agreed.",
        "Ms. Lee joined later. Dr. Patel asked about debriefs. They happen weekly, e.g. on Fridays.",
        "The counsellor and the PSW work together. It helps the clients. Dr. Kim wrote the protocol.",
    ]
    learned = learned_abbreviations(texts)
    assert learned == learned_abbreviations(texts[::-1])
    assert {"dr", "e.g", "i.e"} <= learned


@pytest.mark.parametrize("unit", UNITS)
def test_ids_are_stable_across_runs_and_row_order(unit: str) -> None:
    first = segment_utterances(SAMPLE, unit)  # type: ignore[arg-type]
    again = segment_utterances(SAMPLE.iloc[::-1].reset_index(drop=True), unit)  # type: ignore[arg-type]
    pd.testing.assert_frame_equal(first, again)
    assert first["segment_id"].is_unique


def test_unknown_unit_is_refused() -> None:
    with pytest.raises(ValueError, match="unit must be one of utterance, sentence, paragraph, not 'word'"):
        segment_utterances(SAMPLE, "word")  # type: ignore[arg-type]


@settings(max_examples=40, deadline=None)
@given(text=st.text(min_size=1, max_size=200), unit=st.sampled_from(UNITS))
def test_no_text_is_lost_or_invented_by_cutting(text: str, unit: str) -> None:
    pieces = split_text(text, unit)  # type: ignore[arg-type]
    assert all(piece and piece == piece.strip() for piece in pieces)
    assert "".join("".join(piece.split()) for piece in pieces) == "".join(text.split())
