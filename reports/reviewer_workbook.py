"""The reviewer workbook: one per reviewer and cycle, written out and read back.

Written to ``data/coding/<cycle>/out/<reviewer>.xlsx``; the returned copy is read from
``data/coding/<cycle>/in/``. Sheets:

- **Instructions**: how to code, in plain language;
- **Segments**: one row per segment. Segment id, source, speaker, context and text are locked;
  one cell per code (a present/absent dropdown, blank = not yet coded) and a Notes cell are the
  only editable cells;
- **Codebook**: code, label, theme, definition, when to use and not to use;
- a very hidden, protected record (:data:`reports.workbook.META_SHEET`) of cycle, reviewer,
  code ids, unit and a sha256 fingerprint of the locked cells.

Segments come in as a DataFrame with the columns of :data:`reports.workbook.SEGMENT_COLUMNS`;
codings go out as a DataFrame with the columns of :data:`CODING_COLUMNS`, ``value`` being
pandas' nullable ``boolean`` (True = present, False = absent, <NA> = not yet coded).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from openpyxl.utils import get_column_letter

from instruments.errors import Failure, TamperedWorkbook
from instruments.evaluation import Codebook
from reports.workbook import (
    ABSENT,
    INSTRUCTIONS_SHEET,
    META_SHEET,
    PRESENT,
    SEGMENT_COLUMNS,
    SEGMENT_HEADERS,
    SEGMENT_WIDTHS,
    add_choice_list,
    add_codebook_sheet,
    add_meta_sheet,
    add_table_sheet,
    add_text_sheet,
    cell_text,
    check_codebook,
    check_kind_and_cycle,
    check_table,
    fingerprint,
    finish,
    make_editable,
    new_workbook,
    open_workbook,
    parse_choice,
    protect,
    read_meta,
    refuse_cells,
    require_columns,
    require_sheets,
    segment_cells,
)

SEGMENTS_SHEET = "Segments"
NOTES_HEADER = "Notes"
CODING_COLUMNS = ("segment_id", "code_id", "reviewer_id", "value")
NOTE_COLUMNS = ("segment_id", "reviewer_id", "note")
_KIND = "reviewer"


def _locked_rows(segments: pd.DataFrame) -> list[tuple[str, str, str, str, str]]:
    return [segment_cells(row) for row in segments.to_dict("records")]


def _instructions(cycle_id: str, reviewer_id: str, unit: str, count: int, codebook: Codebook) -> list[str]:
    return [
        f"Coding workbook for {reviewer_id}, cycle {cycle_id}",
        f"This workbook holds {count} segments ({unit}s) and {len(codebook.codes)} codes. The other "
        "reviewer has the same segments in the same order and codes them on their own; do not "
        "compare notes until both workbooks are returned.",
        "How to code: on the Segments sheet, read the Text of each row (the Context column shows "
        "the turn before it, to help you understand it). For every code column, choose "
        f"'{PRESENT}' if the code applies to the text, or '{ABSENT}' if it does not. A blank cell "
        "means you have not decided yet. The Codebook sheet says what each code means and when to "
        "use it or not.",
        "Use the Notes column for anything you want to discuss later (for example, a code you "
        "hesitated over). Notes are kept but not counted. The cells you can change are shaded "
        "yellow.",
        "What not to change: the first five columns (segment id, source, speaker, context, text), the "
        "column headings, the sheet names, and the rows themselves (do not add, delete or copy "
        "rows). The sheets are protected against accidental changes. If a locked cell or a row is "
        "changed anyway, the workbook is refused when it comes back, with a list of the cells to "
        "put right.",
        "You may resize columns and rows, and save as often as you like. Keep the file as an Excel workbook (.xlsx).",
        "When you have finished, return the file to the evaluator with its name unchanged. Cells "
        "left blank are reported as not coded.",
    ]


def write_reviewer_workbook(
    path: Path, segments: pd.DataFrame, codebook: Codebook, cycle_id: str, reviewer_id: str
) -> None:
    """Write the workbook ``reviewer_id`` codes for ``cycle_id`` (atomically, replacing ``path``)."""
    require_columns(segments, SEGMENT_COLUMNS, "segments")
    other = sorted(set(segments["cycle_id"]) - {cycle_id})
    if other:
        raise ValueError(f"segments of cycle {', '.join(other)} cannot go in a workbook of cycle {cycle_id}")
    if not codebook.codes:
        raise ValueError("the codebook has no codes, so there is nothing to code")
    locked = _locked_rows(segments)
    code_ids = [code.id for code in codebook.codes]
    units = sorted(set(segments["unit"])) if "unit" in segments.columns else []
    unit = units[0] if len(units) == 1 else "segment"
    workbook = new_workbook()
    add_text_sheet(workbook, INSTRUCTIONS_SHEET, _instructions(cycle_id, reviewer_id, unit, len(locked), codebook))
    headers = (*SEGMENT_HEADERS, *code_ids, NOTES_HEADER)
    widths = (*SEGMENT_WIDTHS, *(14 for _ in code_ids), 36)
    blanks = (None,) * (len(code_ids) + 1)
    sheet = add_table_sheet(workbook, SEGMENTS_SHEET, headers, widths, ((*row, *blanks) for row in locked))
    first_code = len(SEGMENT_HEADERS) + 1
    make_editable(sheet, first_code, len(headers), len(locked))
    add_choice_list(sheet, first_code, first_code + len(code_ids) - 1, len(locked))
    protect(sheet)
    add_codebook_sheet(workbook, codebook)
    add_meta_sheet(
        workbook,
        {
            "kind": _KIND,
            "cycle_id": cycle_id,
            "reviewer_id": reviewer_id,
            "code_ids": ",".join(code_ids),
            "unit": unit,
            "fingerprint": fingerprint(locked),
        },
    )
    finish(workbook, path, SEGMENTS_SHEET)


def _check_record(
    record: dict[str, str],
    file: str,
    locked: list[tuple[str, str, str, str, str]],
    codebook: Codebook,
    cycle_id: str,
    reviewer_id: str,
) -> None:
    check_kind_and_cycle(
        record,
        file,
        _KIND,
        cycle_id,
        "this is not a reviewer's coding workbook (it may be a disagreement workbook).",
        f"Put the coding workbook of {reviewer_id} for cycle {cycle_id} here instead.",
    )
    if record["reviewer_id"] != reviewer_id:
        raise TamperedWorkbook(
            file,
            f"this workbook was made for {record['reviewer_id']}, not for {reviewer_id}; counting it "
            "as theirs would compare a reviewer with themselves.",
            f"Return the workbook made for {reviewer_id} (its Instructions sheet names the reviewer) "
            "under that reviewer's file name.",
            rule="workbook.wrong-reviewer",
        )
    check_codebook(record, file, codebook)
    if record["fingerprint"] != fingerprint(locked):
        raise TamperedWorkbook(
            file,
            "this workbook was made from segments that differ from this cycle's segments now "
            "(they were cut again after it was sent, or its hidden record was edited).",
            "Ask the evaluator: new workbooks must be sent for the segments as they are now.",
            rule="workbook.segments-changed",
        )


def _read(
    path: Path, expected_segments: pd.DataFrame, codebook: Codebook, cycle_id: str, reviewer_id: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    require_columns(expected_segments, SEGMENT_COLUMNS, "expected_segments")
    file = path.name
    workbook = open_workbook(path)
    require_sheets(workbook, file, [SEGMENTS_SHEET, META_SHEET])
    record = read_meta(workbook, file, ["kind", "cycle_id", "reviewer_id", "code_ids", "fingerprint"])
    locked = _locked_rows(expected_segments)
    _check_record(record, file, locked, codebook, cycle_id, reviewer_id)
    code_ids = [code.id for code in codebook.codes]
    headers = (*SEGMENT_HEADERS, *code_ids, NOTES_HEADER)
    sheet = workbook[SEGMENTS_SHEET]
    failures, found = check_table(sheet, headers, locked, key_width=1)
    codings: list[tuple[str, str, str, bool | None]] = []
    notes: list[tuple[str, str, str]] = []
    for row in locked:
        if (row[0],) not in found:
            continue
        number, values = found[(row[0],)]
        for column, (code_id, raw) in enumerate(zip(code_ids, values, strict=False), start=len(SEGMENT_HEADERS)):
            valid, value = parse_choice(raw)
            if not valid:
                ref = f"{SEGMENTS_SHEET}!{get_column_letter(column + 1)}{number}"
                failures.append(
                    Failure(
                        "workbook.value-invalid",
                        f"the value is not {PRESENT}, {ABSENT} or blank",
                        number,
                        code_id,
                        ref,
                    )
                )
            codings.append((row[0], code_id, reviewer_id, value))
        note = cell_text(values[len(code_ids)]).strip() if len(values) > len(code_ids) else ""
        if note:
            notes.append((row[0], reviewer_id, note))
    if failures:
        raise refuse_cells(file, SEGMENTS_SHEET, failures)
    coded = pd.DataFrame(codings, columns=list(CODING_COLUMNS))
    coded["value"] = coded["value"].astype("boolean")
    return coded, pd.DataFrame(notes, columns=list(NOTE_COLUMNS))


def read_reviewer_workbook(
    path: Path, expected_segments: pd.DataFrame, codebook: Codebook, cycle_id: str, reviewer_id: str
) -> pd.DataFrame:
    """The codings of a returned workbook: one row per segment and code (:data:`CODING_COLUMNS`).

    Refuses with :class:`~instruments.errors.TamperedWorkbook` a workbook of another kind, cycle,
    reviewer or codebook, one whose locked cells, headings or rows were changed, and one whose
    code cells hold anything but present/absent/blank; a refusal lists every failing cell.
    """
    return _read(path, expected_segments, codebook, cycle_id, reviewer_id)[0]


def read_reviewer_notes(
    path: Path, expected_segments: pd.DataFrame, codebook: Codebook, cycle_id: str, reviewer_id: str
) -> pd.DataFrame:
    """The reviewer's non-empty notes (:data:`NOTE_COLUMNS`), after the same checks as the codes."""
    return _read(path, expected_segments, codebook, cycle_id, reviewer_id)[1]


def locked_cells_match_record(path: Path) -> bool:
    """Whether the locked cells of a returned workbook still match the fingerprint it was sent
    with; a check that needs neither the segments nor the codebook (for triage, not a reader)."""
    workbook = open_workbook(path)
    require_sheets(workbook, path.name, [SEGMENTS_SHEET, META_SHEET])
    record = read_meta(workbook, path.name, ["fingerprint"])
    width = len(SEGMENT_HEADERS)
    rows = [
        tuple(cell_text(value) for value in row)
        for row in workbook[SEGMENTS_SHEET].iter_rows(min_row=2, max_col=width, values_only=True)
        if any(value is not None for value in row)
    ]
    return record["fingerprint"] == fingerprint(rows)
