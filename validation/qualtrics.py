"""Qualtrics CSV exports (research §2.1).

Current format: row 1 column names, row 2 question text (localised, never a key), row 3 one
ImportId JSON object per column; data columns are keyed on the ImportId, which stays stable when
questions are renamed between PDSA cycles. Legacy format: row 1 ``V1..V10`` then question ids,
row 2 labels; UTF-8 with a byte-order mark and a trailing comma on every line.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from instruments.errors import Failure, UnreadableFile
from validation.exports import build_export, unique_keys
from validation.grid import Grid, per_value, per_value_list
from validation.survey_export import SurveyExport

#: Columns that identify a person when they hold a value (research §4).
IDENTIFYING = frozenset(
    {
        "IPAddress",
        "RecipientEmail",
        "RecipientFirstName",
        "RecipientLastName",
        "ExternalReference",
        "Name",
        "EmailAddress",
        "ExternalDataReference",
    }
)
#: Routine metadata, dropped before anything is stored.
ROUTINE = frozenset(
    {
        "StartDate",
        "EndDate",
        "Status",
        "Progress",
        "Duration (in seconds)",
        "Finished",
        "RecordedDate",
        "ResponseId",
        "ResponseID",
        "ResponseSet",
        "LocationLatitude",
        "LocationLongitude",
        "LocationAccuracy",
        "DistributionChannel",
        "UserLanguage",
    }
)
#: Response types left out of analysis, by numeric code and by label (research §2.1).
_EXCLUDED_STATUS = {
    "1": "survey preview",
    "2": "survey test",
    "8": "spam",
    "9": "survey preview",
    "12": "spam",
    "17": "survey preview",
    "survey preview": "survey preview",
    "survey test": "survey test",
    "spam": "spam",
    "survey preview spam": "survey preview",
    "imported spam": "spam",
}


def looks_like_current(grid: Grid) -> bool:
    header = set(grid.header)
    return {"StartDate", "EndDate"} <= header and bool({"ResponseId", "Finished"} & header)


def looks_like_legacy(grid: Grid) -> bool:
    return grid.header[:3] == ("V1", "V2", "V3") and grid.height > 1 and "ResponseID" in grid.row(1)


#: Finished is 1/0 in numeric exports and True/False in choice-text exports (research §2.1).
_FINISHED = {"1": True, "true": True, "0": False, "false": False}


def _partial(frame: pd.DataFrame) -> pd.Series:
    if "Finished" not in frame:
        return pd.Series(False, index=frame.index)
    return per_value(frame["Finished"], lambda values: values.str.strip().str.casefold().map(_FINISHED).eq(False))


def _check_finished(grid: Grid, header_rows: int, name: str) -> None:
    """Refuse unknown Finished values rather than guess whether a response was completed."""
    if "Finished" not in grid.header:
        return
    cells = grid.column(grid.header.index("Finished"), header_rows)
    unknown = per_value_list(cells, lambda cell: cell.strip().casefold() not in _FINISHED)
    odd = [int(position) + header_rows + 1 for position in np.flatnonzero(unknown.astype(bool))]
    if odd:
        raise UnreadableFile(
            f"{name}, column 'Finished', row(s) {', '.join(str(r) for r in odd[:10])}",
            "these cells should say whether the response was finished (1/0 or True/False) but "
            "hold something else, so partial responses cannot be told apart.",
            "Export the responses again from Qualtrics without editing the Finished column.",
            rule="survey.boolean-vocabulary",
            failures=tuple(
                Failure(rule="survey.boolean-vocabulary", problem="not 1/0/True/False", row=r, column="Finished")
                for r in odd
            ),
        )


def _status_reasons(status: pd.Series) -> pd.Series:
    return status.str.strip().str.casefold().map(_EXCLUDED_STATUS).fillna("")


def _channel_reasons(channel: pd.Series) -> pd.Series:
    return channel.str.strip().str.casefold().map({"preview": "survey preview"}).fillna("")


def _excluded(frame: pd.DataFrame) -> pd.Series:
    blank = pd.Series("", index=frame.index)
    # Each distinct Status or channel text is looked up once (there are a handful).
    reasons = (
        per_value(frame["Status"], _status_reasons) if "Status" in frame else blank.map(_EXCLUDED_STATUS).fillna("")
    )
    channel = (
        per_value(frame["DistributionChannel"], _channel_reasons)
        if "DistributionChannel" in frame
        else blank.map({"preview": "survey preview"}).fillna("")
    )
    return reasons.where(reasons != "", channel)


def read_qualtrics(grid: Grid, name: str) -> SurveyExport:
    """Read a current-format export (three header rows)."""
    names = list(grid.header)
    if grid.height < 3 or not grid.row(2) or not grid.row(2)[0].startswith('{"ImportId"'):
        raise UnreadableFile(
            f"{name}, row 3",
            "the file looks like a Qualtrics export, but its third header row (the ImportId row) "
            "is missing, so its columns cannot be matched safely.",
            "Export the responses again from Qualtrics as CSV without editing the file in Excel.",
            rule="qualtrics.header-rows",
        )
    keys: list[str] = []
    for position, (column, cell) in enumerate(zip(names, grid.row(2), strict=True), start=1):
        if column in IDENTIFYING or column in ROUTINE:
            keys.append(column)
            continue
        if not column.strip() and not cell.strip():  # a trailing delimiter's empty column
            keys.append(f"(column {position})")
            continue
        try:
            keys.append(str(json.loads(cell)["ImportId"]))
        except (ValueError, KeyError, TypeError):
            raise UnreadableFile(
                f"{name}, row 3, column {position} ({column!r})",
                "this cell should hold the column's ImportId (JSON) but does not.",
                "Export the responses again from Qualtrics without editing the file in Excel.",
                rule="qualtrics.header-rows",
            ) from None
    if len(set(keys)) != len(keys):
        repeated = sorted({k for k in keys if keys.count(k) > 1})
        raise UnreadableFile(
            f"{name}, row 3",
            f"the ImportId(s) {', '.join(repr(k) for k in repeated)} appear more than once, so two "
            "columns would be read as one question.",
            "Export the responses again from Qualtrics without editing the file in Excel.",
            rule="survey.duplicate-columns",
        )
    if "ResponseId" not in names:
        raise UnreadableFile(
            name,
            "the export has no ResponseId column, so re-imports cannot be matched.",
            "Include the ResponseId metadata column when exporting from Qualtrics.",
            rule="qualtrics.no-response-id",
        )
    _check_finished(grid, 3, name)
    return build_export(
        platform="qualtrics",
        grid=grid,
        name=name,
        header_rows=3,
        keys=keys,
        id_key="ResponseId",
        is_identifying=IDENTIFYING.__contains__,
        is_routine=ROUTINE.__contains__,
        excluded=_excluded,
        partial=_partial,
        labels=[n if n.strip() else k for n, k in zip(names, keys, strict=True)],
    )


def read_qualtrics_legacy(grid: Grid, name: str) -> SurveyExport:
    """Read a legacy-format export: ``V1..V10`` metadata named in row 2, questions by id in row 1."""
    labels = list(grid.row(1))
    raw = [
        label if column.startswith("V") and column[1:].isdigit() else column
        for column, label in zip(grid.header, labels, strict=True)
    ]
    keys, notes = unique_keys(raw)
    return build_export(
        platform="qualtrics",
        grid=grid,
        name=name,
        header_rows=2,
        keys=keys,
        id_key="ResponseID",
        partial=_partial,
        is_identifying=IDENTIFYING.__contains__,
        is_routine=ROUTINE.__contains__,
        excluded=_excluded,
        labels=keys,
        notes=notes,
    )
