"""Interview transcripts and consensus notes, read into speaker turns.

A transcript parser that silently drops a cue loses evidence, so every reader counts what it
should have found (``-->`` timing lines) against what it parsed, and refuses the file when they
differ.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

import webvtt
from webvtt.errors import MalformedFileError

from instruments.errors import UnreadableFile


@dataclass(frozen=True)
class Turn:
    """One speaker turn (a cue or a paragraph). ``speaker`` is None when the file names nobody."""

    speaker: str | None
    text: str
    start_s: float | None = None
    end_s: float | None = None


_ZOOM_SPEAKER = re.compile(r"^(?P<name>[^:\n]{1,60}): (?P<text>.*)$", re.DOTALL)
_TIMESTAMP = re.compile(r"^(?:(?P<h>\d+):)?(?P<m>\d{1,2}):(?P<s>\d{1,2})(?:\.(?P<ms>\d{1,3}))?$")


def seconds(timestamp: str) -> float:
    """Seconds from a WebVTT timestamp, lenient about Teams' ``0:0:0.0`` form."""
    match = _TIMESTAMP.match(timestamp.strip())
    if match is None:
        raise ValueError(timestamp)
    hours = int(match["h"] or 0)
    millis = int((match["ms"] or "0").ljust(3, "0"))
    return hours * 3600 + int(match["m"]) * 60 + int(match["s"]) + millis / 1000


def read_zoom_vtt(text: str, name: str) -> list[Turn]:
    """Read a Zoom cloud-recording transcript (speakers written as ``Name: text`` in each cue)."""
    expected = sum(1 for line in text.split("\n") if "-->" in line)
    try:
        captions = webvtt.from_buffer(io.StringIO(text)).captions
    except MalformedFileError:
        raise UnreadableFile(
            name,
            "the transcript is not a valid WebVTT file.",
            "Download the transcript again from the Zoom recording page and put it back in the inbox.",
            rule="vtt.malformed",
        ) from None
    if len(captions) != expected:
        raise UnreadableFile(
            name,
            f"the file has {expected} timing lines ('-->') but only {len(captions)} cues could be "
            "read, so some of what was said would be lost.",
            "Open the file in a text editor, fix the timing lines that are not in the form "
            "00:00:00.000 --> 00:00:00.000, and put it back in the inbox.",
            rule="transcript.lost-cues",
        )
    turns = []
    for caption in captions:
        body = caption.text.strip()
        match = _ZOOM_SPEAKER.match(body)
        speaker, said = (match["name"].strip(), match["text"].strip()) if match else (None, body)
        turns.append(Turn(speaker, said, seconds(caption.start), seconds(caption.end)))
    return turns


def read_markdown_notes(text: str) -> list[Turn]:
    """Read notes of a consensus-building session: one turn per paragraph or list item.

    Headings are kept as context, prefixed to the paragraphs under them. Notes speak for the
    group, so no speaker is attached.
    """
    turns: list[Turn] = []
    heading = ""
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            body = " ".join(part.strip() for part in paragraph).strip()
            turns.append(Turn(None, f"{heading}: {body}" if heading else body))
            paragraph.clear()

    for line in text.split("\n"):
        stripped = line.strip()
        if stripped.startswith("#"):
            flush()
            heading = stripped.lstrip("#").strip()
        elif not stripped:
            flush()
        elif re.match(r"^([-*+]|\d+[.)])\s+", stripped):
            flush()
            paragraph.append(re.sub(r"^([-*+]|\d+[.)])\s+", "", stripped))
        else:
            paragraph.append(stripped)
    flush()
    return turns
