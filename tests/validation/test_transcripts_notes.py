"""Markdown and plain-text notes on hand-made inputs (synthetic, written by us)."""

from __future__ import annotations

import pytest

from instruments.errors import UnreadableFile
from tests.validation.test_transcripts import OTTER, ZOOM
from validation.transcripts import (
    Turn,
    looks_like_markdown_notes,
    looks_like_text_notes,
    read_markdown_notes,
    read_text_notes,
)

TEXT_NOTES = (
    "Consensus session, 24 February\n"
    "==============================\n\n"
    "We reviewed the intake form.\n"
    "It was quicker.\n\n"
    "Decisions:\n\n"
    "- Open the drop-in at eight\n"
    "2) Tell the team on Monday\n"
)


def test_plain_text_notes_read_underlined_and_colon_headings_as_context() -> None:
    assert read_text_notes(TEXT_NOTES, "notes.txt") == [
        Turn(None, "Consensus session, 24 February: We reviewed the intake form. It was quicker."),
        Turn(None, "Decisions: Open the drop-in at eight"),
        Turn(None, "Decisions: Tell the team on Monday"),
    ]


def test_markdown_notes_read_the_same_as_before_and_refuse_emptiness_when_named() -> None:
    text = "# Decisions\r\n\r\n- Open at eight\r\n- Tell the team\r\n"
    assert read_markdown_notes(text) == [
        Turn(None, "Decisions: Open at eight"),
        Turn(None, "Decisions: Tell the team"),
    ]
    assert read_markdown_notes("\n") == []
    with pytest.raises(UnreadableFile) as caught:
        read_markdown_notes("# Only a heading\n", "notes.md")
    assert str(caught.value) == (
        "notes.md: the file holds no paragraphs of notes, so there is nothing to analyse.\n"
        "What to do: Check that the notes were saved before they were exported, then put the file "
        "back in the inbox."
    )


def test_text_notes_are_claimed_only_for_txt_files_that_are_no_transcript_or_chat() -> None:
    assert looks_like_text_notes(TEXT_NOTES, "notes.txt") == (
        "a plain-text .txt file that is no transcript or chat export: meeting or consensus notes"
    )
    assert looks_like_text_notes(TEXT_NOTES, "notes.csv") is None
    assert looks_like_text_notes(OTTER, "interview.txt") is None
    assert looks_like_text_notes(ZOOM, "interview.txt") is None
    assert looks_like_text_notes("00:21:14\tAna Silva:\tHello\tall\n", "chat.txt") is None
    assert looks_like_text_notes("\n\n", "notes.txt") is None
    assert looks_like_markdown_notes("# Notes\n", "notes.md") == "a Markdown file: consensus or meeting notes"
    assert looks_like_markdown_notes("# Notes\n", "notes.txt") is None
