from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from analysis.segments import segment_utterances
from instruments.errors import InputRefused, TamperedWorkbook
from instruments.evaluation import Codebook
from instruments.load import load_evaluation
from reports.disagreement_workbook import (
    RECONCILED,
    read_disagreement_workbook,
    write_disagreement_workbook,
)
from reports.reviewer_workbook import CODING_COLUMNS, read_reviewer_workbook, write_reviewer_workbook
from tests.reports.test_workbook import CODE_IDS, CODEBOOK, SEGMENTS, edit
from validation.codings import Codings, Segments
from validation.contracts import validate_table
from validation.intake import accept

REVIEWERS = ("reviewer-a", "reviewer-b")
IDS = SEGMENTS["segment_id"].tolist()


def coded(tmp_path: Path, reviewer: str, cells: dict[str, str]) -> pd.DataFrame:
    """Codings as they come back from a reviewer workbook filled in with ``cells``."""
    path = tmp_path / f"{reviewer}.xlsx"
    write_reviewer_workbook(path, SEGMENTS, CODEBOOK, "cycle-1", reviewer)
    edit(path, cells)
    return read_reviewer_workbook(path, SEGMENTS, CODEBOOK, "cycle-1", reviewer)


@pytest.fixture
def codings(tmp_path: Path) -> pd.DataFrame:
    # Columns F = role-distinct, G = debrief; rows 2-4 = the three segments.
    a = coded(
        tmp_path,
        "reviewer-a",
        {"F2": "present", "G2": "absent", "F3": "absent", "G3": "absent", "F4": "present", "G4": "present"},
    )
    b = coded(
        tmp_path,
        "reviewer-b",
        {"F2": "present", "G2": "present", "F3": "absent", "G3": "absent", "F4": "absent"},
    )
    return pd.concat([a, b], ignore_index=True)


@pytest.fixture
def workbook(tmp_path: Path, codings: pd.DataFrame) -> Path:
    path = tmp_path / "disagreements.xlsx"
    assert write_disagreement_workbook(path, SEGMENTS, codings, CODEBOOK, "cycle-1", REVIEWERS) == 3
    return path


def read(
    path: Path, codings: pd.DataFrame, segments: pd.DataFrame = SEGMENTS, codebook: Codebook = CODEBOOK
) -> pd.DataFrame:
    return read_disagreement_workbook(path, segments, codings, codebook, "cycle-1", REVIEWERS)


def test_every_difference_is_listed_with_both_values_and_the_text(workbook: Path) -> None:
    sheet = load_workbook(workbook)["Disagreements"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == (
        "Segment id", "Code", "Source", "Speaker", "Context (previous turn)", "Text",
        "reviewer-a", "reviewer-b", "Reconciled",
    )  # fmt: skip
    assert [(r[0], r[1], r[6], r[7], r[8]) for r in rows[1:]] == [
        (IDS[0], "debrief", "absent", "present", None),
        (IDS[2], "role-distinct", "present", "absent", None),
        (IDS[2], "debrief", "present", "(not coded)", None),
    ]
    assert rows[3][5] == SEGMENTS["text"][2]
    assert sheet["F2"].data_type == "s"


def test_only_the_reconciled_column_is_editable_and_has_the_dropdown(workbook: Path) -> None:
    sheet = load_workbook(workbook)["Disagreements"]
    assert sheet.protection.sheet
    for row in sheet.iter_rows(min_row=2, max_row=4, max_col=9):
        for cell in row:
            assert cell.protection.locked is (cell.column != 9), cell.coordinate
    (validation,) = sheet.data_validations.dataValidation
    assert {c for r in validation.sqref.ranges for c in r.cells} == {(2, 9), (3, 9), (4, 9)}


def test_reconciled_workbook_gives_final_codings_for_every_segment_and_code(
    workbook: Path, codings: pd.DataFrame
) -> None:
    edit(workbook, {"I2": "present", "I3": "absent", "I4": "Absent"}, sheet="Disagreements")
    final = read(workbook, codings)
    assert list(final.columns) == list(CODING_COLUMNS)
    assert set(final["reviewer_id"]) == {RECONCILED}
    assert final["value"].dtype == "boolean" and not final["value"].isna().any()
    assert final.set_index(["segment_id", "code_id"])["value"].to_dict() == {
        (IDS[0], "role-distinct"): True,  # agreed
        (IDS[0], "debrief"): True,  # reconciled
        (IDS[1], "role-distinct"): False,  # agreed
        (IDS[1], "debrief"): False,  # agreed
        (IDS[2], "role-distinct"): False,  # reconciled
        (IDS[2], "debrief"): False,  # reconciled (reviewer-b had left it blank)
    }


def test_unfinished_reconciliation_is_refused_listing_the_open_cells(workbook: Path, codings: pd.DataFrame) -> None:
    edit(workbook, {"I3": "absent"}, sheet="Disagreements")
    with pytest.raises(InputRefused) as caught:
        read(workbook, codings)
    error = caught.value
    assert not isinstance(error, TamperedWorkbook)
    assert str(error) == (
        "disagreements.xlsx, sheet 'Disagreements', cells I2, I4: the reconciliation is not "
        "finished: 2 of 3 rows have no answer in the Reconciled column, so the final codes are not "
        "known yet.\nWhat to do: Choose present or absent in every Reconciled cell listed in "
        "failures.csv, then return the workbook again."
    )
    assert error.rule == "reconciliation.unfinished"
    assert [f.cell for f in error.failures] == ["Disagreements!I2", "Disagreements!I4"]


def test_changed_reviewer_value_is_refused_as_tampering(workbook: Path, codings: pd.DataFrame) -> None:
    edit(workbook, {"H2": "absent", "I2": "absent", "I3": "absent", "I4": "absent"}, sheet="Disagreements")
    with pytest.raises(TamperedWorkbook) as caught:
        read(workbook, codings)
    assert caught.value.where == "disagreements.xlsx, sheet 'Disagreements', cell H2"
    assert [(f.rule, f.column) for f in caught.value.failures] == [("workbook.cell-changed", "reviewer-b")]


def test_workbook_made_from_other_codings_is_refused(workbook: Path, codings: pd.DataFrame) -> None:
    changed = codings.copy()
    changed.loc[0, "value"] = False
    with pytest.raises(TamperedWorkbook) as caught:
        read(workbook, changed)
    assert caught.value.rule == "workbook.codings-changed"


def test_reviewer_workbook_is_not_taken_for_a_disagreement_workbook(tmp_path: Path, codings: pd.DataFrame) -> None:
    with pytest.raises(TamperedWorkbook) as caught:
        read(tmp_path / "reviewer-a.xlsx", codings)
    assert str(caught.value) == (
        "reviewer-a.xlsx: the sheet 'Disagreements' is missing or was renamed, so the codes cannot "
        "be read.\nWhat to do: Return the workbook with its sheets as they were sent: rename the "
        "sheet back, or ask the evaluator for a fresh copy."
    )


def test_workbook_of_other_reviewers_is_refused(workbook: Path, codings: pd.DataFrame) -> None:
    with pytest.raises(TamperedWorkbook) as caught:
        read_disagreement_workbook(workbook, SEGMENTS, codings, CODEBOOK, "cycle-1", ("reviewer-a", "reviewer-c"))
    assert caught.value.problem == "this workbook reconciles reviewer-a and reviewer-b, not reviewer-a and reviewer-c."


_VALUE = st.sampled_from([True, False, None])


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    values=st.lists(st.tuples(_VALUE, _VALUE), min_size=len(IDS) * 2, max_size=len(IDS) * 2),
    decisions=st.lists(st.booleans(), min_size=len(IDS) * 2, max_size=len(IDS) * 2),
)
def test_final_codes_are_the_agreed_ones_plus_the_reconciled_ones(
    values: list[tuple[bool | None, bool | None]], decisions: list[bool]
) -> None:
    keys = [(segment, code) for segment in IDS for code in CODE_IDS]
    codings = pd.DataFrame(
        [(s, c, r, v[i]) for (s, c), v in zip(keys, values, strict=True) for i, r in enumerate(REVIEWERS)],
        columns=list(CODING_COLUMNS),
    ).astype({"value": "boolean"})
    open_keys = [k for k, (a, b) in zip(keys, values, strict=True) if a is None or a != b]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "disagreements.xlsx"
        assert write_disagreement_workbook(path, SEGMENTS, codings, CODEBOOK, "cycle-1", REVIEWERS) == len(open_keys)
        decided = dict(zip(keys, decisions, strict=True))
        edit(
            path,
            {f"I{row}": "present" if decided[k] else "absent" for row, k in enumerate(open_keys, start=2)},
            sheet="Disagreements",
        )
        final = read(path, codings)
    expected = {k: (decided[k] if k in open_keys else a) for k, (a, _) in zip(keys, values, strict=True)}
    assert final.set_index(["segment_id", "code_id"])["value"].to_dict() == expected


