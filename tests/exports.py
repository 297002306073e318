"""Hand-made export files for tests (real platform layouts, our own data)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence

QUALTRICS_META = [
    "StartDate",
    "EndDate",
    "Status",
    "IPAddress",
    "Progress",
    "Duration (in seconds)",
    "Finished",
    "RecordedDate",
    "ResponseId",
    "RecipientLastName",
    "RecipientFirstName",
    "RecipientEmail",
    "ExternalReference",
    "LocationLatitude",
    "LocationLongitude",
    "DistributionChannel",
    "UserLanguage",
]


def qualtrics_csv(
    questions: Sequence[tuple[str, str]],
    rows: Sequence[dict[str, str]],
) -> bytes:
    """A current-format Qualtrics export: ``questions`` are (column name, ImportId) pairs.

    Each row gives values by column name; metadata defaults to an anonymous, finished response.
    """
    names = [*QUALTRICS_META, *(name for name, _ in questions)]
    import_ids = {name: name[0].lower() + name[1:] for name in QUALTRICS_META}
    import_ids["ResponseId"] = "_recordId"
    import_ids.update(dict(questions))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(names)
    writer.writerow([f"Label of {n}" for n in names])
    writer.writerow([json.dumps({"ImportId": import_ids[n]}, separators=(",", ":")) for n in names])
    for number, row in enumerate(rows, start=1):
        defaults = {
            "StartDate": "2026-02-01 10:00:00",
            "EndDate": "2026-02-01 10:05:00",
            "Status": "0",
            "Progress": "100",
            "Duration (in seconds)": "300",
            "Finished": "1",
            "RecordedDate": "2026-02-01 10:05:01",
            "ResponseId": f"R_test{number:011d}",
            "DistributionChannel": "anonymous",
            "UserLanguage": "EN",
        }
        values = {**defaults, **row}
        writer.writerow([values.get(n, "") for n in names])
    return buffer.getvalue().encode("utf-8")


PARTICIPANT_QUESTIONS = [("Q1_1", "QID1_1"), ("Q1_2", "QID1_2"), ("Q1_3", "QID1_3"), ("Q2", "QID2_TEXT")]
