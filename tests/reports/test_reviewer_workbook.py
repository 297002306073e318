from __future__ import annotations

import tempfile
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from instruments.errors import TamperedWorkbook, UnreadableFile
from instruments.evaluation import Code, Codebook
from reports.reviewer_workbook import (
    CODING_COLUMNS,
    locked_cells_match_record,
    read_reviewer_notes,
    read_reviewer_workbook,
    write_reviewer_workbook,
)
from reports.workbook import META_SHEET, cell_text
from tests.reports.test_workbook import CODE_IDS, CODEBOOK, SEGMENTS, code_column, edit, make_segments

# Workbook text: anything XML 1.0 can carry (the Segments contract refuses other control characters).
_TEXT = st.text(
    alphabet=st.characters(
        blacklist_categories=["Cs"], blacklist_characters=[chr(c) for c in range(32) if c not in (9, 10, 13)]
    ),
    max_size=40,
)
_FORMULA_LIKE = st.sampled_from(["", "=", "+", "-", "@", "\t", "\r", "=HYPERLINK(", "-2+3", "_x0041_"])
_SEGMENT_TEXT = st.builds(lambda prefix, body: prefix + body, _FORMULA_LIKE, _TEXT).filter(bool)


def read(
    path: Path, segments: pd.DataFrame = SEGMENTS, cycle: str = "cycle-1", reviewer: str = "reviewer-a"
) -> pd.DataFrame:
    return read_reviewer_workbook(path, segments, CODEBOOK, cycle, reviewer)


@pytest.fixture
def workbook(tmp_path: Path) -> Path:
    path = tmp_path / "out" / "reviewer-a.xlsx"
    write_reviewer_workbook(path, SEGMENTS, CODEBOOK, "cycle-1", "reviewer-a")
    return path


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=st.lists(
        st.tuples(_SEGMENT_TEXT, _TEXT, st.lists(st.sampled_from([True, False, None]), min_size=2, max_size=2)),
        min_size=1,
        max_size=6,
    )
)
def test_what_a_reviewer_codes_is_read_back_for_any_text(
    data: list[tuple[str, str, list[bool | None]]],
) -> None:
    segments = make_segments([text for text, _, _ in data], [context for _, context, _ in data])
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "reviewer-a.xlsx"
        write_reviewer_workbook(path, segments, CODEBOOK, "cycle-1", "reviewer-a")
        answers = {"present": True, "absent": False}
        edit(
            path,
            {
                f"{code_column(c)}{row + 2}": next(k for k, v in answers.items() if v is value)
                for row, (_, _, values) in enumerate(data)
                for c, value in enumerate(values)
                if value is not None
            },
        )
        codings = read(path, segments)
        book = load_workbook(path)
    assert list(codings.columns) == list(CODING_COLUMNS)
    assert codings["segment_id"].tolist() == [s for s in segments["segment_id"] for _ in CODE_IDS]
    assert codings["code_id"].tolist() == list(CODE_IDS) * len(data)
    expected = pd.array([v for _, _, values in data for v in values], dtype="boolean")
    pd.testing.assert_extension_array_equal(codings["value"].array, expected)
    sheet = book["Segments"]
    assert [cell_text(sheet.cell(row=r + 2, column=5).value) for r in range(len(data))] == [t for t, _, _ in data]
    assert all(cell.data_type != "f" for ws in book.worksheets for row in ws.iter_rows() for cell in row)


def test_fingerprint_shows_a_change_without_the_original(workbook: Path) -> None:
    edit(workbook, {"F2": "present", "H2": "a note"})
    assert locked_cells_match_record(workbook)
    edit(workbook, {"D3": "another context"})
    assert not locked_cells_match_record(workbook)


def test_instructions_name_the_cycle_reviewer_and_choices(workbook: Path) -> None:
    lines = [str(row[0]) for row in load_workbook(workbook)["Instructions"].iter_rows(values_only=True)]
    assert lines[0] == "Coding workbook for reviewer-a, cycle cycle-1"
    assert "3 segments (utterances) and 2 codes" in lines[1]
    assert any("'present'" in line and "'absent'" in line and "blank" in line for line in lines)


