"""Otter.ai plain-text transcripts (research §3.5).

Each block is a speaker line ``Name  M:SS`` (two or more spaces; ``H:MM:SS`` after an hour), the
words on the next line(s), then a blank line. The file ends ``Transcribed by https://otter.ai``,
which is dropped. ``Unknown Speaker`` and ``Speaker 1`` are kept as names: the evaluation's
speaker map decides what they mean. A block that does not open with a speaker line is refused,
because its words could not honestly be given a speaker or a time.
"""

from __future__ import annotations

import re

from validation.turns import (
    Turn,
    blocks_of_lines,
    refuse_empty,
    refuse_lost,
    seconds,
    tidy,
    working_lines,
    working_text,
)

HEADER = re.compile(r"^(?P<name>.+?)\s{2,}(?P<time>\d{1,2}(?::\d{2}){1,2})\s*$")
_FOOTER = re.compile(r"^\s*Transcribed by https?://otter\.ai/?\s*$", re.IGNORECASE)


def _without_footer(text: str) -> tuple[list[str], bool]:
    """The file's lines with Otter's closing ``Transcribed by`` line blanked, and whether it was there."""
    lines = working_text(text).split("\n")
    last = next((i for i in range(len(lines) - 1, -1, -1) if lines[i].strip()), None)
    if last is not None and _FOOTER.match(lines[last]):
        lines[last] = ""
        return lines, True
    return lines, False


def read_otter(text: str, name: str) -> list[Turn]:
    """Read an Otter.ai ``.txt`` export; a turn ends where the next one starts."""
    lines, _ = _without_footer(text)
    blocks = blocks_of_lines("\n".join(lines))
    # Every block must open with a speaker line: that is the count of speakers against blocks.
    headless = [start for start, block in blocks if not HEADER.match(block[0])]
    if headless:
        raise refuse_lost(
            name,
            headless,
            f"{len(headless)} block(s) do not start with a speaker line ('Name  0:00'), so their "
            "words could not be given a speaker or a time.",
            "Export the transcript from Otter again as plain text, or make each block named here "
            "start with the speaker's name, two spaces and the time (for example "
            "'Speaker 1  0:05'), then put it back in the inbox.",
        )
    if not blocks:
        raise refuse_empty(
            name,
            "speaker blocks ('Name  0:00' followed by what was said)",
            "Check that this is the Otter transcript of the conversation, export it again as "
            "plain text and put it back in the inbox.",
        )
    headed = [(match, block[1:]) for _, block in blocks if (match := HEADER.match(block[0]))]
    starts = [seconds(match["time"]) for match, _ in headed]
    ends: list[float | None] = [*starts[1:], None]
    return [
        Turn(match["name"].strip(), tidy(" ".join(said)), start, end)
        for (match, said), start, end in zip(headed, starts, ends, strict=True)
    ]


def looks_like_otter(text: str, name: str) -> str | None:
    """The signature reason if ``text`` is an Otter.ai export (research §6, signature 12).

    It must open with a speaker line, and either end with Otter's footer or open every block
    with a speaker line.
    """
    # The first non-blank line must be a speaker line (the footer never is one), so other files
    # are turned away without splitting all of their lines.
    opening = next((line for line in working_lines(text) if line.strip()), None)
    if opening is None or not HEADER.match(opening):
        return None
    lines, footer = _without_footer(text)
    blocks = blocks_of_lines("\n".join(lines))
    if not blocks or not HEADER.match(blocks[0][1][0]):
        return None
    if footer:
        return "opens with a 'Name  M:SS' speaker line and ends 'Transcribed by https://otter.ai' (Otter.ai)"
    if len(blocks) >= 2 and all(HEADER.match(block[0]) for _, block in blocks):
        return "every block opens with a 'Name  M:SS' speaker line (Otter.ai, without its footer)"
    return None
