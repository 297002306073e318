"""Word .docx transcripts and notes on hand-made documents (synthetic, written by us)."""

from __future__ import annotations

import io

import pytest
from docx import Document

from instruments.errors import UnreadableFile
from validation.transcripts import (
    Turn,
    looks_like_teams_docx,
    looks_like_word_notes,
    looks_like_word_transcript,
    read_word_notes,
    read_word_transcript,
)


def _docx(*paragraphs: str, heading: str | None = None, table: list[list[str]] | None = None) -> bytes:
    document = Document()
    if heading is not None:
        document.add_heading(heading, level=1)
    for text in paragraphs:
        document.add_paragraph(text)
    if table is not None:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                grid.cell(r, c).text = value
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


INTERVIEW = _docx(
    "Interviewer: How has the drop-in changed?",
    "Participant: It opens earlier now,",
    "    so I can come before work.",
    "",
    "Interviewer: Anything else?",
    "[laughter]",
    "Participant: No.",
)


def test_labelled_paragraphs_open_turns_and_unlabelled_ones_continue_them() -> None:
    assert read_word_transcript(INTERVIEW, "interview.docx") == [
        Turn("Interviewer", "How has the drop-in changed?"),
        Turn("Participant", "It opens earlier now, so I can come before work."),
        Turn("Interviewer", "Anything else?"),
        Turn(None, "[laughter]"),
        Turn("Participant", "No."),
    ]
    assert looks_like_word_transcript(INTERVIEW, "interview.docx") == (
        "a Word document with 4 paragraphs opening with 'Name: text' speaker labels (interview)"
    )
    assert looks_like_word_notes(INTERVIEW, "interview.docx") is None


@pytest.mark.parametrize("dash", ["-", "\u2013", "\u2014"])
def test_dash_labels_are_read_when_the_document_uses_them_and_dashes_in_words_are_not_labels(
    dash: str,
) -> None:
    data = _docx(
        f"Interviewer {dash} Was self-care discussed?",
        f"Participant {dash} Yes: twice.",
        f"Interviewer {dash} Thanks.",
    )
    assert read_word_transcript(data, "interview.docx") == [
        Turn("Interviewer", "Was self-care discussed?"),
        Turn("Participant", "Yes: twice."),
        Turn("Interviewer", "Thanks."),
    ]


def test_timed_speaker_paragraphs_open_turns_with_their_time() -> None:
    data = _docx("Ana Silva  0:03", "Hello there.", "How are you?", "Sam Okafor\t1:02:05", "Fine.")
    assert read_word_transcript(data, "interview.docx") == [
        Turn("Ana Silva", "Hello there. How are you?", 3.0),
        Turn("Sam Okafor", "Fine.", 3725.0),
    ]
    assert looks_like_word_transcript(_docx("Ana Silva  0:03", "Hi.", "Ana Silva  0:09", "Bye."), "i.docx") == (
        "a Word document with 2 paragraphs opening with 'Name  0:00' speaker labels (interview)"
    )


def test_a_web_address_opening_a_paragraph_is_not_a_speaker_label() -> None:
    data = _docx("Participant: The form is here:", "https://example.org/intake", "Interviewer: Thanks.")
    assert [t.speaker for t in read_word_transcript(data, "interview.docx")] == ["Participant", "Interviewer"]


def test_a_header_block_of_one_off_labels_is_kept_as_context_not_speakers() -> None:
    data = _docx("Date: 3 March", "Site: North", "Interviewer: Ready?", "Participant: Yes.", "Interviewer: Good.")
    turns = read_word_transcript(data, "interview.docx")
    assert [t.speaker for t in turns] == [None, None, "Interviewer", "Participant", "Interviewer"]
    assert turns[0].text == "Date: 3 March"


def test_a_document_naming_nobody_is_read_one_paragraph_per_turn_including_table_rows() -> None:
    data = _docx("We met at ten.", "", "Everyone agreed.", table=[["Action", "Owner"], ["Call", "Ana"]])
    assert read_word_transcript(data, "notes.docx") == [
        Turn(None, "We met at ten."),
        Turn(None, "Everyone agreed."),
        Turn(None, "Action | Owner"),
        Turn(None, "Call | Ana"),
    ]
    assert looks_like_word_transcript(data, "notes.docx") is None
    assert looks_like_word_notes(data, "notes.docx") == (
        "a Word document without speaker labels or timing lines: meeting or consensus notes"
    )


def test_merged_table_cells_are_read_once_and_equal_neighbours_twice() -> None:
    document = Document()
    grid = document.add_table(rows=2, cols=3)
    grid.cell(0, 0).merge(grid.cell(0, 2)).text = "Actions agreed"
    for c, value in enumerate(["Yes", "Yes", "Ana"]):
        grid.cell(1, c).text = value
    buffer = io.BytesIO()
    document.save(buffer)
    assert read_word_notes(buffer.getvalue(), "notes.docx") == [
        Turn(None, "Actions agreed"),
        Turn(None, "Yes | Yes | Ana"),
    ]


