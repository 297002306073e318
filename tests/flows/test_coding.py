"""Two-reviewer coding through the flows: workbooks out, codes in, agreement, reconciliation."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from flows.import_coding import DISAGREEMENTS, import_coding
from flows.ingest_inbox import ingest_inbox
from flows.prepare_coding import prepare_coding
from flows.run_pilot import stage_pilot_inbox
from flows.settings import Settings
from reports.workbook import SEGMENT_HEADERS
from tests.conftest import PILOT

CODE_IDS = ("role-distinct", "debrief")


def fill(source: Path, target: Path, choose: dict[str, tuple[str, str]]) -> None:
    """Code a reviewer workbook as a reviewer would in Excel: present/absent per code cell."""
    workbook = openpyxl.load_workbook(source)
    sheet = workbook["Segments"]
    first_code = len(SEGMENT_HEADERS) + 1
    for row in range(2, sheet.max_row + 1):
        segment = str(sheet.cell(row, 1).value)
        values = choose.get(segment, ("absent", "absent"))
        for offset, value in enumerate(values):
            sheet.cell(row, first_code + offset).value = value
    workbook.save(target)


@pytest.fixture(scope="module")
def coded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, list[str]]:
    settings = Settings(workspace=tmp_path_factory.mktemp("coding"), evaluation=PILOT / "evaluation.yaml")
    stage_pilot_inbox.fn(PILOT / "inbox", settings)
    ingest_inbox(settings)
    prepared = prepare_coding("cycle-1", settings)
    segments = pd.read_parquet(settings.validated / "segments" / "cycle-1" / "segments.parquet")
    return settings, list(segments["segment_id"]) if prepared.segments else []


def test_each_reviewer_gets_a_workbook_of_every_segment(coded: tuple[Settings, list[str]]) -> None:
    settings, segments = coded
    assert len(segments) >= 8
    for reviewer in ("reviewer-a", "reviewer-b"):
        sheet = openpyxl.load_workbook(settings.workspace / "coding" / "cycle-1" / "out" / f"{reviewer}.xlsx")[
            "Segments"
        ]
        assert sheet.max_row - 1 == len(segments)


def test_preparing_again_writes_the_same_bytes(coded: tuple[Settings, list[str]]) -> None:
    settings, _ = coded
    path = settings.workspace / "coding" / "cycle-1" / "out" / "reviewer-a.xlsx"
    before = path.read_bytes()
    prepare_coding("cycle-1", settings)
    assert path.read_bytes() == before


def test_import_waits_for_both_reviewers_then_publishes_agreement_and_reconciles(
    coded: tuple[Settings, list[str]],
) -> None:
    settings, segments = coded
    folder = settings.workspace / "coding" / "cycle-1"
    assert import_coding("cycle-1", settings).waiting_for == ("reviewer-a", "reviewer-b")
    a = {
        s: ("present" if i % 2 == 0 else "absent", "present" if i % 3 == 0 else "absent")
        for i, s in enumerate(segments)
    }
    b = dict(a)
    b[segments[1]] = ("present", a[segments[1]][1])  # one disagreement on role-distinct
    fill(folder / "out" / "reviewer-a.xlsx", folder / "in" / "reviewer-a.xlsx", a)
    fill(folder / "out" / "reviewer-b.xlsx", folder / "in" / "reviewer-b.xlsx", b)
    status = import_coding("cycle-1", settings)
    assert status.returned == ("reviewer-a", "reviewer-b")
    assert status.disagreements == 1
    table = pd.read_csv(settings.published / "cycle-1" / "agreement.csv")
    assert list(table["code"].dropna())[:2] == list(CODE_IDS)
    assert int(table.loc[table["code"] == "debrief", "units"].iloc[0]) == len(segments)
    assert (settings.published / "cycle-1" / "agreement.xlsx").exists()
    # Reconcile the one open row and import again: final codings for every segment and code.
    workbook = openpyxl.load_workbook(folder / "out" / DISAGREEMENTS)
    sheet = workbook["Disagreements"]
    sheet.cell(2, sheet.max_column).value = "present"
    workbook.save(folder / "in" / DISAGREEMENTS)
    final = import_coding("cycle-1", settings)
    assert final.reconciliation == "done"
    import zipfile

    with zipfile.ZipFile(folder / "out" / "psw-pilot-cycle-1.qdpx") as project:
        assert "project.qde" in project.namelist()
    assert (folder / "out" / "psw-pilot-codebook.qdc").exists()
    assert final.final is not None
    codings = pd.read_parquet(final.final)
    assert len(codings) == len(segments) * len(CODE_IDS)


def test_a_tampered_workbook_is_quarantined_with_its_report(coded: tuple[Settings, list[str]]) -> None:
    settings, _ = coded
    folder = settings.workspace / "coding" / "cycle-1"
    workbook = openpyxl.load_workbook(folder / "out" / "reviewer-b.xlsx")
    workbook["Segments"].cell(2, len(SEGMENT_HEADERS)).value = "Someone rewrote this text."
    workbook.save(folder / "in" / "reviewer-b.xlsx")
    status = import_coding("cycle-1", settings)
    assert "reviewer-b" in status.refused
    assert "workbook.cell-changed" in status.refused["reviewer-b"]
    folders = [p.parent for p in settings.quarantine.glob("*/REFUSED.md") if "reviewer-b.xlsx" in p.read_text("utf-8")]
    assert len(folders) == 1
    assert (folders[0] / "reviewer-b.xlsx").exists()
    assert "Segments!E2" in (folders[0] / "failures.csv").read_text("utf-8")
