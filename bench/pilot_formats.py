"""File layouts for the synthetic pilot, written byte-for-byte the same on every run.

Transcripts (Zoom and Teams WebVTT, Otter text, Word), notes (Markdown, Word) and the grid
writers (CSV, XLSX) that ``bench.pilot_data`` fills. Nothing here reads the clock: documents get
fixed core properties and every zip entry a fixed date (research/export_formats.md §3).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass

import docx
import openpyxl
from openpyxl.writer.excel import ExcelWriter

#: Every zip entry of a generated XLSX or DOCX carries this date.
ZIP_DATE = dt.datetime(2026, 1, 1)  # noqa: DTZ001 - a zip entry date has no time zone
WORDS_PER_SECOND = 2.6


@dataclass(frozen=True)
class Turn:
    speaker: str
    text: str
    start: float
    end: float


def timed(lines: Sequence[tuple[str, str]], start: float = 2.0) -> list[Turn]:
    """Turns with times from their length (about 2.6 words a second, with a pause between)."""
    turns = []
    clock = start
    for speaker, text in lines:
        length = max(1.5, round(len(text.split()) / WORDS_PER_SECOND, 1))
        turns.append(Turn(speaker, text, clock, clock + length))
        clock = round(clock + length + 0.8, 1)
    return turns


def _vtt_time(seconds: float) -> str:
    millis = round(seconds * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    return f"{hours:02d}:{minutes:02d}:{rest // 1000:02d}.{rest % 1000:03d}"


def _chunks(turn: Turn, words: int = 22) -> list[Turn]:
    """A long turn split into caption-sized cues, as Zoom and Teams do."""
    parts = turn.text.split()
    pieces = [" ".join(parts[i : i + words]) for i in range(0, len(parts), words)]
    step = (turn.end - turn.start) / len(pieces)
    return [
        Turn(turn.speaker, piece, round(turn.start + n * step, 3), round(turn.start + (n + 1) * step, 3))
        for n, piece in enumerate(pieces)
    ]


def zoom_vtt(turns: Sequence[Turn], day: dt.date) -> bytes:
    """A Zoom cloud-recording transcript: numbered cues, ``Name: text``, CRLF line ends."""
    lines = ["WEBVTT", ""]
    cues = [cue for turn in turns for cue in _chunks(turn)]
    for number, cue in enumerate(cues, start=1):
        lines += [str(number), f"{_vtt_time(cue.start)} --> {_vtt_time(cue.end)}", f"{cue.speaker}: {cue.text}", ""]
    return "\r\n".join(lines).encode("utf-8")


def teams_vtt(turns: Sequence[Turn], day: dt.date) -> bytes:
    """A Microsoft Teams transcript: GUID/n-m cue ids and ``<v Name>`` voice tags."""
    meeting = hashlib.sha256(f"teams {day.isoformat()}".encode()).hexdigest()
    guid = f"{meeting[:8]}-{meeting[8:12]}-{meeting[12:16]}-{meeting[16:20]}-{meeting[20:32]}"
    lines = ["WEBVTT", ""]
    for number, turn in enumerate(turns):
        for part, cue in enumerate(_chunks(turn)):
            lines += [
                f"{guid}/{number + 11}-{part}",
                f"{_vtt_time(cue.start)} --> {_vtt_time(cue.end)}",
                f"<v {cue.speaker}>{cue.text}</v>",
                "",
            ]
    return "\n".join(lines).encode("utf-8")


def _clock(seconds: float) -> str:
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


def otter_text(turns: Sequence[Turn], day: dt.date) -> bytes:
    """An Otter.ai plain-text export: ``Name  M:SS`` then the words, ending with Otter's footer."""
    blocks = [f"{turn.speaker}  {_clock(turn.start)}  \n{turn.text}" for turn in turns]
    return ("\n\n".join(blocks) + "\n\n\n\nTranscribed by https://otter.ai\n").encode("utf-8")


def _document(when: dt.datetime) -> docx.document.Document:
    document = docx.Document()
    properties = document.core_properties
    properties.author = "Evaluation team"
    properties.last_modified_by = "Evaluation team"
    properties.created = when
    properties.modified = when
    properties.revision = 1
    return document


def _docx_bytes(document: docx.document.Document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return fixed_zip(buffer.getvalue())


def word_transcript(title: str, turns: Sequence[Turn], when: dt.datetime) -> bytes:
    """An interview typed up in Word: a title, a note on the recording, then ``Name: words`` paragraphs."""
    document = _document(when)
    document.add_heading(title, level=1)
    document.add_paragraph("[Recorded with consent and typed up by the evaluation facilitator.]")
    for turn in turns:
        document.add_paragraph(f"{turn.speaker}: {turn.text}")
    return _docx_bytes(document)


Sections = Sequence[tuple[str, Sequence[str]]]


def word_notes(title: str, sections: Sections, attendance: Sequence[tuple[str, int]], when: dt.datetime) -> bytes:
    """Meeting notes in Word: headings, bullet points and a small attendance table."""
    document = _document(when)
    document.add_heading(title, level=1)
    for heading, items in sections:
        document.add_heading(heading, level=2)
        for item in items:
            document.add_paragraph(item, style="List Bullet")
    document.add_heading("Attendance by role", level=2)
    table = document.add_table(rows=0, cols=2)
    for role, count in attendance:
        cells = table.add_row().cells
        cells[0].text, cells[1].text = role, str(count)
    return _docx_bytes(document)


def markdown_notes(title: str, sections: Sections) -> bytes:
    lines = [f"# {title}", ""]
    for heading, items in sections:
        lines += [f"## {heading}", ""]
        lines += [f"- {item}" for item in items] if len(items) > 1 else [items[0]]
        lines.append("")
    return "\n".join(lines).encode("utf-8")


def csv_bytes(
    rows: Sequence[Sequence[str]],
    *,
    delimiter: str = ",",
    quote_all: bool = False,
    line_end: str = "\n",
    bom: bool = False,
) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(
        buffer,
        delimiter=delimiter,
        lineterminator=line_end,
        quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL,
    )
    writer.writerows(rows)
    return ("\ufeff" if bom else "").encode("utf-8") + buffer.getvalue().encode("utf-8")


def xlsx_bytes(rows: Sequence[Sequence[object]], sheet: str, when: dt.datetime) -> bytes:
    """One sheet of values; the workbook's created/modified dates are ``when``, not the clock."""
    workbook = openpyxl.Workbook()
    worksheet = workbook.active
    assert worksheet is not None
    worksheet.title = sheet
    for row in rows:
        worksheet.append(list(row))
    workbook.properties.creator = "Microsoft Forms"
    workbook.properties.created = when
    workbook.properties.modified = when
    buffer = io.BytesIO()
    # openpyxl's save_workbook stamps 'modified' with the clock; its writer does not.
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(workbook, archive).save()
    return fixed_zip(buffer.getvalue())


def fixed_zip(data: bytes) -> bytes:
    """Re-pack a zip (XLSX, DOCX) with every entry dated :data:`ZIP_DATE`, so equal content gives equal bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_DATE.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            entry.create_system = 0
            target.writestr(entry, source.read(info.filename))
    return out.getvalue()
