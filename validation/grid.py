"""A tabular export as a grid of text cells, from CSV (any common dialect) or XLSX.

Cells are always strings ("" = blank), so nothing is coerced before the platform reader decides
what a column means. Rows are numbered as a spreadsheet shows them (record 1 = row 1), which is
what error messages cite, even when a cell holds line breaks.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from dataclasses import dataclass

from instruments.errors import Failure, UnreadableFile
from validation.encoding import decode_text

_DELIMITERS = (",", ";", "\t")


@dataclass(frozen=True)
class Grid:
    rows: tuple[tuple[str, ...], ...]
    delimiter: str
    kind: str  # "csv" or "xlsx"
    sheet: str = ""

    @property
    def header(self) -> tuple[str, ...]:
        return self.rows[0] if self.rows else ()


def is_xlsx(data: bytes) -> bool:
    if not data.startswith(b"PK\x03\x04"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "xl/workbook.xml" in archive.namelist()
    except zipfile.BadZipFile:
        return False


def read_grid(data: bytes, name: str) -> Grid:
    """Read a CSV or XLSX export into a grid; refuse ragged or undecodable files."""
    if is_xlsx(data):
        return _read_xlsx(data, name)
    return read_csv_grid(decode_text(data, name), name)


def sniff_delimiter(first_line: str) -> str:
    """The delimiter that splits the header line into the most fields (outside quotes)."""
    counts = {}
    for delimiter in _DELIMITERS:
        fields = next(csv.reader([first_line], delimiter=delimiter), [])
        counts[delimiter] = len(fields)
    return max(_DELIMITERS, key=lambda d: (counts[d], -_DELIMITERS.index(d)))


def read_csv_grid(text: str, name: str) -> Grid:
    first_line = text.split("\n", 1)[0]
    delimiter = sniff_delimiter(first_line)
    rows = [tuple(row) for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)]
    while rows and not any(cell.strip() for cell in rows[-1]):
        rows.pop()  # a trailing blank line (LimeSurvey writes one) is not a response
    if not rows:
        raise UnreadableFile(
            name,
            "the file is empty.",
            "Export the data again and put the new file in the inbox.",
            rule="survey.empty",
        )
    width = len(rows[0])
    # A trailing delimiter (legacy KoboCAT, legacy Qualtrics) adds empty cells at the end of a
    # row: those are trimmed. Any other difference in length is refused.
    rows = [row[:width] if len(row) > width and not any(c.strip() for c in row[width:]) else row for row in rows]
    ragged = [number for number, row in enumerate(rows, start=1) if len(row) != width and any(row)]
    if ragged:
        listed = ", ".join(str(r) for r in ragged[:10]) + (" ..." if len(ragged) > 10 else "")
        raise UnreadableFile(
            f"{name}, row(s) {listed}",
            f"these rows do not have the {width} columns of the header row, so values would land in the wrong columns.",
            "Export the data again from the survey platform without editing it; if you edited it "
            "in Excel, check for extra separators in the rows named.",
            rule="csv.ragged",
            failures=tuple(
                Failure(rule="csv.ragged", problem=f"row has {len(rows[r - 1])} columns, not {width}", row=r)
                for r in ragged
            ),
        )
    rows = [row if row else ("",) * width for row in rows]
    return Grid(tuple(rows), delimiter, "csv")


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _read_xlsx(data: bytes, name: str) -> Grid:
    import openpyxl  # only here: most inbox files are CSV or transcripts

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        raise UnreadableFile(
            name,
            "the Excel workbook could not be opened (it may be damaged or password-protected).",
            "Export the responses again as .xlsx (or CSV UTF-8) and put the new file in the inbox.",
            rule="xlsx.unreadable",
        ) from None
    sheet = workbook.worksheets[0]
    rows = [tuple(_cell_text(v) for v in row) for row in sheet.iter_rows(values_only=True)]
    title = sheet.title
    workbook.close()
    while rows and not any(cell.strip() for cell in rows[-1]):
        rows.pop()
    if not rows:
        raise UnreadableFile(
            name, "the first sheet of the workbook is empty.", "Export the data again.", rule="survey.empty"
        )
    width = max(len(r) for r in rows)
    padded = tuple(r + ("",) * (width - len(r)) for r in rows)
    return Grid(padded, "", "xlsx", title)
