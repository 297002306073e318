from __future__ import annotations

import csv
from pathlib import Path

from instruments.errors import Failure, PrivacyViolation
from validation.quarantine import quarantine

ERROR = PrivacyViolation(
    "survey.csv, column 'RecipientEmail'",
    "this survey is anonymous, but the export holds data that could identify a respondent.",
    "Export the survey again without the column.",
    rule="privacy.identifying-column",
    failures=(
        Failure(rule="privacy.identifying-column", problem="column holds a value", row=4, column="RecipientEmail"),
        Failure(rule="privacy.identifying-column", problem="column holds a value", row=7, column="RecipientEmail"),
    ),
)


def test_refused_file_is_quarantined_with_its_report(tmp_path: Path) -> None:
    data = b"raw bytes, kept as they came\r\n"
    kept = quarantine(data, "survey.csv", "ab" * 32, ERROR, tmp_path)
    assert kept.folder == tmp_path / ("ab" * 32)
    assert (kept.folder / "survey.csv").read_bytes() == data
    assert kept.report.read_text("utf-8") == (
        "# Refused: survey.csv\n"
        "\n"
        "- **Where:** survey.csv, column 'RecipientEmail'\n"
        "- **What is wrong:** this survey is anonymous, but the export holds data that could identify a respondent.\n"
        "- **Rule:** `privacy.identifying-column`\n"
        "- **What to do:** Export the survey again without the column.\n"
        "\n"
        f"The file is kept unchanged in this folder (SHA-256 `{'ab' * 32}`); nothing from it was stored or published.\n"
        "`failures.csv` lists 2 failing place(s), one per line.\n"
    )


def test_failures_csv_lists_every_failing_place(tmp_path: Path) -> None:
    kept = quarantine(b"x", "survey.csv", "cd" * 32, ERROR, tmp_path)
    with kept.failures.open(encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert [(r["row"], r["column"], r["rule"]) for r in rows] == [
        ("4", "RecipientEmail", "privacy.identifying-column"),
        ("7", "RecipientEmail", "privacy.identifying-column"),
    ]
    assert all(r["file"] == "survey.csv" for r in rows)


def test_quarantining_twice_changes_nothing(tmp_path: Path) -> None:
    first = quarantine(b"x", "survey.csv", "ef" * 32, ERROR, tmp_path)
    before = {p.name: p.read_bytes() for p in first.folder.iterdir()}
    quarantine(b"x", "survey.csv", "ef" * 32, ERROR, tmp_path)
    assert {p.name: p.read_bytes() for p in first.folder.iterdir()} == before
