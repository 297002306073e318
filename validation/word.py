"""Word ``.docx`` transcripts and notes, read paragraph by paragraph with python-docx.

Three shapes are read (research §3.6 and the samples in ``shared/samples/{docx,teams}``):

- **Teams transcript**: one paragraph per cue, its lines ``0:0:0.0 --> 0:0:1.510`` / speaker /
  words. The ``saved-by`` table row Teams adds names who exported the file, not a speaker, and is
  skipped; any other table row is kept as a turn with no speaker.
- **Typed interview**: turns open with a speaker label, ``Name: text`` (a tab or spaces may pad
  it), ``Name - text`` (hyphen, en or em dash) or a paragraph ``Name  0:03`` with the words below
  (Otter's and newer Teams' layout, research §3.6), whichever the document uses most. Paragraphs
  without a label continue the turn before them (hard-wrapped lines). A whole paragraph in ``[brackets]``
  is a note on the recording, with no speaker. A header block of one-off labels before the
  first label that recurs (``Date: …``, ``Place: …``) is document metadata, kept as text with no
  speaker.
- **Anything else** (and notes): one turn per paragraph or table row, no speaker, headings kept as
  context like Markdown notes.

Every non-empty paragraph and table row ends up in exactly one turn, and the reader checks that
it did before returning.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections import Counter
from dataclasses import dataclass, field

import docx
from docx.opc.exceptions import PackageNotFoundError
from docx.table import Table
from docx.text.paragraph import Paragraph
from lxml.etree import XMLSyntaxError

from instruments.errors import UnreadableFile
from validation.turns import Turn, refuse_empty, refuse_lost, refuse_timing, seconds, tidy

_NAME = r"(?P<name>[^\W\d_][\w .'\u2019()&/]{0,59}?)"
_LABELS = {
    "colon": re.compile(rf"^\s*{_NAME}\s*:(?!//|\d)(?:\s+|(?=\S)|$)(?P<text>.*)$", re.DOTALL),
    "dash": re.compile(rf"^\s*{_NAME}\s*[-\u2013\u2014](?:\s+|$)(?P<text>.*)$", re.DOTALL),
    # Otter's and newer Teams' .docx: a paragraph 'Name  0:03' (two spaces or a tab), words below.
    "timed": re.compile(
        rf"^\s*{_NAME}(?:[ \t]{{2,}}|\t)(?P<time>\d{{1,2}}(?::\d{{2}}){{1,2}})[ \t]*(?:\n(?P<text>.*))?$",
        re.DOTALL,
    ),
}
_NOTE = re.compile(r"^\s*\[[^\]]*\]\s*$")
_TEAMS_TIMING = re.compile(r"^\s*(?P<start>\S+)\s+-->\s+(?P<end>\S+)\s*$")
_MAX_NAME_WORDS = 5
#: Labels that open lines of meeting notes ("Action: ...", "Decision: ..."), never speakers.
_NOTE_LABELS = frozenset(
    {
        *("action", "actions", "action item", "action items", "decision", "decisions", "agreed"),
        *("agenda", "agenda item", "next step", "next steps", "outcome", "outcomes", "summary"),
        *("follow-up", "follow up", "owner", "due", "to do", "todo", "parking lot"),
    }
)
_SAVED_BY = re.compile(r"^saved[- ]by \|", re.IGNORECASE)


@dataclass
class _Item:
    """A non-empty paragraph or table row, with its place for messages."""

    text: str
    place: int
    style: str = ""
    row: bool = False


@dataclass
class _Draft:
    speaker: str | None
    parts: list[str] = field(default_factory=list)
    start_s: float | None = None
    end_s: float | None = None

    def turn(self) -> Turn:
        return Turn(self.speaker, tidy(" ".join(self.parts)), self.start_s, self.end_s)


def _document(data: bytes, name: str) -> docx.document.Document:
    try:
        return docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, PackageNotFoundError, KeyError, ValueError, XMLSyntaxError):
        raise UnreadableFile(
            name,
            "the file is not a Word document (.docx) that can be opened.",
            "Open it in Word, save it again as 'Word Document (.docx)' and put it back in the inbox.",
            rule="docx.unreadable",
        ) from None


def _items(document: docx.document.Document) -> list[_Item]:
    items: list[_Item] = []
    paragraphs = rows = 0
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            paragraphs += 1
            if block.text.strip():
                style = block.style.name if block.style is not None else ""
                items.append(_Item(block.text, paragraphs, style or ""))
        elif isinstance(block, Table):
            for row in block.rows:
                rows += 1
                # A merged cell is listed once per grid column it spans; read it once.
                cells = [c for i, c in enumerate(row.cells) if i == 0 or c._tc is not row.cells[i - 1]._tc]
                texts = [tidy(cell.text) for cell in cells if cell.text.strip()]
                if texts:
                    items.append(_Item(" | ".join(texts), rows, row=True))
    return items


def _place(item: _Item) -> str:
    return f"table row {item.place}" if item.row else f"paragraph {item.place}"


def _teams_timing(item: _Item) -> re.Match[str] | None:
    return None if item.row else _TEAMS_TIMING.match(item.text.split("\n", 1)[0])


def _label(item: _Item, style: str) -> tuple[str, str, float | None] | None:
    """The speaker label opening a paragraph (name, the words after it, its time if it has one)."""
    if item.row or _NOTE.match(item.text):
        return None
    match = _LABELS[style].match(item.text)
    if match is None or len(match["name"].split()) > _MAX_NAME_WORDS:
        return None
    if match["name"].strip().casefold() in _NOTE_LABELS:
        return None
    start = seconds(match["time"]) if style == "timed" else None
    return match["name"].strip(), match["text"] or "", start


def _label_style(items: list[_Item]) -> tuple[str, Counter[str]] | None:
    """The label style the document uses most, with how often each label occurs; None if it names nobody."""
    best: tuple[str, Counter[str]] | None = None
    for style in _LABELS:
        counts = Counter(found[0] for item in items if (found := _label(item, style)))
        if counts and (best is None or counts.total() > best[1].total()):
            best = (style, counts)
    if best is None or best[1].total() < 2:
        return None
    return best


def _metadata_labels(items: list[_Item], style: str, counts: Counter[str]) -> set[str]:
    """One-off labels before the first label that recurs, when there are several: a header block."""
    if not any(n > 1 for n in counts.values()):
        return set()
    header: set[str] = set()
    for item in items:
        found = _label(item, style)
        if found is None:
            continue
        if counts[found[0]] > 1:
            break
        header.add(found[0])
    return header if len(header) >= 2 else set()


def _check_every_item_read(name: str, items: list[_Item], drafts: list[tuple[_Draft, int]], skipped: int) -> None:
    read = sum(count for _, count in drafts)
    if read + skipped != len(items):
        raise refuse_lost(
            name,
            [],
            f"the document has {len(items)} paragraphs and table rows with text but only {read} "
            "were read into turns, so some of what was said would be lost.",
            "Report this file to the evalcycle maintainers; do not edit it.",
        )


def _refuse_if_empty(name: str, items: list[_Item]) -> None:
    if not items:
        raise refuse_empty(
            name,
            "paragraphs of text",
            "Check that this is the right document and that it was saved with its text, then put it back in the inbox.",
        )


def _teams_turns(name: str, items: list[_Item]) -> tuple[list[tuple[_Draft, int]], int]:
    """Turns from Teams cue paragraphs, and how many ``saved-by`` rows were skipped as metadata."""
    drafts: list[tuple[_Draft, int]] = []
    skipped = 0
    for item in items:
        if item.row and _SAVED_BY.match(item.text):
            skipped += 1
            continue
        if item.row:
            drafts.append((_Draft(None, [item.text]), 1))
            continue
        timing = _teams_timing(item)
        if timing is None:
            if drafts:
                draft, count = drafts[-1]
                draft.parts.append(item.text)
                drafts[-1] = (draft, count + 1)
            else:
                drafts.append((_Draft(None, [item.text]), 1))
            continue
        try:
            start, end = seconds(timing["start"]), seconds(timing["end"])
            if end < start:
                raise ValueError(timing[0])
        except ValueError:
            raise refuse_timing(
                f"{name}, {_place(item)}",
                [],
                "0:00:00.000 --> 0:00:00.000",
                "Download the transcript again from Teams and put it back in the inbox.",
            ) from None
        lines = [line.strip() for line in item.text.split("\n")[1:] if line.strip()]
        speaker, said = (lines[0], lines[1:]) if len(lines) >= 2 else (None, lines)
        drafts.append((_Draft(speaker, said, start, end), 1))
    return drafts, skipped


def _labelled_turns(items: list[_Item], style: str, counts: Counter[str]) -> list[tuple[_Draft, int]]:
    metadata = _metadata_labels(items, style, counts)
    drafts: list[tuple[_Draft, int]] = []
    open_turn = False
    for item in items:
        found = _label(item, style)
        if found is not None and found[0] not in metadata:
            drafts.append((_Draft(found[0], [found[1]], start_s=found[2]), 1))
            open_turn = True
        elif found is None and open_turn and not _NOTE.match(item.text) and not item.row:
            draft, count = drafts[-1]
            draft.parts.append(item.text)
            drafts[-1] = (draft, count + 1)
        else:
            drafts.append((_Draft(None, [item.text]), 1))
            open_turn = False
    return drafts


def _paragraph_turns(items: list[_Item]) -> list[tuple[_Draft, int]]:
    """One turn per paragraph or table row, with the heading above it as context.

    A heading is read into the turns under it; one with nothing under it is a turn of its own.
    """
    drafts: list[tuple[_Draft, int]] = []
    heading = ""
    unread_heading = False
    for item in items:
        text = tidy(item.text)
        if item.style.startswith(("Heading", "Title")):
            if unread_heading:
                drafts.append((_Draft(None, [heading]), 1))
            heading, unread_heading = text, True
            continue
        body = f"{heading}: {text}" if heading else text
        drafts.append((_Draft(None, [body]), 2 if unread_heading else 1))
        unread_heading = False
    if unread_heading:
        drafts.append((_Draft(None, [heading]), 1))
    return drafts


def _finish(name: str, items: list[_Item], drafts: list[tuple[_Draft, int]], skipped: int = 0) -> list[Turn]:
    _check_every_item_read(name, items, drafts, skipped)
    return [draft.turn() for draft, _ in drafts]


def read_word_transcript(data: bytes, name: str) -> list[Turn]:
    """Read a ``.docx`` transcript: Teams cues, labelled speaker turns, or (naming nobody) paragraphs."""
    items = _items(_document(data, name))
    _refuse_if_empty(name, items)
    if any(_teams_timing(item) for item in items):
        return _finish(name, items, *_teams_turns(name, items))
    labelled = _label_style(items)
    if labelled is None:
        return _finish(name, items, _paragraph_turns(items))
    return _finish(name, items, _labelled_turns(items, *labelled))


def read_word_notes(data: bytes, name: str) -> list[Turn]:
    """Read ``.docx`` meeting or consensus notes: one turn per paragraph or table row, headings as context."""
    items = _items(_document(data, name))
    _refuse_if_empty(name, items)
    return _finish(name, items, _paragraph_turns(items))


def _readable_items(data: bytes) -> list[_Item] | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if "word/document.xml" not in archive.namelist():
                return None
    except zipfile.BadZipFile:
        return None
    try:
        return _items(_document(data, "document"))
    except UnreadableFile:
        return None


def _teams_reason(items: list[_Item]) -> str | None:
    if any(_teams_timing(item) for item in items):
        return "a Word document whose paragraphs open with '0:0:0.0 --> 0:0:1.510' timing lines (Teams transcript)"
    return None


def _interview_reason(items: list[_Item]) -> str | None:
    labelled = _label_style(items)
    if _teams_reason(items) or labelled is None or not any(n > 1 for n in labelled[1].values()):
        return None
    style, counts = labelled
    form = {"colon": "'Name: text'", "dash": "'Name - text'", "timed": "'Name  0:00'"}[style]
    return f"a Word document with {counts.total()} paragraphs opening with {form} speaker labels (interview)"


def looks_like_teams_docx(data: bytes, name: str) -> str | None:
    """The reason if ``data`` is a Teams ``.docx`` transcript: paragraphs open with a timing line."""
    items = _readable_items(data)
    return _teams_reason(items) if items else None


def looks_like_word_transcript(data: bytes, name: str) -> str | None:
    """The reason if ``data`` is a typed ``.docx`` interview whose turns open with recurring labels."""
    items = _readable_items(data)
    return _interview_reason(items) if items else None


def looks_like_word_notes(data: bytes, name: str) -> str | None:
    """The reason if ``data`` is a ``.docx`` with text, no timing lines and no recurring speaker labels."""
    items = _readable_items(data)
    if not items or _teams_reason(items) or _interview_reason(items):
        return None
    return "a Word document without speaker labels or timing lines: meeting or consensus notes"
