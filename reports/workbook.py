"""What the reviewer workbook and the disagreement workbook share: layout, protection, the hidden
record, and the checks that refuse a workbook changed where it must not be.

Both workbooks are a table sheet whose first columns are **locked** (what is being coded) and
whose last columns are **editable** (the reviewer's answers), plus a hidden, protected sheet
:data:`META_SHEET` recording what the workbook was made for (kind, cycle, reviewer(s), code ids)
and a sha256 fingerprint of the locked cells. Protection prevents accidents, not determined
editing; that is why readers compare every locked cell with what was sent, and refuse with a
:class:`~instruments.errors.TamperedWorkbook` naming every failing cell.

Text is always written as a string cell, so transcript text beginning with ``=``, ``+``, ``-`` or
``@`` is never taken for a formula. Segment data come in as plain DataFrames with the columns
of :data:`SEGMENT_COLUMNS` (the ``Segments`` contract); ``reports`` imports neither ``analysis``
nor ``validation``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import re
import warnings
import zipfile
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from instruments.atomic import write_bytes_atomic
from instruments.errors import Failure, TamperedWorkbook, UnreadableFile
from instruments.evaluation import Codebook

#: Columns a segments DataFrame must have (see validation/codings.py ``Segments``).
SEGMENT_COLUMNS: tuple[str, ...] = (
    "segment_id",
    "source_id",
    "instrument_id",
    "cycle_id",
    "source_kind",
    "turn",
    "speaker_role",
    "text",
    "context",
)

#: What a code cell may hold. Blank means "not yet coded".
PRESENT = "present"
ABSENT = "absent"
CHOICES = (PRESENT, ABSENT)

META_SHEET = "evalcycle"
CODEBOOK_SHEET = "Codebook"
INSTRUCTIONS_SHEET = "Instructions"
FORMAT_VERSION = "1"
#: Excel's limit on the characters of one cell.
CELL_CHARS = 32_767

_HEADER_FILL = PatternFill("solid", fgColor="D9D9D9")
_EDITABLE_FILL = PatternFill("solid", fgColor="FFF2CC")
_WRAP = Alignment(wrap_text=True, vertical="top")


def segment_cells(segment: Mapping[Hashable, Any]) -> tuple[str, str, str, str, str]:
    """The locked cells describing one segment: id, source, speaker, context, text."""
    source = f"{segment['instrument_id']} ({segment['source_kind']}) {segment['source_id']}"
    return (
        str(segment["segment_id"]),
        f"{source}, turn {segment['turn']}",
        str(segment["speaker_role"]),
        str(segment["context"]),
        str(segment["text"]),
    )


SEGMENT_HEADERS = ("Segment id", "Source", "Speaker", "Context (previous turn)", "Text")
SEGMENT_WIDTHS = (24, 28, 14, 40, 70)


def require_columns(frame: pd.DataFrame, columns: Iterable[str], name: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{name} lacks the column(s) {', '.join(missing)}")


def code_text(value: object) -> str | None:
    """``True`` → present, ``False`` → absent, missing → None (a blank cell)."""
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    return PRESENT if bool(value) else ABSENT


def parse_choice(raw: object) -> tuple[bool, bool | None]:
    """(valid, value) of a code cell: present/absent in any case, or blank for not coded."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return True, None
    if isinstance(raw, str) and raw.strip().casefold() in CHOICES:
        return True, raw.strip().casefold() == PRESENT
    return False, None