def test_value_outside_the_list_is_refused_in_the_reconciled_column(workbook: Path, codings: pd.DataFrame) -> None:
    edit(workbook, {"I2": "present", "I3": "both", "I4": "absent"}, sheet="Disagreements")
    with pytest.raises(TamperedWorkbook) as caught:
        read(workbook, codings)
    assert caught.value.where == "disagreements.xlsx, sheet 'Disagreements', cell I3"
    assert [(f.rule, f.column) for f in caught.value.failures] == [("workbook.value-invalid", "Reconciled")]


def test_pilot_transcripts_go_through_coding_and_reconciliation(tmp_path: Path) -> None:
    """The bundled pilot's interview and notes: segment, code twice, reconcile, all contracts met."""
    pilot = Path(__file__).parents[2] / "examples" / "psw-pilot"
    evaluation = load_evaluation(pilot / "evaluation.yaml")
    files = sorted(f for f in (pilot / "inbox" / "cycle-1").iterdir() if f.suffix in {".vtt", ".md"})
    utterances = pd.concat(
        [
            accept(f.read_bytes(), f.name, f"{n:012x}", evaluation, "cycle-1", "salt").tables["utterances"]
            for n, f in enumerate(files)
        ],
        ignore_index=True,
    )
    segments = validate_table(Segments, segment_utterances(utterances, "sentence"), "segments")
    codebook = evaluation.codebook
    coded = []
    for reviewer, answer in zip(REVIEWERS, ("present", "absent"), strict=True):
        path = tmp_path / "out" / f"{reviewer}.xlsx"
        write_reviewer_workbook(path, segments, codebook, "cycle-1", reviewer)
        # Both mark the first code present on the first segment; they differ on the second code.
        edit(path, {"F2": "present", "G2": answer})
        codings = read_reviewer_workbook(path, segments, codebook, "cycle-1", reviewer)
        coded.append(validate_table(Codings, codings, path.name))
    codings = pd.concat(coded, ignore_index=True)
    path = tmp_path / "disagreements.xlsx"
    total = len(segments) * len(codebook.codes)
    assert write_disagreement_workbook(path, segments, codings, codebook, "cycle-1", REVIEWERS) == total - 1
    edit(path, {f"I{row}": "absent" for row in range(2, total + 1)}, sheet="Disagreements")
    final = validate_table(Codings, read(path, codings, segments, codebook), path.name)
    assert len(final) == total
    assert final["value"].sum() == 1
