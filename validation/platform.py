"""Recognising which platform exported a file, from the file itself (research §6).

The file name is never trusted: exports are recognised from their header signatures, and a
file that matches none is refused, never guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from instruments.errors import UnreadableFile


class Platform(StrEnum):
    QUALTRICS = "qualtrics"
    ZOOM_VTT = "zoom-vtt"
    MARKDOWN_NOTES = "markdown-notes"


@dataclass(frozen=True)
class Recognition:
    platform: Platform
    reason: str


_ZOOM_SPEAKER = re.compile(r"^[^:\n]{1,60}: ")


def recognise(text: str, name: str) -> Recognition:
    """Name the platform that exported ``text``, with the signature that decided it."""
    first_line = text.split("\n", 1)[0]
    lines = text.split("\n")
    if first_line.startswith("WEBVTT"):
        cue_texts = [
            lines[i + 1] for i, line in enumerate(lines[:-1]) if "-->" in line and i + 1 < len(lines)
        ]
        if any(_ZOOM_SPEAKER.match(cue) for cue in cue_texts):
            return Recognition(Platform.ZOOM_VTT, "starts with WEBVTT and cues read 'Name: text'")
    header = first_line.split(",")
    if {"StartDate", "EndDate"} <= set(header) and ({"ResponseId", "Finished"} & set(header)):
        third = lines[2] if len(lines) > 2 else ""
        if not third.startswith('"{""ImportId""'):
            raise UnreadableFile(
                f"{name}, row 3",
                "the file looks like a Qualtrics export, but its third header row (the ImportId "
                "row) is missing, so its columns cannot be matched safely.",
                "Export the responses again from Qualtrics as CSV without editing the file in Excel.",
                rule="qualtrics.header-rows",
            )
        return Recognition(
            Platform.QUALTRICS,
            "row 1 has StartDate, EndDate and ResponseId/Finished; row 3 holds ImportId JSON",
        )
    if name.lower().endswith((".md", ".markdown")):
        return Recognition(Platform.MARKDOWN_NOTES, "a Markdown file: consensus or meeting notes")
    raise UnreadableFile(
        name,
        "this file does not match any export format evalcycle knows, so it was not guessed at.",
        "Check that it is an unedited export (survey CSV, Zoom transcript .vtt, or notes .md); "
        "see docs/evaluator.md for the formats.",
        rule="platform.unrecognised",
    )