def test_word_notes_keep_headings_as_context_and_never_name_speakers() -> None:
    data = _docx("Decision: open at eight.", "Action: tell the team.", heading="Decisions")
    assert read_word_notes(data, "notes.docx") == [
        Turn(None, "Decisions: Decision: open at eight."),
        Turn(None, "Decisions: Action: tell the team."),
    ]


def test_a_heading_with_nothing_under_it_is_kept_as_a_turn() -> None:
    assert read_word_notes(_docx(heading="Open questions"), "notes.docx") == [Turn(None, "Open questions")]


def _teams_docx(*cues: str, table: list[list[str]] | None = None) -> bytes:
    document = Document()
    for cue in cues:
        document.add_paragraph().add_run(cue)  # "\n" becomes <w:br/>, as in Teams' own files
    for row in table or []:
        cells = document.add_table(rows=1, cols=len(row)).rows[0].cells
        for cell, value in zip(cells, row, strict=True):
            cell.text = value
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_a_teams_docx_cue_is_timing_then_speaker_then_words() -> None:
    data = _teams_docx("0:0:0.0 --> 0:0:1.5\nAna Silva\nHello.\nStill me.", "0:1:0.0 --> 0:1:2.0\nSam Okafor\nHi.")
    assert read_word_transcript(data, "meeting.docx") == [
        Turn("Ana Silva", "Hello. Still me.", 0.0, 1.5),
        Turn("Sam Okafor", "Hi.", 60.0, 62.0),
    ]
    assert looks_like_teams_docx(data, "meeting.docx") is not None
    assert looks_like_word_transcript(data, "meeting.docx") is None


def test_a_teams_docx_skips_only_the_saved_by_row_of_its_tables() -> None:
    data = _teams_docx("0:0:0.0 --> 0:0:1.5\nAna Silva\nHello.", table=[["saved-by", "Ana Silva"], ["Topic", "Intake"]])
    assert read_word_transcript(data, "meeting.docx") == [
        Turn("Ana Silva", "Hello.", 0.0, 1.5),
        Turn(None, "Topic | Intake"),
    ]


def test_a_teams_docx_cue_with_a_malformed_time_is_refused_naming_its_paragraph() -> None:
    data = _teams_docx("0:0:0.0 --> 0:0:1.5\nAna Silva\nHello.", "0:0:1d.0 --> 0:0:2.0\nSam Okafor\nHi.")
    with pytest.raises(UnreadableFile) as caught:
        read_word_transcript(data, "meeting.docx")
    assert caught.value.rule == "transcript.malformed-timing"
    assert str(caught.value) == (
        "meeting.docx, paragraph 2: the timing line is not in the form 0:00:00.000 --> 0:00:00.000 "
        "with the end no earlier than the start, so the time of what was said there cannot be trusted.\n"
        "What to do: Download the transcript again from Teams and put it back in the inbox."
    )


def test_a_file_that_is_not_a_word_document_is_refused() -> None:
    with pytest.raises(UnreadableFile) as caught:
        read_word_transcript(b"PK\x03\x04 not really a zip", "interview.docx")
    assert caught.value.rule == "docx.unreadable"
    assert str(caught.value) == (
        "interview.docx: the file is not a Word document (.docx) that can be opened.\n"
        "What to do: Open it in Word, save it again as 'Word Document (.docx)' and put it back in the inbox."
    )
    assert looks_like_word_notes(b"PK\x03\x04 not really a zip", "interview.docx") is None


def test_a_word_document_without_text_is_refused_as_empty() -> None:
    with pytest.raises(UnreadableFile) as caught:
        read_word_notes(_docx("", "   "), "notes.docx")
    assert caught.value.rule == "transcript.empty"
    assert caught.value.problem == "the file holds no paragraphs of text, so there is nothing to analyse."


def test_meeting_notes_with_action_and_decision_lines_are_notes_not_a_transcript() -> None:
    import io

    import docx

    from validation.word import looks_like_word_notes, looks_like_word_transcript

    document = docx.Document()
    document.add_heading("Consensus session", level=1)
    for line in ("Action: draft the role description.", "Action: book debriefs.", "Decision: adopt debriefs."):
        document.add_paragraph(line, style="List Bullet")
    buffer = io.BytesIO()
    document.save(buffer)
    data = buffer.getvalue()
    assert looks_like_word_transcript(data, "consensus-x.docx") is None
    assert looks_like_word_notes(data, "consensus-x.docx") is not None