def test_formula_like_text_is_stored_as_text(workbook: Path) -> None:
    cell = load_workbook(workbook)["Segments"]["E3"]
    assert (cell.value, cell.data_type) == ("=SUM(A1:A9) is what the spreadsheet said", "s")


def test_text_that_looks_like_an_excel_escape_is_kept_as_written(tmp_path: Path) -> None:
    path = tmp_path / "reviewer-a.xlsx"
    segments = make_segments(["the code _x0041_ stays", "plain"])
    write_reviewer_workbook(path, segments, CODEBOOK, "cycle-1", "reviewer-a")
    with zipfile.ZipFile(path) as archive:
        stored = b"".join(archive.read(name) for name in archive.namelist() if name.startswith("xl/"))
    assert b"the code _x005F_x0041_ stays" in stored
    assert len(read(path, segments)) == 4
    assert locked_cells_match_record(path)


def test_only_code_and_notes_cells_are_editable(workbook: Path) -> None:
    book = load_workbook(workbook)
    sheet = book["Segments"]
    assert sheet.protection.sheet
    assert book.security is not None and book.security.lockStructure
    assert [sheet.cell(row=1, column=c).value for c in range(1, 9)] == [
        "Segment id", "Source", "Speaker", "Context (previous turn)", "Text", *CODE_IDS, "Notes",
    ]  # fmt: skip
    for row in sheet.iter_rows(min_row=1, max_row=4, max_col=8):
        for cell in row:
            editable = (cell.row or 0) > 1 and (cell.column or 0) >= 6
            assert cell.protection.locked is not editable, cell.coordinate
    assert sheet.freeze_panes == "B2"
    assert sheet["E2"].alignment.wrap_text
    assert book[META_SHEET].sheet_state == "veryHidden"
    assert book[META_SHEET].protection.sheet
    assert book["Codebook"].protection.sheet and book["Instructions"].protection.sheet


def test_dropdown_covers_exactly_the_code_cells(workbook: Path) -> None:
    sheet = load_workbook(workbook)["Segments"]
    (validation,) = sheet.data_validations.dataValidation
    assert (validation.type, validation.formula1) == ("list", '"present,absent"')
    assert validation.allow_blank and validation.showErrorMessage
    covered = {cell for cell_range in validation.sqref.ranges for cell in cell_range.cells}
    assert covered == {(row, column) for row in (2, 3, 4) for column in (6, 7)}


