"""A speaker turn, and the refusals every transcript reader shares.

Each reader (``vtt``, ``srt_files``, ``otter``, ``word``, ``notes``) turns one export format into
a list of :class:`Turn`. They share two promises: a file that holds nothing to analyse is refused
(``transcript.empty``), and a file whose reader would drop or merge part of it is refused
(``transcript.lost-cues``), naming the line where that happens whenever it can be found.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from instruments.errors import UnreadableFile


@dataclass(frozen=True)
class Turn:
    """One speaker turn (a cue or a paragraph). ``speaker`` is None when the file names nobody."""

    speaker: str | None
    text: str
    start_s: float | None = None
    end_s: float | None = None


_TIMESTAMP = re.compile(r"^(?:(?P<h>\d+):)?(?P<m>\d{1,2}):(?P<s>\d{1,2})(?:[.,](?P<ms>\d{1,3}))?$")


def seconds(timestamp: str) -> float:
    """Seconds from a WebVTT, SRT or Otter timestamp, lenient about Teams' ``0:0:0.0`` form."""
    match = _TIMESTAMP.match(timestamp.strip())
    if match is None:
        raise ValueError(timestamp)
    hours = int(match["h"] or 0)
    millis = int((match["ms"] or "0").ljust(3, "0"))
    return hours * 3600 + int(match["m"]) * 60 + int(match["s"]) + millis / 1000


def working_text(text: str) -> str:
    """The text a reader works on: no byte-order mark, ``\\n`` line ends (the raw bytes stay landed)."""
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def working_lines(text: str) -> Iterator[str]:
    """The lines of :func:`working_text`, one at a time.

    A format signature only needs a file's first lines; this spares it tidying the whole of a
    large survey export to look at them.
    """
    text = text.removeprefix("\ufeff")
    start = 0
    while start <= len(text):
        end = text.find("\n", start)
        end = len(text) if end == -1 else end
        piece = text[start:end]
        if end < len(text) and piece.endswith("\r"):
            piece = piece[:-1]  # the \r of a \r\n line end
        yield from piece.replace("\r", "\n").split("\n")
        start = end + 1


def first_line(text: str) -> str:
    """The first line of :func:`working_text`, without tidying the rest of the text."""
    return next(working_lines(text))


def tidy(text: str) -> str:
    """Runs of spaces, tabs and line breaks made one space: hard wraps and padding are layout."""
    return " ".join(text.split())


def blocks_of_lines(text: str) -> list[tuple[int, list[str]]]:
    """Blank-line separated blocks of lines, each with the 1-based number of its first line."""
    blocks: list[tuple[int, list[str]]] = []
    current: list[str] = []
    start = 0
    for number, line in enumerate(text.split("\n"), start=1):
        if line.strip():
            if not current:
                start = number
            current.append(line)
        elif current:
            blocks.append((start, current))
            current = []
    if current:
        blocks.append((start, current))
    return blocks


def where(name: str, lines: Sequence[int] = ()) -> str:
    """``name``, or ``name, line 7`` / ``name, lines 7, 12`` when the trouble has a place."""
    if not lines:
        return name
    label = "line" if len(lines) == 1 else "lines"
    return f"{name}, {label} {', '.join(str(n) for n in lines)}"


def refuse_empty(name: str, holds: str, action: str) -> UnreadableFile:
    """The refusal for a transcript or notes file with nothing in it to analyse."""
    return UnreadableFile(
        name,
        f"the file holds no {holds}, so there is nothing to analyse.",
        action,
        rule="transcript.empty",
    )


def refuse_timing(name: str, lines: Sequence[int], form: str, action: str) -> UnreadableFile:
    """The refusal for timing lines a parser would misread (webvtt-py reads ``00:00:4.0x0`` as 4 s)."""
    return UnreadableFile(
        where(name, lines),
        (f"{len(lines)} timing lines are" if len(lines) > 1 else "the timing line is")
        + f" not in the form {form} with the end no earlier than the start, so the time of what "
        "was said there cannot be trusted.",
        action,
        rule="transcript.malformed-timing",
    )


def refuse_lost(name: str, lines: Sequence[int], problem: str, action: str) -> UnreadableFile:
    """The refusal for a file whose reader would drop, merge or misattribute part of what was said."""
    return UnreadableFile(where(name, lines), problem, action, rule="transcript.lost-cues")