def fingerprint(rows: Iterable[Sequence[str]]) -> str:
    """sha256 of the locked cells, independent of row order."""
    canonical = json.dumps(sorted(list(row) for row in rows), ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


#: Excel reads ``_xHHHH_`` in a string as an escaped character, so a literal one is written as
#: ``_x005F_xHHHH_``. openpyxl undoes that only in shared strings (what Excel saves); inline
#: strings (what openpyxl saves) are undone by :func:`cell_text`.
_EXCEL_ESCAPE = re.compile(r"_(x[0-9A-Fa-f]{4}_)")
_EXCEL_UNESCAPE = re.compile(r"_x005F_(x[0-9A-Fa-f]{4}_)")


def put_text(sheet: Worksheet, row: int, column: int, value: str | None) -> Cell:
    """Write ``value`` as a string cell (never a formula), or leave the cell blank for None."""
    if value is not None:
        if len(value) > CELL_CHARS:
            raise ValueError(f"a text of {len(value)} characters does not fit in a cell ({CELL_CHARS} at most)")
        value = _EXCEL_ESCAPE.sub(r"_x005F_\1", value)
    cell = sheet.cell(row=row, column=column)
    if not isinstance(cell, Cell):
        raise ValueError(f"cell {row},{column} of sheet {sheet.title!r} is merged")
    cell.value = value
    if value is not None:
        cell.data_type = "s"
    return cell


def new_workbook() -> Workbook:
    workbook = Workbook()
    workbook.remove(workbook.active)  # type: ignore[arg-type]
    return workbook


def add_text_sheet(workbook: Workbook, title: str, lines: Sequence[str]) -> None:
    """A locked sheet of plain-language paragraphs, one per row."""
    sheet = workbook.create_sheet(title)
    sheet.column_dimensions["A"].width = 110
    for row, line in enumerate(lines, start=1):
        cell = put_text(sheet, row, 1, line)
        cell.alignment = _WRAP
        if row == 1:
            cell.font = Font(bold=True, size=14)
    protect(sheet)


def add_codebook_sheet(workbook: Workbook, codebook: Codebook) -> None:
    themes = {theme.id: theme.label for theme in codebook.themes}
    headers = ("Code", "Label", "Theme", "Definition", "Use when", "Do not use when")
    rows = [(c.id, c.label, themes.get(c.theme, c.theme), c.definition, c.use_when, c.not_when) for c in codebook.codes]
    sheet = add_table_sheet(workbook, CODEBOOK_SHEET, headers, (18, 22, 26, 50, 40, 40), rows)
    protect(sheet)


def add_table_sheet(
    workbook: Workbook,
    title: str,
    headers: Sequence[str],
    widths: Sequence[int],
    rows: Iterable[Sequence[str | None]],
) -> Worksheet:
    """A table with a frozen, bold header row, wrapped text and the given column widths."""
    sheet: Worksheet = workbook.create_sheet(title)
    for column, (header, width) in enumerate(zip(headers, widths, strict=True), start=1):
        cell = put_text(sheet, 1, column, header)
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        cell.alignment = _WRAP
        sheet.column_dimensions[get_column_letter(column)].width = width
    for row, values in enumerate(rows, start=2):
        for column, value in enumerate(values, start=1):
            put_text(sheet, row, column, value).alignment = _WRAP
    sheet.freeze_panes = "B2"
    return sheet


def make_editable(sheet: Worksheet, first_column: int, last_column: int, rows: int) -> None:
    """Unlock the cells the reviewer fills in (rows 2 to rows + 1) and shade them."""
    for row in sheet.iter_rows(min_row=2, max_row=rows + 1, min_col=first_column, max_col=last_column):
        for cell in row:
            cell.protection = Protection(locked=False)
            cell.fill = _EDITABLE_FILL


def add_choice_list(sheet: Worksheet, first_column: int, last_column: int, rows: int) -> DataValidation:
    """A present/absent dropdown on a block of cells; anything else typed in is rejected by Excel."""
    validation = DataValidation(
        type="list",
        formula1=f'"{",".join(CHOICES)}"',
        allow_blank=True,
        showErrorMessage=True,
        errorStyle="stop",
        errorTitle="Choose from the list",
        error=f"Choose {PRESENT} or {ABSENT}, or leave the cell blank if you have not decided yet.",
        showInputMessage=True,
        promptTitle="Code",
        prompt=f"{PRESENT}, {ABSENT}, or blank",
    )
    if rows:
        start, end = get_column_letter(first_column), get_column_letter(last_column)
        validation.add(f"{start}2:{end}{rows + 1}")
    sheet.add_data_validation(validation)
    return validation


def protect(sheet: Worksheet) -> None:
    """Protect the sheet (locked cells cannot be edited); columns and rows may still be resized."""
    sheet.protection.sheet = True
    sheet.protection.formatColumns = False
    sheet.protection.formatRows = False


def add_meta_sheet(workbook: Workbook, record: Mapping[str, str]) -> None:
    sheet = workbook.create_sheet(META_SHEET)
    for row, (key, value) in enumerate({"format": FORMAT_VERSION, **record}.items(), start=1):
        put_text(sheet, row, 1, key)
        put_text(sheet, row, 2, value)
    protect(sheet)
    sheet.sheet_state = "veryHidden"


#: Every workbook we write carries this date, so the same content gives the same bytes.
FIXED_TIME = dt.datetime(2000, 1, 1, 0, 0, 0)  # noqa: DTZ001 - Excel document properties are naive


def stable_bytes(workbook: Workbook) -> bytes:
    """The workbook's .xlsx bytes, identical for identical content.

    openpyxl stamps the save time into ``docProps/core.xml`` and into every zip entry; both are
    replaced by a fixed date.
    """
    workbook.properties.created = FIXED_TIME
    workbook.properties.modified = FIXED_TIME
    buffer = io.BytesIO()
    workbook.save(buffer)
    stamped = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = stamped.sub(rb"\g<1>2000-01-01T00:00:00Z\g<2>", data)
            entry = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = info.external_attr
            target.writestr(entry, data)
    return output.getvalue()


def finish(workbook: Workbook, path: Path, active: str) -> None:
    """Lock the sheet structure (no renaming, adding or deleting sheets) and save atomically."""
    workbook.active = workbook.sheetnames.index(active)
    workbook.security = WorkbookProtection(lockStructure=True)
    write_bytes_atomic(path, stable_bytes(workbook))


def open_workbook(path: Path) -> Workbook:
    if not path.is_file():
        raise FileNotFoundError(path)
    try:
        with warnings.catch_warnings():
            # openpyxl warns about Excel features it drops (extensions, styles); we read values only.
            warnings.simplefilter("ignore")
            return load_workbook(path)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise UnreadableFile(
            path.name,
            "the file cannot be opened as an Excel workbook (.xlsx).",
            "Save the workbook from Excel as 'Excel Workbook (.xlsx)' and return it again.",
            rule="workbook.unreadable",
        ) from None


def require_sheets(workbook: Workbook, file: str, names: Sequence[str]) -> None:
    missing = [name for name in names if name not in workbook.sheetnames]
    if missing:
        quoted = ", ".join(f"'{name}'" for name in missing)
        raise TamperedWorkbook(
            file,
            f"the sheet {quoted} is missing or was renamed, so the codes cannot be read.",
            "Return the workbook with its sheets as they were sent: rename the sheet back, "
            "or ask the evaluator for a fresh copy.",
            rule="workbook.sheet-missing",
            failures=tuple(Failure("workbook.sheet-missing", f"the sheet '{name}' is missing") for name in missing),
        )


def read_meta(workbook: Workbook, file: str, keys: Sequence[str]) -> dict[str, str]:
    sheet = workbook[META_SHEET]
    record = {
        str(key): "" if value is None else str(value)
        for key, value in sheet.iter_rows(min_col=1, max_col=2, values_only=True)
        if key is not None
    }
    missing = [key for key in ("format", *keys) if key not in record]
    if missing or record["format"] != FORMAT_VERSION:
        raise TamperedWorkbook(
            file,
            "the hidden record of what this workbook was made for was changed or removed.",
            "Ask the evaluator for a fresh copy of the workbook.",
            rule="workbook.metadata-changed",
        )
    return record


def check_kind_and_cycle(
    record: Mapping[str, str], file: str, kind: str, cycle_id: str, not_kind: str, kind_action: str
) -> None:
    """Refuse a workbook of another kind (``not_kind``, ``kind_action``) or of another cycle."""
    if record["kind"] != kind:
        raise TamperedWorkbook(file, not_kind, kind_action, rule="workbook.wrong-kind")
    if record["cycle_id"] != cycle_id:
        raise TamperedWorkbook(
            file,
            f"this workbook was made for cycle {record['cycle_id']}, not for cycle {cycle_id}, so "
            "its codes belong to other segments.",
            f"Find the workbook of cycle {cycle_id} (its Instructions sheet names the cycle) and "
            "return that one instead.",
            rule="workbook.wrong-cycle",
        )


def check_codebook(record: Mapping[str, str], file: str, codebook: Codebook) -> None:
    """Refuse a workbook made with other codes than the codebook's now."""
    code_ids = ",".join(code.id for code in codebook.codes)
    if record["code_ids"] != code_ids:
        raise TamperedWorkbook(
            file,
            f"this workbook was made with the codes {record['code_ids'].replace(',', ', ')}, but the "
            f"codebook now has {code_ids.replace(',', ', ')}.",
            "The codebook changed after the workbooks were sent. Ask the evaluator to send new "
            "workbooks with the current codebook.",
            rule="workbook.codebook-changed",
        )


# -- checking the table sheet ------------------------------------------------------------------


@dataclass(frozen=True)
class _Kind:
    one: str
    many: str
    action: str


_KINDS = {
    "workbook.header-changed": _Kind(
        "1 column heading differs from the one sent",
        "{n} column headings differ from the ones sent",
        "Put the column headings back as they were sent, and do not add or remove columns.",
    ),
    "workbook.cell-changed": _Kind(
        "1 locked cell differs from what was sent",
        "{n} locked cells differ from what was sent",
        "Put the locked cells listed back as they were sent.",
    ),
    "workbook.row-added": _Kind(
        "1 row was added",
        "{n} rows were added",
        "Delete the rows you added.",
    ),
    "workbook.row-removed": _Kind(
        "1 row that was sent is missing",
        "{n} rows that were sent are missing",
        "Put the missing rows back (copy them from a fresh copy of the workbook).",
    ),
    "workbook.value-invalid": _Kind(
        "1 cell holds a value that is not in its list",
        "{n} cells hold a value that is not in their list",
        f"In the code cells listed, choose {PRESENT} or {ABSENT} from the dropdown, or leave them blank.",
    ),
}
_MAX_CELLS_NAMED = 5


def refuse_cells(file: str, sheet: str, failures: Sequence[Failure]) -> TamperedWorkbook:
    """One refusal naming every failing cell of ``sheet``."""
    failures = sorted(failures, key=lambda f: (f.row or 0, len(f.cell or ""), f.cell or ""))
    cells = [f.cell.split("!", 1)[1] for f in failures if f.cell]
    where = f"{file}, sheet '{sheet}'"
    if len(cells) == 1:
        where += f", cell {cells[0]}"
    elif cells:
        named = ", ".join(cells[:_MAX_CELLS_NAMED])
        more = len(cells) - _MAX_CELLS_NAMED
        where += f", cells {named}" + (f" and {more} more" if more > 0 else "")
    kinds = [rule for rule in _KINDS if any(f.rule == rule for f in failures)]
    counts = []
    for rule in kinds:
        n = sum(1 for f in failures if f.rule == rule)
        counts.append(_KINDS[rule].one if n == 1 else _KINDS[rule].many.format(n=n))
    problem = (
        "the workbook was changed where it must not be: "
        + "; ".join(counts)
        + ". Codes can only be compared when both reviewers code exactly the rows that were sent."
    )
    action = " ".join(
        ["failures.csv beside this report names every cell."]
        + [_KINDS[rule].action for rule in kinds]
        + ["Then return the workbook again."]
    )
    return TamperedWorkbook(
        where, problem, action, rule=kinds[0] if len(kinds) == 1 else None, failures=tuple(failures)
    )


def cell_text(value: object) -> str:
    """A cell's value as the text that was written (blank → ``""``, Excel escapes undone)."""
    return "" if value is None else _EXCEL_UNESCAPE.sub(r"_\1", str(value))


def check_table(
    sheet: Worksheet,
    headers: Sequence[str],
    expected: Sequence[Sequence[str]],
    key_width: int,
) -> tuple[list[Failure], dict[tuple[str, ...], tuple[int, tuple[object, ...]]]]:
    """Compare a table sheet with what was sent.

    ``expected`` holds the locked cells of each row (the first ``key_width`` of them identify
    the row); the columns after them, up to ``len(headers)``, are editable. Rows may have been
    sorted. Returns the failures found and, per key, the sheet row and its editable values.
    """
    name = sheet.title
    locked = len(expected[0]) if expected else key_width
    failures: list[Failure] = []
    last_column = max(len(headers), sheet.max_column)
    for column in range(1, last_column + 1):
        wanted = headers[column - 1] if column <= len(headers) else ""
        if cell_text(sheet.cell(row=1, column=column).value) != wanted:
            ref = f"{get_column_letter(column)}1"
            failures.append(
                Failure("workbook.header-changed", "the column heading was changed", 1, wanted, f"{name}!{ref}")
            )
    if failures:
        return failures, {}
    sent = {tuple(row[:key_width]): (index, row) for index, row in enumerate(expected)}
    matched: dict[tuple[str, ...], tuple[int, tuple[object, ...]]] = {}
    unknown: list[tuple[int, tuple[object, ...]]] = []
    for number, values in enumerate(sheet.iter_rows(min_row=2, max_col=len(headers), values_only=True), start=2):
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
            continue
        key = tuple(cell_text(v) for v in values[:key_width])
        if key in sent and key not in matched:
            matched[key] = (number, values)
        else:
            unknown.append((number, values))
    for number, stray in unknown:
        # A row whose id was edited in place still stands where its segment was sent.
        index = number - 2
        if 0 <= index < len(expected) and tuple(expected[index][:key_width]) not in matched:
            matched[tuple(expected[index][:key_width])] = (number, stray)
        else:
            failures.append(
                Failure(
                    "workbook.row-added",
                    "this row was not in the workbook sent",
                    number,
                    None,
                    f"{name}!A{number}",
                )
            )
    found: dict[tuple[str, ...], tuple[int, tuple[object, ...]]] = {}
    for key, (number, cells) in sorted(matched.items(), key=lambda item: item[1][0]):
        _, wanted_row = sent[key]
        for column in range(locked):
            if cell_text(cells[column]) != wanted_row[column]:
                ref = f"{get_column_letter(column + 1)}{number}"
                failures.append(
                    Failure(
                        "workbook.cell-changed",
                        "the locked cell was changed",
                        number,
                        headers[column],
                        f"{name}!{ref}",
                    )
                )
        found[key] = (number, tuple(cells[locked:]))
    for key, (index, _) in sent.items():
        if key not in found:
            failures.append(Failure("workbook.row-removed", f"the row of {' / '.join(key)} is missing", index + 2))
    return failures, found
