"""WebVTT transcripts: Zoom (``Name: text`` cues), Teams (``<v Name>`` voice tags), plain captions.

webvtt-py drops a cue whose timing line it cannot read, and a block of text with no timing line
above it, without a word (research §3.1). So before trusting it, the file's own blocks are
counted: every block after the header must carry a ``-->`` line, and the parser must return one
cue per ``-->`` line. Otherwise the file is refused, naming the lines to fix.
"""

from __future__ import annotations

import html
import io
import re
from dataclasses import dataclass

import webvtt
from webvtt.errors import MalformedFileError

from instruments.errors import UnreadableFile
from validation.turns import (
    Turn,
    blocks_of_lines,
    first_line,
    refuse_empty,
    refuse_lost,
    refuse_timing,
    seconds,
    tidy,
    working_text,
)

_SIGNATURE = re.compile(r"^WEBVTT(?:[ \t].*)?$")
_TIMING = re.compile(r"^(?P<start>\S+)[ \t]+-->[ \t]+(?P<end>\S+)(?:[ \t].*)?$")
_VTT_TIME = re.compile(r"^(?:\d+:)?\d{1,2}:\d{1,2}\.\d{1,3}$")
_VOICE = re.compile(r"<v(?:\.[^\s>]*)?[ \t]+(?P<name>[^>]+)>(?P<text>.*?)(?=</v>|<v[ .\t]|\Z)", re.DOTALL)
_TAG = re.compile(r"<[^>]*>")
_NOT_A_CUE = ("NOTE", "STYLE", "REGION")
_REEXPORT = "Download the transcript again from the meeting's recording page and put it back in the inbox."


@dataclass(frozen=True)
class _Cue:
    line: int
    timing: str
    text_lines: tuple[str, ...]


def _cues(text: str) -> tuple[list[_Cue], list[int]]:
    """The file's cue blocks, and the first line of every block of text that has no timing line."""
    cues: list[_Cue] = []
    untimed: list[int] = []
    blocks = blocks_of_lines(text)
    if not blocks:
        return cues, untimed
    (header_start, header), rest = blocks[0], blocks[1:]
    arrow = next((i for i, line in enumerate(header) if "-->" in line), None)
    if arrow is not None:  # no blank line after the header: webvtt-py still reads the cue
        first = max(arrow - 1, 1)
        rest = [(header_start + first, header[first:]), *rest]
    for start, lines in rest:
        if lines[0].startswith(_NOT_A_CUE):
            continue
        timing = next((i for i, line in enumerate(lines[:2]) if "-->" in line), None)
        if timing is None:
            untimed.append(start)
            continue
        cues.append(_Cue(start + timing, lines[timing].strip(), tuple(lines[timing + 1 :])))
    return cues, untimed


def _is_webvtt(text: str) -> bool:
    return bool(_SIGNATURE.match(text.split("\n", 1)[0]))


def _well_timed(timing: str) -> bool:
    """A timing line both webvtt-py and the spec read the same way, ending no earlier than it starts."""
    match = _TIMING.match(timing)
    if not (match and _VTT_TIME.match(match["start"]) and _VTT_TIME.match(match["end"])):
        return False
    return seconds(match["start"]) <= seconds(match["end"])


def _plain(raw: str) -> str:
    return tidy(html.unescape(_TAG.sub("", raw)))


def _parse(text: str, name: str) -> list[tuple[float, float, str]]:
    """Every cue as (start, end, raw text with tags), or a refusal if any would be lost."""
    text = working_text(text)
    if not _is_webvtt(text):
        raise UnreadableFile(
            f"{name}, line 1",
            "the file does not start with WEBVTT, so it is not a WebVTT transcript.",
            _REEXPORT,
            rule="vtt.malformed",
        )
    blocks, untimed = _cues(text)
    if untimed:
        raise refuse_lost(
            name,
            untimed,
            f"{len(untimed)} block(s) of text have no timing line ('-->') above them, so a WebVTT "
            "reader would drop them and some of what was said would be lost.",
            "Open the file in a text editor, add the missing timing line (00:00:00.000 --> "
            "00:00:00.000) above each block named here, or remove the blank line that splits a "
            "cue, and put it back in the inbox.",
        )
    try:
        captions = webvtt.from_buffer(io.StringIO(text)).captions
    except MalformedFileError:
        raise UnreadableFile(
            name, "the transcript is not a valid WebVTT file.", _REEXPORT, rule="vtt.malformed"
        ) from None
    if len(captions) != len(blocks):
        raise refuse_lost(
            name,
            [cue.line for cue in blocks if not _well_timed(cue.timing)],
            f"the file has {len(blocks)} timing lines ('-->') but only {len(captions)} cues could be "
            "read, so some of what was said would be lost.",
            "Open the file in a text editor, fix the timing lines that are not in the form "
            "00:00:00.000 --> 00:00:00.000, and put it back in the inbox.",
        )
    garbled = [
        cue.line + 1
        for cue, caption in zip(blocks, captions, strict=True)
        if tidy(" ".join(cue.text_lines)) != tidy(caption.raw_text)
    ]
    if garbled:
        raise refuse_lost(
            name,
            garbled,
            f"the text of {len(garbled)} cue(s) could not be read whole (a line holding '-->' is "
            "taken for a timing line), so some of what was said would be lost.",
            "Open the file in a text editor, remove '-->' from the cue text named here, and put it back in the inbox.",
        )
    malformed = [cue.line for cue in blocks if not _well_timed(cue.timing)]
    if malformed:
        raise refuse_timing(
            name,
            malformed,
            "00:00:00.000 --> 00:00:00.000",
            "Open the file in a text editor, correct the timing lines named here, and put it back in the inbox.",
        )
    if not captions:
        raise refuse_empty(
            name,
            "cues (timed lines of speech)",
            "Check that the meeting was transcribed and that this is its transcript file, then "
            "download it again and put it back in the inbox.",
        )
    return [(seconds(c.start), seconds(c.end), c.raw_text) for c in captions]


