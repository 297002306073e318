"""Interview transcripts and consensus notes, read into speaker turns.

A transcript parser that silently drops a cue loses evidence, so every reader counts what it
should have found (timing lines, speaker blocks, paragraphs) against what it parsed, and refuses
the file when they differ (``transcript.lost-cues``); a file with nothing to read is refused too
(``transcript.empty``). One module per export format; this one gathers them:

    turns       Turn, seconds, the shared refusals
    vtt         Zoom, Teams and caption WebVTT
    srt_files   SRT subtitles
    otter       Otter.ai plain text
    word        Word .docx: Teams transcripts, typed interviews, notes
    notes       Markdown and plain-text notes

Each format has a reader returning ``list[Turn]`` and a ``looks_like_<format>(text or bytes,
name)`` predicate returning the signature that matched (research §6), or None.
"""

from __future__ import annotations

from validation.notes import (
    looks_like_markdown_notes,
    looks_like_text_notes,
    read_markdown_notes,
    read_text_notes,
)
from validation.otter import looks_like_otter, read_otter
from validation.srt_files import looks_like_srt, read_srt
from validation.turns import Turn, seconds
from validation.vtt import (
    looks_like_teams_vtt,
    looks_like_webvtt,
    looks_like_zoom_vtt,
    read_caption_vtt,
    read_teams_vtt,
    read_zoom_vtt,
)
from validation.word import (
    looks_like_teams_docx,
    looks_like_word_notes,
    looks_like_word_transcript,
    read_word_notes,
    read_word_transcript,
)

__all__ = [
    "Turn",
    "looks_like_markdown_notes",
    "looks_like_otter",
    "looks_like_srt",
    "looks_like_teams_docx",
    "looks_like_teams_vtt",
    "looks_like_text_notes",
    "looks_like_webvtt",
    "looks_like_word_notes",
    "looks_like_word_transcript",
    "looks_like_zoom_vtt",
    "read_caption_vtt",
    "read_markdown_notes",
    "read_otter",
    "read_srt",
    "read_teams_vtt",
    "read_text_notes",
    "read_word_notes",
    "read_word_transcript",
    "read_zoom_vtt",
    "seconds",
]
