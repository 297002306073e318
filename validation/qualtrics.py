"""Qualtrics CSV exports (current format: three header rows; research §2.1).

Row 1 holds the column names, row 2 the question text (localised, never used as a key), row 3
one ImportId JSON object per column. Columns are keyed on the ImportId, which stays stable when
questions are renamed between PDSA cycles.
"""

from __future__ import annotations

import io
import json

import pandas as pd

from instruments.errors import UnreadableFile
from validation.survey_export import SurveyExport

#: Columns that identify a person when they hold a value (research §4).
IDENTIFYING = (
    "IPAddress",
    "RecipientEmail",
    "RecipientFirstName",
    "RecipientLastName",
    "ExternalReference",
    "Name",
    "EmailAddress",
    "ExternalDataReference",
)
#: Routine metadata, dropped before anything is stored.
ROUTINE = (
    "StartDate",
    "EndDate",
    "Status",
    "Progress",
    "Duration (in seconds)",
    "Finished",
    "RecordedDate",
    "ResponseId",
    "LocationLatitude",
    "LocationLongitude",
    "LocationAccuracy",
    "DistributionChannel",
    "UserLanguage",
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
HEADER_ROWS = 3


def read_qualtrics(text: str, name: str) -> SurveyExport:
    """Read a current-format Qualtrics CSV export into a :class:`SurveyExport`."""
    try:
        grid = pd.read_csv(io.StringIO(text), header=None, dtype=str, keep_default_na=False)
    except pd.errors.ParserError:
        raise UnreadableFile(
            name,
            "the rows of this CSV file do not all have the same number of columns.",
            "Export the responses again from Qualtrics without editing the file.",
            rule="csv.ragged",
        ) from None
    if len(grid) <= HEADER_ROWS:
        raise UnreadableFile(
            name,
            "the file has its header rows but no responses.",
            "Check the export's date range and filters in Qualtrics, then export again.",
            rule="survey.empty",
        )
    names = list(grid.iloc[0])
    if len(set(names)) != len(names):
        repeated = sorted({n for n in names if names.count(n) > 1})
        raise UnreadableFile(
            f"{name}, row 1",
            f"column name(s) {', '.join(repr(n) for n in repeated)} appear more than once.",
            "Turn off duplicate export tags in Qualtrics (or rename the questions) and export again.",
            rule="survey.duplicate-columns",
        )
    import_ids: dict[str, str] = {}
    for position, (column, cell) in enumerate(zip(names, grid.iloc[2], strict=True)):
        try:
            import_ids[column] = str(json.loads(cell)["ImportId"])
        except (ValueError, KeyError, TypeError):
            raise UnreadableFile(
                f"{name}, row 3, column {position + 1} ({column!r})",
                "this cell should hold the column's ImportId (JSON) but does not.",
                "Export the responses again from Qualtrics without editing the file in Excel.",
                rule="qualtrics.header-rows",
            ) from None
    body = grid.iloc[HEADER_ROWS:].reset_index(drop=True)
    body.columns = pd.Index(names)
    respondent_ids = tuple(body["ResponseId"]) if "ResponseId" in body else ()
    if not respondent_ids:
        raise UnreadableFile(
            name,
            "the export has no ResponseId column, so re-imports cannot be matched.",
            "Include the ResponseId metadata column when exporting from Qualtrics.",
            rule="qualtrics.no-response-id",
        )
    excluded: dict[int, str] = {}
    blank = [""] * len(body)
    statuses = body["Status"].astype(str).tolist() if "Status" in body else blank
    channels = body["DistributionChannel"].astype(str).tolist() if "DistributionChannel" in body else blank
    for position, (status, channel) in enumerate(zip(statuses, channels, strict=True)):
        if status.strip().casefold() in _EXCLUDED_STATUS:
            excluded[position] = _EXCLUDED_STATUS[status.strip().casefold()]
        elif channel.strip().casefold() == "preview":
            excluded[position] = "survey preview"
    data_columns = [c for c in names if c not in IDENTIFYING and c not in ROUTINE]
    answers = body[data_columns].rename(columns=import_ids)
    return SurveyExport(
        platform="qualtrics",
        header_rows=HEADER_ROWS,
        answers=answers,
        respondent_ids=respondent_ids,
        file_rows=tuple(range(HEADER_ROWS + 1, HEADER_ROWS + 1 + len(body))),
        identifying=body[[c for c in names if c in IDENTIFYING]],
        routine=tuple(c for c in names if c in ROUTINE),
        excluded=excluded,
        column_names={import_ids[c]: c for c in data_columns},
    )