def zoom_speaker(body: str) -> tuple[str | None, str]:
    """Split Zoom's ``Name: text``: the name is what comes before the first ``': '``, within 60 characters.

    A cue without that prefix has no speaker; it is never given to the previous one.
    """
    cut = body.find(": ")
    if 0 < cut <= 60 and body[:cut].strip():
        return body[:cut].strip(), body[cut + 2 :].strip()
    return None, body


def read_zoom_vtt(text: str, name: str) -> list[Turn]:
    """Read a Zoom cloud-recording transcript (speakers written as ``Name: text`` in each cue)."""
    turns = []
    for start, end, raw in _parse(text, name):
        speaker, said = zoom_speaker(_plain(raw))
        turns.append(Turn(speaker, said, start, end))
    return turns


def read_teams_vtt(text: str, name: str) -> list[Turn]:
    """Read a Microsoft Teams transcript: ``<v Name>text</v>`` voice tags, lenient ``0:0:0.0`` times.

    A cue with two voices becomes two turns with the cue's times; text outside any voice tag has
    no speaker.
    """
    turns = []
    for start, end, raw in _parse(text, name):
        first = raw.find("<v")
        voices = list(_VOICE.finditer(raw)) if first >= 0 else []
        before = _plain(raw[: voices[0].start()] if voices else raw)
        if before:
            turns.append(Turn(None, before, start, end))
        turns.extend(Turn(v["name"].strip(), _plain(v["text"]), start, end) for v in voices)
    return turns


def read_caption_vtt(text: str, name: str) -> list[Turn]:
    """Read plain WebVTT captions: one turn per cue, no speaker (the speaker map cannot apply)."""
    return [Turn(None, _plain(raw), start, end) for start, end, raw in _parse(text, name)]


def _cue_texts(text: str) -> list[str]:
    if not _is_webvtt(first_line(text)):
        return []
    text = working_text(text)
    return [" ".join(cue.text_lines) for cue in _cues(text)[0]]


def looks_like_teams_vtt(text: str, name: str) -> str | None:
    """The signature reason if ``text`` is a Teams WebVTT transcript (research §6, signature 11)."""
    if any(cue.lstrip().startswith("<v") for cue in _cue_texts(text)):
        return "starts with WEBVTT and cues carry '<v Name>' voice tags (Microsoft Teams)"
    return None


def looks_like_zoom_vtt(text: str, name: str) -> str | None:
    """The signature reason if ``text`` is a Zoom WebVTT transcript (research §6, signature 10).

    At least half of the cues must read ``Name: text``, so one caption that happens to hold a
    colon does not make a file a Zoom transcript.
    """
    cues = _cue_texts(text)
    if not cues or looks_like_teams_vtt(text, name):
        return None
    named = sum(1 for cue in cues if zoom_speaker(cue)[0] is not None)
    if 2 * named >= len(cues):
        return f"starts with WEBVTT and {named} of {len(cues)} cues read 'Name: text' (Zoom)"
    return None


def looks_like_webvtt(text: str, name: str) -> str | None:
    """The signature reason if ``text`` is WebVTT that names no speakers (captions)."""
    if not _is_webvtt(first_line(text)):
        return None
    if looks_like_teams_vtt(text, name) or looks_like_zoom_vtt(text, name):
        return None
    return "starts with WEBVTT and its cues name no speaker (captions)"
