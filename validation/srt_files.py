"""SRT subtitle files: numbered blocks, ``HH:MM:SS,mmm --> HH:MM:SS,mmm``, then the text.

The ``srt`` package merges a block that lacks its timing line into the cue before it, index
number and all (research §3.1), so the words land at the wrong time and possibly under the wrong
speaker. The blocks are therefore checked first: each must be an index line, a well-formed
timing line, then text, and the parser must return one subtitle per block.
"""

from __future__ import annotations

import itertools
import re

import srt

from validation.turns import (
    Turn,
    blocks_of_lines,
    refuse_empty,
    refuse_lost,
    refuse_timing,
    tidy,
    working_lines,
    working_text,
)
from validation.vtt import zoom_speaker

_TIME = r"\d{1,2}:\d{2}:\d{2}[,.]\d{1,3}"
_TIMING = re.compile(rf"^\s*{_TIME}[ \t]+-->[ \t]+{_TIME}(?:[ \t].*)?$")
_INDEX = re.compile(r"^\s*\d+\s*$")
_FIX = (
    "Open the file in a text editor and give every numbered block its timing line "
    "(00:00:00,000 --> 00:00:00,000) on the line after its number, then put it back in the inbox."
)


def _timing_line(block: list[str]) -> int | None:
    """Where the timing line of a block is (0 or 1, after an optional index), if it is well formed."""
    position = 1 if _INDEX.match(block[0]) and len(block) > 1 else 0
    return position if _TIMING.match(block[position]) else None


def _untimed_line(start: int, block: list[str]) -> int:
    """The malformed timing line of a block if it has one, else the block's first line."""
    return next((start + i for i, line in enumerate(block[:2]) if "-->" in line), start)


def read_srt(text: str, name: str) -> list[Turn]:
    """Read an SRT file; ``Name: text`` prefixes, when a tool wrote them, become the speaker."""
    text = working_text(text)
    blocks = blocks_of_lines(text)
    untimed = [_untimed_line(start, block) for start, block in blocks if _timing_line(block) is None]
    if untimed:
        raise refuse_lost(
            name,
            untimed,
            f"{len(untimed)} numbered block(s) have no readable timing line "
            "('00:00:00,000 --> 00:00:00,000'), so an SRT reader would merge their words into the "
            "cue before them.",
            _FIX,
        )
    try:
        subtitles = list(srt.parse(text))
    except srt.SRTParseError:
        raise refuse_lost(name, [], "the SRT reader could not read every block of the file.", _FIX) from None
    if len(subtitles) != len(blocks):
        raise refuse_lost(
            name,
            [],
            f"the file has {len(blocks)} numbered blocks but only {len(subtitles)} cues could be read, "
            "so some of what was said would be lost.",
            _FIX,
        )
    if not subtitles:
        raise refuse_empty(
            name,
            "subtitles (numbered, timed blocks of speech)",
            "Check that this is the transcript of the recording, export it again and put it back in the inbox.",
        )
    timed = [
        (start + position, block[position + 1 :])
        for start, block in blocks
        if (position := _timing_line(block)) is not None
    ]
    garbled = [
        line + 1
        for (line, said), subtitle in zip(timed, subtitles, strict=True)
        if tidy(" ".join(said)) != tidy(subtitle.content)
    ]
    if garbled:
        raise refuse_lost(
            name,
            garbled,
            f"the text of {len(garbled)} subtitle(s) could not be read whole, so some of what was said would be lost.",
            "Open the file in a text editor, check the text named here for stray timing lines or "
            "numbers, and put it back in the inbox.",
        )
    backwards = [line for (line, _), s in zip(timed, subtitles, strict=True) if s.end < s.start]
    if backwards:
        raise refuse_timing(
            name,
            backwards,
            "00:00:00,000 --> 00:00:00,000",
            "Open the file in a text editor, correct the timing lines named here, and put it back in the inbox.",
        )
    turns = []
    for subtitle in subtitles:
        speaker, said = zoom_speaker(tidy(subtitle.content))
        turns.append(Turn(speaker, said, subtitle.start.total_seconds(), subtitle.end.total_seconds()))
    return turns


def looks_like_srt(text: str, name: str) -> str | None:
    """The signature reason if ``text`` is an SRT file: it opens with a number, then a comma timing line."""
    lines = list(itertools.islice((line for line in working_lines(text) if line.strip()), 2))
    if len(lines) == 2 and _INDEX.match(lines[0]) and _TIMING.match(lines[1]) and "," in lines[1]:
        return "opens with a numbered block whose timing line reads 'HH:MM:SS,mmm --> HH:MM:SS,mmm' (SRT)"
    return None
