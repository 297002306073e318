"""Exports of form tools keyed by question text: SurveyMonkey, Microsoft Forms, Google Forms.

None of these gives stable question ids, so the evaluation maps the column header text (for
SurveyMonkey, ``question / sub-header``) to items; a renamed question is an unmapped column.
"""

from __future__ import annotations

from validation.exports import build_export, unique_keys
from validation.grid import Grid
from validation.survey_export import SurveyExport

SURVEYMONKEY_META = ("Respondent ID", "Collector ID", "Start Date", "End Date")
SURVEYMONKEY_IDENTIFYING = frozenset({"IP Address", "Email Address", "First Name", "Last Name", "Custom Data 1"})
SURVEYMONKEY_ROUTINE = frozenset({"Respondent ID", "Collector ID", "Start Date", "End Date"})

MSFORMS_META = ("id", "start time", "completion time", "email", "name")
MSFORMS_IDENTIFYING = frozenset({"email", "name"})
MSFORMS_ROUTINE = frozenset({"id", "start time", "completion time", "last modified time"})

GOOGLE_IDENTIFYING = frozenset({"email address"})
GOOGLE_ROUTINE = frozenset({"timestamp"})


def looks_like_surveymonkey(grid: Grid) -> bool:
    return grid.header[:4] == SURVEYMONKEY_META


def looks_like_msforms(grid: Grid) -> bool:
    return tuple(h.strip().casefold() for h in grid.header[:5]) == MSFORMS_META


def looks_like_google_forms(grid: Grid) -> bool:
    return bool(grid.header) and grid.header[0].strip().casefold() == "timestamp"


def read_surveymonkey(grid: Grid, name: str) -> SurveyExport:
    """Two header rows: question text spans several columns (merged cells), sub-headers below."""
    question = ""
    combined = []
    for top, sub in zip(grid.rows[0], grid.rows[1], strict=True):
        if top.strip():
            question = top.strip()
            is_meta = question in SURVEYMONKEY_IDENTIFYING or question in SURVEYMONKEY_ROUTINE
        else:
            is_meta = False
        if is_meta or not sub.strip() or sub.strip() in {"Response", "Open-Ended Response"}:
            combined.append(question)
        else:
            combined.append(f"{question} / {sub.strip()}")
    keys, notes = unique_keys(combined)
    return build_export(
        platform="surveymonkey",
        grid=grid,
        name=name,
        header_rows=2,
        keys=keys,
        id_key="Respondent ID",
        is_identifying=SURVEYMONKEY_IDENTIFYING.__contains__,
        is_routine=SURVEYMONKEY_ROUTINE.__contains__,
        notes=notes,
    )


def read_msforms(grid: Grid, name: str) -> SurveyExport:
    keys, notes = unique_keys(grid.header)
    id_key = keys[0]
    return build_export(
        platform="msforms",
        grid=grid,
        name=name,
        header_rows=1,
        keys=keys,
        id_key=id_key,
        is_identifying=lambda k: k.strip().casefold() in MSFORMS_IDENTIFYING,
        is_routine=lambda k: k.strip().casefold() in MSFORMS_ROUTINE,
        notes=notes,
    )


def read_google_forms(grid: Grid, name: str) -> SurveyExport:
    keys, notes = unique_keys(grid.header)
    return build_export(
        platform="google-forms",
        grid=grid,
        name=name,
        header_rows=1,
        keys=keys,
        id_key=None,
        is_identifying=lambda k: k.strip().casefold() in GOOGLE_IDENTIFYING,
        is_routine=lambda k: k.strip().casefold() in GOOGLE_ROUTINE,
        notes=notes,
    )
