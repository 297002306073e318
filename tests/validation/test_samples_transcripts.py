"""Real transcript exports from public projects (../shared/samples/{zoom,teams,webvtt,srt,docx}).

Counts and speakers were checked by hand against each file (see SOURCES.md there). Each sample is
claimed by exactly one ``looks_like_*`` predicate, and the Zoom chat and participants files, which
are not transcripts, by none.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from instruments.errors import UnreadableFile
from tests.conftest import REPOSITORY, SHARED
from validation.encoding import decode_text
from validation.transcripts import (
    Turn,
    looks_like_markdown_notes,
    looks_like_otter,
    looks_like_srt,
    looks_like_teams_docx,
    looks_like_teams_vtt,
    looks_like_text_notes,
    looks_like_webvtt,
    looks_like_word_notes,
    looks_like_word_transcript,
    looks_like_zoom_vtt,
    read_caption_vtt,
    read_srt,
    read_teams_vtt,
    read_word_transcript,
    read_zoom_vtt,
)


def _samples() -> Path:
    """``shared/samples`` beside the repository (or beside the main checkout of a git worktree)."""
    for root in (SHARED, *(parent / "shared" for parent in REPOSITORY.parents)):
        if (root / "samples" / "SOURCES.md").is_file():
            return root / "samples"
    raise FileNotFoundError(f"no shared/samples/SOURCES.md beside {REPOSITORY} or any folder above it")


SAMPLES = _samples()
TEXT_PREDICATES: dict[str, Callable[[str, str], str | None]] = {
    "zoom-vtt": looks_like_zoom_vtt,
    "teams-vtt": looks_like_teams_vtt,
    "webvtt": looks_like_webvtt,
    "srt": looks_like_srt,
    "otter": looks_like_otter,
    "markdown-notes": looks_like_markdown_notes,
    "text-notes": looks_like_text_notes,
}
BYTES_PREDICATES: dict[str, Callable[[bytes, str], str | None]] = {
    "teams-docx": looks_like_teams_docx,
    "word-transcript": looks_like_word_transcript,
    "word-notes": looks_like_word_notes,
}
EXPECTED_CLAIM = {
    "zoom/zoomGroupStats_meeting001_transcript.vtt": "zoom-vtt",
    "zoom/zoomGroupStats_meeting001_chat.txt": None,
    "zoom/zoomGroupStats_meeting001_participants.csv": None,
    "teams/webvttpy_teams_timeframe_voice_tags.vtt": "teams-vtt",
    "teams/unstructured_teams_chat.docx": "teams-docx",
    "webvtt/webvttpy_captions_with_bom.vtt": "webvtt",
    "webvtt/webvttpy_cue_tags.vtt": "webvtt",
    "webvtt/webvttpy_metadata_headers.vtt": "webvtt",
    "webvtt/webvttpy_using_identifiers.vtt": "webvtt",
    "webvtt/webvttpy_invalid_timeframe.vtt": "webvtt",
    "srt/webvttpy_sample.srt": "srt",
    "srt/webvttpy_missing_timeframe.srt": "srt",
    "docx/textreadr_Yasmine_Interview_Transcript.docx": "word-transcript",
    "docx/textreadr_trans1_colon_speakers.docx": "word-transcript",
    "docx/textreadr_trans3_dash_speakers.docx": "word-transcript",
}


def _text(relative: str) -> str:
    path = SAMPLES / relative
    return decode_text(path.read_bytes(), path.name)


def _claims(relative: str) -> list[str]:
    path = SAMPLES / relative
    data = path.read_bytes()
    claims = [kind for kind, check in BYTES_PREDICATES.items() if check(data, path.name)]
    if path.suffix != ".docx":
        text = decode_text(data, path.name)
        claims += [kind for kind, check in TEXT_PREDICATES.items() if check(text, path.name)]
    return claims


def test_every_transcript_sample_has_an_expected_recognition() -> None:
    folders = ("zoom", "teams", "webvtt", "srt", "docx")
    found = {str(p.relative_to(SAMPLES)) for f in folders for p in (SAMPLES / f).iterdir()}
    assert found == set(EXPECTED_CLAIM)


@pytest.mark.parametrize(("relative", "kind"), sorted(EXPECTED_CLAIM.items()))
def test_each_sample_is_claimed_by_exactly_its_own_format(relative: str, kind: str | None) -> None:
    assert _claims(relative) == ([kind] if kind else [])


def test_the_zoom_transcript_keeps_its_two_unprefixed_cues_without_a_speaker() -> None:
    turns = read_zoom_vtt(_text("zoom/zoomGroupStats_meeting001_transcript.vtt"), "meeting001.vtt")
    assert len(turns) == 300
    speakers = Counter(t.speaker for t in turns)
    assert speakers == {
        "Paul McCartney": 242,
        "Andrew Knight": 45,
        "John Lennon": 7,
        "George Harrison": 3,
        "Ringo Starr": 1,
        None: 2,
    }
    unnamed = [i for i, t in enumerate(turns) if t.speaker is None]
    assert [turns[i].text for i in unnamed] == ["And that", "Yes. Okay."]
    assert all(turns[i - 1].speaker is not None for i in unnamed)
    assert turns[0] == Turn("Andrew Knight", "Okay, so we're recording. We're streaming", 4.859, 7.41)
    assert turns[-1].end_s == pytest.approx(3341.97)


def test_the_teams_sample_reads_voice_tags_and_its_out_of_spec_times() -> None:
    turns = read_teams_vtt(_text("teams/webvttpy_teams_timeframe_voice_tags.vtt"), "teams.vtt")
    assert turns == [
        Turn("Yuri Bakulin", "There you go.", 0.0, 0.57),
        Turn("Adrian Petrescu", "Why hello there, Yuri.", 0.21, 1.13),
    ]


def test_the_teams_docx_sample_reads_one_turn_per_cue_paragraph_and_skips_the_saved_by_table() -> None:
    data = (SAMPLES / "teams" / "unstructured_teams_chat.docx").read_bytes()
    turns = read_word_transcript(data, "teams_chat.docx")
    assert turns == [Turn("Some Body", "OK. Yeah.", 0.0, 1.51), Turn("James Bond", "Umm.", 3.27, 4.25)]
    assert all("Dennis" not in t.text for t in turns)


@pytest.mark.parametrize(
    ("relative", "count", "first", "last_end"),
    [
        ("webvtt/webvttpy_captions_with_bom.vtt", 4, Turn(None, "Caption text #1", 0.5, 7.0), 21.58),
        ("webvtt/webvttpy_cue_tags.vtt", 3, Turn(None, "When the moon hits your eye", 16.5, 18.5), 21.5),
        ("webvtt/webvttpy_metadata_headers.vtt", 2, Turn(None, "Caption text #1", 0.5, 7.0), 11.89),
        ("webvtt/webvttpy_using_identifiers.vtt", 6, Turn(None, "Caption text #1", 0.5, 7.0), 27.28),
    ],
)
def test_caption_samples_are_read_cue_for_cue_without_speakers(
    relative: str, count: int, first: Turn, last_end: float
) -> None:
    turns = read_caption_vtt(_text(relative), Path(relative).name)
    assert len(turns) == count
    assert turns[0] == first
    assert turns[-1].end_s == pytest.approx(last_end)
    assert all(t.speaker is None and "<" not in t.text for t in turns)


def test_inline_tags_are_removed_from_cue_text() -> None:
    turns = read_caption_vtt(_text("webvtt/webvttpy_cue_tags.vtt"), "cue_tags.vtt")
    assert [t.text for t in turns[1:]] == ["Like a big-a pizza pie", "That's amore"]


def test_the_invalid_timeframe_sample_is_refused_naming_the_line_webvtt_py_would_drop() -> None:
    with pytest.raises(UnreadableFile) as caught:
        read_caption_vtt(_text("webvtt/webvttpy_invalid_timeframe.vtt"), "invalid_timeframe.vtt")
    assert caught.value.rule == "transcript.lost-cues"
    assert caught.value.where == "invalid_timeframe.vtt, line 6"
    assert caught.value.problem == (
        "the file has 7 timing lines ('-->') but only 6 cues could be read, so some of what was said would be lost."
    )


def test_the_srt_sample_is_read_with_comma_timestamps() -> None:
    turns = read_srt(_text("srt/webvttpy_sample.srt"), "sample.srt")
    assert len(turns) == 5
    assert turns[0] == Turn(None, "Caption text #1", 0.5, 7.0)
    assert turns[4] == Turn(None, "Caption text #5", 21.58, 23.88)


def test_the_srt_sample_missing_a_timing_line_is_refused_instead_of_merged() -> None:
    with pytest.raises(UnreadableFile) as caught:
        read_srt(_text("srt/webvttpy_missing_timeframe.srt"), "missing_timeframe.srt")
    assert caught.value.rule == "transcript.lost-cues"
    assert str(caught.value) == (
        "missing_timeframe.srt, line 5: 1 numbered block(s) have no readable timing line "
        "('00:00:00,000 --> 00:00:00,000'), so an SRT reader would merge their words into the cue before them.\n"
        "What to do: Open the file in a text editor and give every numbered block its timing line "
        "(00:00:00,000 --> 00:00:00,000) on the line after its number, then put it back in the inbox."
    )


def test_the_colon_speaker_docx_joins_the_read_aloud_paragraph_to_its_turn() -> None:
    data = (SAMPLES / "docx" / "textreadr_trans1_colon_speakers.docx").read_bytes()
    turns = read_word_transcript(data, "trans1.docx")
    assert [t.speaker for t in turns] == [
        "Researcher 2",
        "Teacher 4",
        None,
        "Multiple Students",
        None,
        "Teacher 4",
    ]
    assert turns[0].text == "October 7, 1892."
    assert turns[2].text == "[Student discussion; unintelligible]"
    assert turns[4].text == "[Cross Talk 3:00]"
    assert turns[5].text.startswith("Let's read this terrific book together.")
    assert turns[5].text.endswith("What do you say? \u201d")


def test_the_dash_speaker_docx_reads_the_same_turns_as_the_colon_one() -> None:
    colon = (SAMPLES / "docx" / "textreadr_trans1_colon_speakers.docx").read_bytes()
    dash = (SAMPLES / "docx" / "textreadr_trans3_dash_speakers.docx").read_bytes()
    assert read_word_transcript(dash, "trans3.docx") == read_word_transcript(colon, "trans1.docx")


def test_the_oral_history_docx_joins_hard_wrapped_lines_and_keeps_its_header_as_context() -> None:
    data = (SAMPLES / "docx" / "textreadr_Yasmine_Interview_Transcript.docx").read_bytes()
    turns = read_word_transcript(data, "interview.docx")
    spoken = [t for t in turns if t.speaker is not None]
    assert len(spoken) == 15
    assert Counter(t.speaker for t in spoken) == {"Hassan": 8, "Abd Rabou": 7}
    assert [t.speaker for t in spoken[:4]] == ["Hassan", "Abd Rabou", "Hassan", "Abd Rabou"]
    assert spoken[1].text.endswith("I live in Rehab City in New Cairo Egypt.")
    assert "  " not in spoken[3].text
    assert spoken[-1] == Turn("Hassan", "Thank you.")
    context = [t.text for t in turns if t.speaker is None]
    assert len(context) == 15
    assert "Date: 16/10/2014" in context
    assert "Persons Present: Yasmine Hassan - I" in context
    assert turns.index(spoken[0]) == len(context)
