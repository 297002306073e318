"""The agreement table as a workbook the team can open: one row per code, then the pooled rows."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from openpyxl.styles import Alignment, Font

from instruments.atomic import write_bytes_atomic
from reports.workbook import new_workbook, stable_bytes

_HEADERS = {
    "scope": "Scope",
    "code": "Code",
    "units": "Segments compared",
    "blank": "Left blank",
    "prevalence_a": "Prevalence (reviewer A)",
    "prevalence_b": "Prevalence (reviewer B)",
}


def write_agreement_workbook(path: Path, table: pd.DataFrame, cycle_id: str, reviewers: tuple[str, str]) -> None:
    """Write ``table`` (``analysis.agreement.agreement_table`` columns) as a plain, read-only-looking sheet."""
    workbook = new_workbook()
    sheet = workbook.create_sheet("Agreement")
    sheet.append([f"Reviewer agreement, {cycle_id}: reviewer A = {reviewers[0]}, reviewer B = {reviewers[1]}"])
    sheet["A1"].font = Font(bold=True)
    headers = [_HEADERS.get(c, c.replace("_", " ").capitalize()) for c in table.columns]
    sheet.append(headers)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in table.itertuples(index=False):
        values: list[object] = []
        for value in row:
            if value is None or (not isinstance(value, str) and pd.isna(value)):
                values.append(None)
            elif isinstance(value, str):
                values.append(value)
            else:
                values.append(float(value) if isinstance(value, float) else int(value))
        sheet.append(values)
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # never a formula, whatever the text
    sheet.freeze_panes = "C3"
    write_bytes_atomic(path, stable_bytes(workbook))


SUMMARY_COLUMNS = ("scope", "code", "units", "percent_agreement", "kappa", "alpha", "ac1", "undefined_reason")


def agreement_summary_rows(table: pd.DataFrame) -> list[dict[str, object]]:
    """The main columns of the agreement table as plain rows (for a Prefect table artifact)."""
    rows: list[dict[str, object]] = []
    for record in table[list(SUMMARY_COLUMNS)].astype(object).to_dict("records"):
        rows.append({str(k): (None if not isinstance(v, str) and pd.isna(v) else v) for k, v in record.items()})
    return rows