def test_codebook_sheet_explains_every_code(workbook: Path) -> None:
    sheet = load_workbook(workbook)["Codebook"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert rows[0] == (
        "role-distinct",
        "Distinct role",
        "A distinct role",
        "The PSW's contribution is described as different from the counsellor's.",
        "Someone contrasts what each brings.",
        "Only tasks are listed.",
    )
    assert [r[0] for r in rows] == list(CODE_IDS)


def test_codes_are_read_case_insensitively_and_notes_are_kept(workbook: Path) -> None:
    edit(workbook, {"F2": " Present ", "G4": "ABSENT", "H3": "  unsure about debrief  "})
    codings = read(workbook).set_index(["segment_id", "code_id"])["value"]
    assert codings.dropna().to_dict() == {
        (SEGMENTS.segment_id[0], "role-distinct"): True,
        (SEGMENTS.segment_id[2], "debrief"): False,
    }
    assert int(codings.isna().sum()) == 4
    notes = read_reviewer_notes(workbook, SEGMENTS, CODEBOOK, "cycle-1", "reviewer-a")
    assert notes.to_dict("records") == [
        {"segment_id": SEGMENTS.segment_id[1], "reviewer_id": "reviewer-a", "note": "unsure about debrief"}
    ]


# -- refusals: one test per rule, asserting the exact message ----------------------------------

LOCKED_ACTION = (
    "failures.csv beside this report names every cell. Put the locked cells listed back as they "
    "were sent. Then return the workbook again."
)
TAIL = " Codes can only be compared when both reviewers code exactly the rows that were sent."


def refusal(path: Path, **kwargs: object) -> TamperedWorkbook:
    with pytest.raises(TamperedWorkbook) as caught:
        read(path, **kwargs)  # type: ignore[arg-type]
    return caught.value


def test_changed_text_is_refused_naming_the_cell(workbook: Path) -> None:
    edit(workbook, {"E3": "something else"})
    error = refusal(workbook)
    assert str(error) == (
        "reviewer-a.xlsx, sheet 'Segments', cell E3: the workbook was changed where it must not be: "
        "1 locked cell differs from what was sent." + TAIL + "\nWhat to do: " + LOCKED_ACTION
    )
    assert error.rule == "workbook.cell-changed"
    assert [(f.cell, f.column, f.row) for f in error.failures] == [("Segments!E3", "Text", 3)]


def test_changed_segment_id_is_refused_naming_the_cell(workbook: Path) -> None:
    edit(workbook, {"A2": "0123456789ab-0009-01", "D4": "different context"})
    error = refusal(workbook)
    assert error.where == "reviewer-a.xlsx, sheet 'Segments', cells A2, D4"
    assert (
        error.problem
        == "the workbook was changed where it must not be: 2 locked cells differ from what was sent." + TAIL
    )
    assert [f.column for f in error.failures] == ["Segment id", "Context (previous turn)"]


def test_added_row_is_refused(workbook: Path) -> None:
    edit(
        workbook,
        {
            "A5": SEGMENTS.segment_id[0],
            "E5": "We each bring something different to the session.",
            "F5": "present",
        },
    )
    error = refusal(workbook)
    assert str(error) == (
        "reviewer-a.xlsx, sheet 'Segments', cell A5: the workbook was changed where it must not be: "
        "1 row was added." + TAIL + "\nWhat to do: failures.csv beside this report names every cell. "
        "Delete the rows you added. Then return the workbook again."
    )
    assert error.rule == "workbook.row-added"


def test_removed_row_is_refused(workbook: Path) -> None:
    book = load_workbook(workbook)
    book["Segments"].delete_rows(3)
    book.save(workbook)
    error = refusal(workbook)
    assert str(error) == (
        "reviewer-a.xlsx, sheet 'Segments': the workbook was changed where it must not be: "
        "1 row that was sent is missing." + TAIL + "\nWhat to do: failures.csv beside this report "
        "names every cell. Put the missing rows back (copy them from a fresh copy of the workbook). "
        "Then return the workbook again."
    )
    assert [(f.rule, f.row, f.problem) for f in error.failures] == [
        ("workbook.row-removed", 3, f"the row of {SEGMENTS.segment_id[1]} is missing")
    ]


def test_value_outside_the_list_is_refused(workbook: Path) -> None:
    edit(workbook, {"F2": "yes", "G3": 1, "F4": "absent", "G4": '="present"'})
    error = refusal(workbook)
    assert str(error) == (
        "reviewer-a.xlsx, sheet 'Segments', cells F2, G3, G4: the workbook was changed where it must "
        "not be: 3 cells hold a value that is not in their list." + TAIL + "\nWhat to do: failures.csv "
        "beside this report names every cell. In the code cells listed, choose present or absent "
        "from the dropdown, or leave them blank. Then return the workbook again."
    )
    assert [(f.cell, f.column) for f in error.failures] == [
        ("Segments!F2", "role-distinct"),
        ("Segments!G3", "debrief"),
        ("Segments!G4", "debrief"),
    ]


def test_changed_heading_is_refused(workbook: Path) -> None:
    edit(workbook, {"G1": "debriefing"})
    error = refusal(workbook)
    assert error.where == "reviewer-a.xlsx, sheet 'Segments', cell G1"
    assert error.rule == "workbook.header-changed"
    assert error.problem.startswith("the workbook was changed where it must not be: 1 column heading differs")


def test_every_failing_cell_is_listed_in_one_refusal(workbook: Path) -> None:
    edit(workbook, {"E2": "x", "B3": "y", "F4": "maybe", "A9": "extra"})
    error = refusal(workbook)
    assert error.rule == "workbook.tampered"
    assert [f.cell for f in error.failures] == ["Segments!E2", "Segments!B3", "Segments!F4", "Segments!A9"]
    assert error.problem == (
        "the workbook was changed where it must not be: 2 locked cells differ from what was sent; "
        "1 row was added; 1 cell holds a value that is not in its list." + TAIL
    )


def test_renamed_sheet_is_refused(workbook: Path) -> None:
    book = load_workbook(workbook)
    book["Segments"].title = "My coding"
    book.save(workbook)
    error = refusal(workbook)
    assert str(error) == (
        "reviewer-a.xlsx: the sheet 'Segments' is missing or was renamed, so the codes cannot be read."
        "\nWhat to do: Return the workbook with its sheets as they were sent: rename the sheet back, "
        "or ask the evaluator for a fresh copy."
    )
    assert error.rule == "workbook.sheet-missing"


def test_workbook_of_another_cycle_is_refused(workbook: Path) -> None:
    error = refusal(workbook, cycle="cycle-2", segments=SEGMENTS.assign(cycle_id="cycle-2"))
    assert str(error) == (
        "reviewer-a.xlsx: this workbook was made for cycle cycle-1, not for cycle cycle-2, so its "
        "codes belong to other segments.\nWhat to do: Find the workbook of cycle cycle-2 (its "
        "Instructions sheet names the cycle) and return that one instead."
    )
    assert error.rule == "workbook.wrong-cycle"


def test_workbook_of_another_reviewer_is_refused(workbook: Path) -> None:
    error = refusal(workbook, reviewer="reviewer-b")
    assert str(error) == (
        "reviewer-a.xlsx: this workbook was made for reviewer-a, not for reviewer-b; counting it as "
        "theirs would compare a reviewer with themselves.\nWhat to do: Return the workbook made for "
        "reviewer-b (its Instructions sheet names the reviewer) under that reviewer's file name."
    )
    assert error.rule == "workbook.wrong-reviewer"


def test_workbook_of_an_older_codebook_is_refused(workbook: Path) -> None:
    newer = Codebook(
        themes=CODEBOOK.themes,
        codes=(*CODEBOOK.codes, Code(id="safety", label="Safety", theme="team", definition="d")),
    )
    with pytest.raises(TamperedWorkbook) as caught:
        read_reviewer_workbook(workbook, SEGMENTS, newer, "cycle-1", "reviewer-a")
    assert caught.value.problem == (
        "this workbook was made with the codes role-distinct, debrief, but the codebook now has "
        "role-distinct, debrief, safety."
    )
    assert caught.value.rule == "workbook.codebook-changed"


def test_workbook_of_other_segments_is_refused(workbook: Path) -> None:
    recut = SEGMENTS.assign(text=SEGMENTS["text"].str.upper())
    error = refusal(workbook, segments=recut)
    assert error.rule == "workbook.segments-changed"
    assert error.problem == (
        "this workbook was made from segments that differ from this cycle's segments now (they were "
        "cut again after it was sent, or its hidden record was edited)."
    )


def test_edited_hidden_record_is_refused(workbook: Path) -> None:
    book = load_workbook(workbook)
    book[META_SHEET]["B1"] = "0"
    book.save(workbook)
    error = refusal(workbook)
    assert (error.rule, error.where) == ("workbook.metadata-changed", "reviewer-a.xlsx")


def test_a_file_that_is_not_a_workbook_is_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "reviewer-a.xlsx"
    path.write_text("not a workbook", encoding="utf-8")
    with pytest.raises(UnreadableFile) as caught:
        read(path)
    assert str(caught.value) == (
        "reviewer-a.xlsx: the file cannot be opened as an Excel workbook (.xlsx).\nWhat to do: Save "
        "the workbook from Excel as 'Excel Workbook (.xlsx)' and return it again."
    )


def test_text_too_long_for_a_cell_cannot_be_written(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="a text of 32768 characters does not fit in a cell"):
        write_reviewer_workbook(tmp_path / "a.xlsx", make_segments(["x" * 32_768]), CODEBOOK, "cycle-1", "a")
    assert not (tmp_path / "a.xlsx").exists()


def test_segments_of_another_cycle_cannot_be_written(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="segments of cycle cycle-2 cannot go in a workbook of cycle cycle-1"):
        write_reviewer_workbook(
            tmp_path / "a.xlsx", SEGMENTS.assign(cycle_id="cycle-2"), CODEBOOK, "cycle-1", "reviewer-a"
        )
