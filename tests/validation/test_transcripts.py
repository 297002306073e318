"""Transcript and notes readers on hand-made inputs (all synthetic, written by us).

The bad inputs follow the checklist in research/export_formats.md §5, items 23-27: cues without
a speaker or with device names (23), out-of-spec timestamps, GUID cue ids and a BOM (24), cues a
parser would drop or merge (25), tabs inside text (26) and line-ending variants (27).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from instruments.errors import UnreadableFile
from validation.transcripts import (
    Turn,
    looks_like_otter,
    looks_like_srt,
    looks_like_teams_vtt,
    looks_like_webvtt,
    looks_like_zoom_vtt,
    read_caption_vtt,
    read_otter,
    read_srt,
    read_teams_vtt,
    read_text_notes,
    read_zoom_vtt,
    seconds,
)

ZOOM = (
    "WEBVTT\n\n"
    "1\n00:00:01.000 --> 00:00:02.500\nSam Okafor: We started the drop-in.\n\n"
    "2\n00:00:02.500 --> 00:00:04.000\nAnd then nobody came.\n\n"
    "3\n00:00:04.000 --> 00:00:06.000\nEric's iPad (Clapton): The plan: open earlier.\n"
)
OTTER = (  # synthetic, written by us after research §3.5
    "Unknown Speaker  0:02  \n"
    "Can everyone hear me?\n\n"
    "Mary-Kate O'Neil  0:09\n"
    "Yes. We tried the new intake form\n"
    "and it was quicker.\n\n"
    "Speaker 1  59:58\n"
    "One more thing.\n\n"
    "Mary-Kate O'Neil  1:00:03\n"
    "Thanks, all.\n\n"
    "Transcribed by https://otter.ai\n"
)
SRT = "1\n00:00:01,000 --> 00:00:02,000\nSam Okafor: Hello.\n\n2\n00:00:02,000 --> 00:00:03,500\nWelcome back.\n"


# -- checklist 23: cues without a speaker, device names ------------------------------------------


def test_a_zoom_cue_without_a_name_has_no_speaker_rather_than_the_previous_one() -> None:
    turns = read_zoom_vtt(ZOOM, "interview.vtt")
    assert turns[1] == Turn(None, "And then nobody came.", 2.5, 4.0)


def test_a_zoom_speaker_is_split_at_the_first_colon_and_space_and_device_names_are_kept() -> None:
    turns = read_zoom_vtt(ZOOM, "interview.vtt")
    assert turns[2] == Turn("Eric's iPad (Clapton)", "The plan: open earlier.", 4.0, 6.0)


def test_a_colon_more_than_sixty_characters_in_is_not_a_zoom_speaker() -> None:
    body = "x" * 61 + ": yes"
    text = f"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n{body}\n"
    assert read_zoom_vtt(text, "interview.vtt") == [Turn(None, body, 1.0, 2.0)]


def test_teams_text_outside_a_voice_tag_has_no_speaker_and_two_voices_make_two_turns() -> None:
    text = (
        "WEBVTT\n\n0:0:1.0 --> 0:0:2.0\nRoom noise\n\n"
        "0:0:2.0 --> 0:0:3.0\n<v Ana Silva>Yes &amp; no.</v><v Sam Okafor>Agreed.</v>\n"
    )
    assert read_teams_vtt(text, "meeting.vtt") == [
        Turn(None, "Room noise", 1.0, 2.0),
        Turn("Ana Silva", "Yes & no.", 2.0, 3.0),
        Turn("Sam Okafor", "Agreed.", 2.0, 3.0),
    ]


def test_a_vtt_without_a_blank_line_after_its_header_is_still_read() -> None:
    text = "WEBVTT\n1\n00:00:01.000 --> 00:00:02.000\nHello.\n\n00:00:02.000 --> 00:00:03.000\nBye.\n"
    assert read_caption_vtt(text, "captions.vtt") == [
        Turn(None, "Hello.", 1.0, 2.0),
        Turn(None, "Bye.", 2.0, 3.0),
    ]


def test_a_teams_voice_tag_left_open_still_names_its_speaker() -> None:
    text = "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v.loud Ana Silva>Open tag, no close\n"
    assert read_teams_vtt(text, "meeting.vtt") == [Turn("Ana Silva", "Open tag, no close", 1.0, 2.0)]


def test_captions_never_name_a_speaker_even_when_a_cue_holds_a_colon() -> None:
    text = (
        "WEBVTT\nKind: captions\n\n00:01.000 --> 00:02.000\nNote: the room was full.\n\n"
        "00:02.000 --> 00:03.000\n[applause]\n\n00:03.000 --> 00:04.000\nThank you all.\n"
    )
    assert read_caption_vtt(text, "captions.vtt")[0] == Turn(None, "Note: the room was full.", 1.0, 2.0)
    assert looks_like_webvtt(text, "captions.vtt") is not None
    assert looks_like_zoom_vtt(text, "captions.vtt") is None


# -- checklist 24: out-of-spec timestamps, GUID cue ids, BOM -------------------------------------


def test_teams_guid_cue_ids_and_out_of_spec_timestamps_are_read_and_normalised() -> None:
    text = (
        "\ufeffWEBVTT\n\n"
        "3f2a1b4c-1111-2222-3333-444455556666/12-0\n0:0:0.0 --> 0:0:1.5\n<v Ana Silva>Hello.</v>\n\n"
        "3f2a1b4c-1111-2222-3333-444455556666/13-1\n0:1:2.25 --> 1:0:0.0\n<v Sam Okafor>Hi\nthere.</v>\n"
    )
    assert read_teams_vtt(text, "meeting.vtt") == [
        Turn("Ana Silva", "Hello.", 0.0, 1.5),
        Turn("Sam Okafor", "Hi there.", 62.25, 3600.0),
    ]
    assert looks_like_teams_vtt(text, "meeting.vtt") == (
        "starts with WEBVTT and cues carry '<v Name>' voice tags (Microsoft Teams)"
    )


@pytest.mark.parametrize(
    ("stamp", "value"),
    [
        ("0:0:0.0", 0.0),
        ("00:16.500", 16.5),
        ("01:02:03.4", 3723.4),
        ("00:00:07,000", 7.0),
        ("1:00:03", 3603.0),
    ],
)
def test_timestamps_of_every_format_become_seconds(stamp: str, value: float) -> None:
    assert seconds(stamp) == pytest.approx(value)


def test_a_timestamp_that_is_not_one_raises() -> None:
    with pytest.raises(ValueError, match=r"00:00:1d\.890"):
        seconds("00:00:1d.890")


# -- checklist 25: cues a parser would drop or merge ---------------------------------------------


def test_a_vtt_cue_that_webvtt_py_would_drop_is_refused_naming_its_line() -> None:
    text = ZOOM.replace("00:00:02.500 --> 00:00:04.000", "00:00:02.500 --> 00:00:0d.000")
    with pytest.raises(UnreadableFile) as caught:
        read_zoom_vtt(text, "interview.vtt")
    assert caught.value.rule == "transcript.lost-cues"
    assert str(caught.value) == (
        "interview.vtt, line 8: the file has 3 timing lines ('-->') but only 2 cues could be read, so "
        "some of what was said would be lost.\n"
        "What to do: Open the file in a text editor, fix the timing lines that are not in the form "
        "00:00:00.000 --> 00:00:00.000, and put it back in the inbox."
    )


def test_a_vtt_timing_line_that_webvtt_py_would_misread_is_refused_naming_its_line() -> None:
    text = ZOOM.replace("00:00:02.500 --> 00:00:04.000", "00:00:02.500 --> 00:00:4.0x0")
    with pytest.raises(UnreadableFile) as caught:
        read_zoom_vtt(text, "interview.vtt")
    assert caught.value.rule == "transcript.malformed-timing"
    assert str(caught.value) == (
        "interview.vtt, line 8: the timing line is not in the form 00:00:00.000 --> 00:00:00.000 with "
        "the end no earlier than the start, so the time of what was said there cannot be trusted.\n"
        "What to do: Open the file in a text editor, correct the timing lines named here, and put it "
        "back in the inbox."
    )


@pytest.mark.parametrize(
    ("reader", "text"),
    [
        (
            read_zoom_vtt,
            "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nA: Hi.\n\n00:00:09.000 --> 00:00:03.000\nB: Yo.\n",
        ),
        (read_srt, "1\n00:00:01,000 --> 00:00:02,000\nA: Hi.\n\n2\n00:00:09,000 --> 00:00:03,000\nB: Yo.\n"),
    ],
    ids=["vtt", "srt"],
)
def test_a_cue_that_ends_before_it_starts_is_refused_naming_its_line(
    reader: Callable[[str, str], list[Turn]], text: str
) -> None:
    with pytest.raises(UnreadableFile) as caught:
        reader(text, "interview")
    assert caught.value.rule == "transcript.malformed-timing"
    assert caught.value.where == "interview, line 6"


def test_a_vtt_cue_line_holding_an_arrow_is_refused_because_webvtt_py_would_blank_the_cue() -> None:
    text = "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nSam Okafor: from intake --> to the drop-in\n"
    with pytest.raises(UnreadableFile) as caught:
        read_zoom_vtt(text, "interview.vtt")
    assert caught.value.rule == "transcript.lost-cues"
    assert str(caught.value) == (
        "interview.vtt, line 4: the text of 1 cue(s) could not be read whole (a line holding '-->' is "
        "taken for a timing line), so some of what was said would be lost.\n"
        "What to do: Open the file in a text editor, remove '-->' from the cue text named here, and put "
        "it back in the inbox."
    )


def test_a_vtt_block_of_text_with_no_timing_line_is_refused_naming_its_line() -> None:
    text = ZOOM.replace("Sam Okafor: We started the drop-in.\n", "Sam Okafor: We started\n\nthe drop-in.\n")
    with pytest.raises(UnreadableFile) as caught:
        read_zoom_vtt(text, "interview.vtt")
    assert caught.value.rule == "transcript.lost-cues"
    assert str(caught.value) == (
        "interview.vtt, line 7: 1 block(s) of text have no timing line ('-->') above them, so a WebVTT "
        "reader would drop them and some of what was said would be lost.\n"
        "What to do: Open the file in a text editor, add the missing timing line (00:00:00.000 --> "
        "00:00:00.000) above each block named here, or remove the blank line that splits a cue, and "
        "put it back in the inbox."
    )


def test_an_srt_timing_line_that_cannot_be_read_is_refused_naming_that_line() -> None:
    text = SRT.replace("00:00:02,000 --> 00:00:03,500", "00:00:02,000 --> 00:00:3d,500")
    with pytest.raises(UnreadableFile) as caught:
        read_srt(text, "interview.srt")
    assert caught.value.rule == "transcript.lost-cues"
    assert caught.value.where == "interview.srt, line 6"


def test_an_otter_block_without_its_speaker_line_is_refused_naming_its_line() -> None:
    text = OTTER.replace("Speaker 1  59:58", "Speaker 1 59:58")
    with pytest.raises(UnreadableFile) as caught:
        read_otter(text, "interview.txt")
    assert caught.value.rule == "transcript.lost-cues"
    assert str(caught.value) == (
        "interview.txt, line 8: 1 block(s) do not start with a speaker line ('Name  0:00'), so their "
        "words could not be given a speaker or a time.\n"
        "What to do: Export the transcript from Otter again as plain text, or make each block named "
        "here start with the speaker's name, two spaces and the time (for example 'Speaker 1  0:05'), "
        "then put it back in the inbox."
    )


def test_a_file_that_does_not_start_with_webvtt_is_refused_as_malformed() -> None:
    with pytest.raises(UnreadableFile) as caught:
        read_caption_vtt("1\n00:00:01,000 --> 00:00:02,000\nHi\n", "captions.vtt")
    assert caught.value.rule == "vtt.malformed"
    assert caught.value.where == "captions.vtt, line 1"
    assert caught.value.problem == "the file does not start with WEBVTT, so it is not a WebVTT transcript."


# -- checklist 26: tabs inside text --------------------------------------------------------------


def test_tabs_inside_cue_text_are_spaces_and_do_not_move_the_speaker() -> None:
    text = "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nSam Okafor: yes\tand\tno\n"
    assert read_zoom_vtt(text, "interview.vtt") == [Turn("Sam Okafor", "yes and no", 1.0, 2.0)]


# -- checklist 27: line endings, trailing blank lines, no final newline --------------------------


@pytest.mark.parametrize(
    "variant",
    [
        lambda t: t.replace("\n", "\r\n"),
        lambda t: t.rstrip("\n"),
        lambda t: t + "\n\n\n",
        lambda t: "\ufeff" + t.replace("\n", "\r\n"),
    ],
    ids=["crlf", "no-final-newline", "trailing-blank-lines", "bom-and-crlf"],
)
def test_line_ending_variants_read_the_same_turns(variant: Callable[[str], str]) -> None:
    assert read_zoom_vtt(variant(ZOOM), "a.vtt") == read_zoom_vtt(ZOOM, "a.vtt")
    assert read_srt(variant(SRT), "a.srt") == read_srt(SRT, "a.srt")
    assert read_otter(variant(OTTER), "a.txt") == read_otter(OTTER, "a.txt")


# -- empty files ---------------------------------------------------------------------------------


def test_a_vtt_without_cues_is_refused_as_empty() -> None:
    with pytest.raises(UnreadableFile) as caught:
        read_teams_vtt("WEBVTT\n\n", "meeting.vtt")
    assert caught.value.rule == "transcript.empty"
    assert str(caught.value) == (
        "meeting.vtt: the file holds no cues (timed lines of speech), so there is nothing to analyse.\n"
        "What to do: Check that the meeting was transcribed and that this is its transcript file, then "
        "download it again and put it back in the inbox."
    )


@pytest.mark.parametrize(
    ("reader", "text", "holds"),
    [
        (read_srt, "\n\n", "subtitles (numbered, timed blocks of speech)"),
        (
            read_otter,
            "Transcribed by https://otter.ai\n",
            "speaker blocks ('Name  0:00' followed by what was said)",
        ),
        (read_text_notes, "  \n", "paragraphs of notes"),
    ],
)
def test_other_empty_transcripts_are_refused_saying_what_they_lack(
    reader: Callable[[str, str], list[Turn]], text: str, holds: str
) -> None:
    with pytest.raises(UnreadableFile) as caught:
        reader(text, "empty.txt")
    assert caught.value.rule == "transcript.empty"
    assert caught.value.problem == f"the file holds no {holds}, so there is nothing to analyse."


# -- SRT and Otter -------------------------------------------------------------------------------


def test_srt_name_prefixes_become_speakers() -> None:
    assert read_srt(SRT, "interview.srt") == [
        Turn("Sam Okafor", "Hello.", 1.0, 2.0),
        Turn(None, "Welcome back.", 2.0, 3.5),
    ]


def test_otter_blocks_keep_their_labels_join_their_lines_and_drop_the_footer() -> None:
    assert read_otter(OTTER, "interview.txt") == [
        Turn("Unknown Speaker", "Can everyone hear me?", 2.0, 9.0),
        Turn("Mary-Kate O'Neil", "Yes. We tried the new intake form and it was quicker.", 9.0, 3598.0),
        Turn("Speaker 1", "One more thing.", 3598.0, 3603.0),
        Turn("Mary-Kate O'Neil", "Thanks, all.", 3603.0, None),
    ]


def test_otter_is_recognised_by_its_speaker_lines_with_or_without_the_footer() -> None:
    assert looks_like_otter(OTTER, "x.txt") == (
        "opens with a 'Name  M:SS' speaker line and ends 'Transcribed by https://otter.ai' (Otter.ai)"
    )
    unsigned = OTTER.replace("Transcribed by https://otter.ai\n", "")
    assert looks_like_otter(unsigned, "x.txt") == (
        "every block opens with a 'Name  M:SS' speaker line (Otter.ai, without its footer)"
    )
    assert looks_like_otter("Minutes of the meeting\n\nWe agreed.\n", "x.txt") is None


def test_srt_vtt_and_otter_are_not_mistaken_for_each_other() -> None:
    assert looks_like_srt(SRT, "a.srt") is not None
    assert looks_like_srt(ZOOM, "a.vtt") is None
    assert looks_like_srt(OTTER, "a.txt") is None
    assert looks_like_otter(SRT, "a.srt") is None
    assert looks_like_otter(ZOOM, "a.vtt") is None
    assert looks_like_zoom_vtt(ZOOM, "a.vtt") == "starts with WEBVTT and 2 of 3 cues read 'Name: text' (Zoom)"
