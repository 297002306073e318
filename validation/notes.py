"""Notes of consensus-building and team meetings, as Markdown or plain text.

Notes speak for the group, so no turn has a speaker. Each paragraph or list item is one turn;
headings are kept as context, prefixed to the turns under them (``Decisions: move the drop-in``).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from validation.otter import looks_like_otter
from validation.srt_files import looks_like_srt
from validation.turns import Turn, refuse_empty, working_text

_LIST_ITEM = re.compile(r"^([-*+•]|\d+[.)])\s+")
_CHAT_LINE = re.compile(r"^\d{1,2}:\d{2}:\d{2}\t")
_UNDERLINE = re.compile(r"^(=+|-+)\s*$")
_EMPTY_ACTION = "Check that the notes were saved before they were exported, then put the file back in the inbox."


def _read(lines: list[str], heading_of: Callable[[list[str], int], str | None]) -> list[Turn]:
    turns: list[Turn] = []
    heading = ""
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            body = " ".join(part.strip() for part in paragraph).strip()
            turns.append(Turn(None, f"{heading}: {body}" if heading else body))
            paragraph.clear()

    skip = False
    for number, line in enumerate(lines):
        if skip:
            skip = False
            continue
        stripped = line.strip()
        found = heading_of(lines, number) if stripped else None
        if found is not None:
            flush()
            heading = found
            skip = number + 1 < len(lines) and bool(_UNDERLINE.match(lines[number + 1].strip()))
        elif not stripped:
            flush()
        elif _LIST_ITEM.match(stripped):
            flush()
            paragraph.append(_LIST_ITEM.sub("", stripped))
        else:
            paragraph.append(stripped)
    flush()
    return turns


def _markdown_heading(lines: list[str], number: int) -> str | None:
    stripped = lines[number].strip()
    return stripped.lstrip("#").strip() if stripped.startswith("#") else None


def _text_heading(lines: list[str], number: int) -> str | None:
    """A Markdown ``#`` line, a line underlined with ``===``/``---``, or a lone short line ending in ``:``."""
    found = _markdown_heading(lines, number)
    if found is not None:
        return found
    stripped = lines[number].strip()
    after = lines[number + 1].strip() if number + 1 < len(lines) else ""
    before = lines[number - 1].strip() if number > 0 else ""
    if after and _UNDERLINE.match(after) and not _LIST_ITEM.match(stripped):
        return stripped
    if stripped.endswith(":") and len(stripped) <= 80 and not after and not before:
        return stripped.rstrip(":").strip()
    return None


def read_markdown_notes(text: str, name: str | None = None) -> list[Turn]:
    """Read Markdown notes: one turn per paragraph or list item, headings as context.

    Given the file's ``name``, notes with no text in them are refused (``transcript.empty``).
    """
    turns = _read(working_text(text).split("\n"), _markdown_heading)
    if name is not None and not turns:
        raise refuse_empty(name, "paragraphs of notes", _EMPTY_ACTION)
    return turns


def read_text_notes(text: str, name: str) -> list[Turn]:
    """Read plain-text notes like Markdown ones; headings are underlined or lone lines ending in ``:``."""
    turns = _read(working_text(text).split("\n"), _text_heading)
    if not turns:
        raise refuse_empty(name, "paragraphs of notes", _EMPTY_ACTION)
    return turns


def looks_like_markdown_notes(text: str, name: str) -> str | None:
    """The reason if ``name`` is a Markdown file: consensus or meeting notes."""
    if name.lower().endswith((".md", ".markdown")):
        return "a Markdown file: consensus or meeting notes"
    return None


def looks_like_text_notes(text: str, name: str) -> str | None:
    """The reason if ``text`` is a plain-text ``.txt`` file that is no transcript or chat export.

    A Zoom chat (``HH:MM:SS<TAB>Name:<TAB>message``), WebVTT, SRT or Otter file is never notes.
    """
    if not name.lower().endswith(".txt"):
        return None
    body = working_text(text)
    lines = body.split("\n")
    if not body.strip() or any(_CHAT_LINE.match(line) for line in lines):
        return None
    if body.startswith("WEBVTT") or looks_like_srt(text, name) or looks_like_otter(text, name):
        return None
    return "a plain-text .txt file that is no transcript or chat export: meeting or consensus notes"
