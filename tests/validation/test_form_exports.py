"""SurveyMonkey, Microsoft Forms and Google Forms, from synthetic files in their real layouts.

No public sample of these exports could be collected (research/export_formats.md §7.2), so
these fixtures follow the layouts documented in §2.2-§2.4 and are labelled synthetic.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

import openpyxl
import pytest

from instruments.errors import PrivacyViolation, UnmappedInput
from instruments.evaluation import Evaluation
from validation.intake import accept
from validation.platform import Platform

SALT = "salt"


@pytest.fixture(scope="module")
def evaluation() -> Evaluation:
    feedback_items = [
        {"id": "welcome", "text": "I felt welcome.", "scale": "agree5"},
        {"id": "better", "text": "What would make it better?"},
    ]
    return Evaluation.model_validate(
        {
            "id": "forms",
            "title": "Forms",
            "roles": [{"id": "participant", "label": "Participant"}],
            "scales": [
                {
                    "id": "agree5",
                    "labels": ["Strongly disagree", "Disagree", "Neutral", "Agree", "Strongly agree"],
                }
            ],
            "instruments": [
                {
                    "id": f"feedback-{platform}",
                    "title": f"Feedback via {platform}",
                    "kind": "survey",
                    "respondents": ["participant"],
                    "items": feedback_items,
                    "exports": [{"platform": platform, "columns": columns}],
                }
                for platform, columns in (
                    (
                        "surveymonkey",
                        {
                            "Today's session / I felt welcome.": "welcome",
                            "What would make it better?": "better",
                        },
                    ),
                    (
                        "msforms",
                        {"I felt welcome in the group": "welcome", "What would make it better?": "better"},
                    ),
                    (
                        "google-forms",
                        {"How welcome did you feel?": "welcome", "What would make it better? ": "better"},
                    ),
                )
            ],
            "cycles": [{"id": "cycle-1", "title": "Cycle 1"}],
        }
    )


def csv_bytes(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode("utf-8")


def xlsx_bytes(rows: Sequence[Sequence[object]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


SM_META = [
    "Respondent ID",
    "Collector ID",
    "Start Date",
    "End Date",
    "IP Address",
    "Email Address",
    "First Name",
    "Last Name",
    "Custom Data 1",
]


def surveymonkey_rows(email: str = "") -> list[list[str]]:
    return [
        [*SM_META, "Today's session", "", "What would make it better?"],
        [*[""] * 9, "I felt welcome.", "I felt heard.", "Open-Ended Response"],
        [
            "11490001",
            "4057",
            "02/10/2026 6:01:00 PM",
            "02/10/2026 6:04:00 PM",
            "",
            email,
            "",
            "",
            "",
            "Agree",
            "Neutral",
            "Shorter check-in.",
        ],
        [
            "11490002",
            "4057",
            "02/10/2026 6:02:00 PM",
            "02/10/2026 6:05:00 PM",
            "",
            "",
            "",
            "",
            "",
            "Strongly agree",
            "Agree",
            "",
        ],
    ]


def test_surveymonkey_merged_question_headers_are_combined_with_their_sub_headers(
    evaluation: Evaluation,
) -> None:
    with pytest.raises(UnmappedInput) as caught:
        accept(csv_bytes(surveymonkey_rows()), "sm.csv", "0" * 12, evaluation, "cycle-1", SALT)
    # The one unmapped sub-question is named with its question, as the evaluator sees it in Excel.
    assert [f.column for f in caught.value.failures] == ["Today's session / I felt heard."]


def test_a_surveymonkey_export_is_mapped_and_stored(evaluation: Evaluation) -> None:
    rows = surveymonkey_rows()
    for row in rows:
        del row[10]  # keep only the mapped sub-question
    intake = accept(csv_bytes(rows), "sm.csv", "0" * 12, evaluation, "cycle-1", SALT)
    assert intake.platform is Platform.SURVEYMONKEY
    assert sorted(intake.tables["survey_responses"]["value"]) == [4, 5]
    assert list(intake.tables["survey_comments"]["text"]) == ["Shorter check-in."]


def test_a_surveymonkey_xlsx_export_reads_like_its_csv(evaluation: Evaluation) -> None:
    rows = surveymonkey_rows()
    for row in rows:
        del row[10]
    from_csv = accept(csv_bytes(rows), "sm.csv", "0" * 12, evaluation, "cycle-1", SALT)
    from_xlsx = accept(xlsx_bytes(rows), "sm.xlsx", "0" * 12, evaluation, "cycle-1", SALT)
    assert from_xlsx.tables["survey_responses"].equals(from_csv.tables["survey_responses"])


def test_a_surveymonkey_export_with_an_email_is_refused(evaluation: Evaluation) -> None:
    with pytest.raises(PrivacyViolation) as caught:
        accept(
            csv_bytes(surveymonkey_rows(email="pat@example.org")),
            "sm.csv",
            "0" * 12,
            evaluation,
            "cycle-1",
            SALT,
        )
    assert [(f.row, f.column) for f in caught.value.failures] == [(3, "Email Address")]


MSF_HEADER = [
    "ID",
    "Start time",
    "Completion time",
    "Email",
    "Name",
    "I felt welcome in the group",
    "What would make it better?",
]


def test_an_anonymous_microsoft_forms_workbook_is_accepted(evaluation: Evaluation) -> None:
    import datetime as dt

    when = dt.datetime(2026, 2, 10, 18, 1)  # noqa: DTZ001 - Excel cells hold naive local times
    data = xlsx_bytes(
        [
            MSF_HEADER,
            [1, when, when, "anonymous", "Anonymous", "Agree", "More breaks"],
            [2, when, when, "anonymous", "Anonymous", "Strongly agree", None],
        ]
    )
    intake = accept(data, "Feedback(1-2).xlsx", "0" * 12, evaluation, "cycle-1", SALT)
    assert intake.platform is Platform.MSFORMS
    assert sorted(intake.tables["survey_responses"]["value"]) == [4, 5]


def test_a_microsoft_forms_workbook_that_recorded_names_is_refused(evaluation: Evaluation) -> None:
    data = xlsx_bytes([MSF_HEADER, [1, None, None, "pat@example.org", "Pat Doe", "Agree", ""]])
    with pytest.raises(PrivacyViolation) as caught:
        accept(data, "Feedback.xlsx", "0" * 12, evaluation, "cycle-1", SALT)
    assert [f.column for f in caught.value.failures] == ["Email", "Name"]


def test_google_forms_linear_scale_labels_next_to_codes_are_read_as_codes(evaluation: Evaluation) -> None:
    data = csv_bytes(
        [
            ["Timestamp", "How welcome did you feel?", "What would make it better? "],
            ["2026/02/10 6:01:00 PM MST", "5 - Strongly agree", "Nothing"],
            ["2026/02/10 6:02:00 PM MST", "2", ""],
            ["2026/02/10 6:03:00 PM MST", "4", "Snacks"],
        ]
    )
    intake = accept(data, "Feedback (Responses) - Form responses 1.csv", "0" * 12, evaluation, "cycle-1", SALT)
    assert intake.platform is Platform.GOOGLE_FORMS
    assert sorted(intake.tables["survey_responses"]["value"]) == [2, 4, 5]
    assert intake.tables["survey_responses"]["respondent_token"].nunique() == 3


def test_google_forms_collected_email_addresses_are_refused(evaluation: Evaluation) -> None:
    data = csv_bytes(
        [
            ["Timestamp", "Email address", "How welcome did you feel?"],
            ["2026/02/10 6:01:00 PM MST", "pat@example.org", "4"],
        ]
    )
    with pytest.raises(PrivacyViolation) as caught:
        accept(data, "f.csv", "0" * 12, evaluation, "cycle-1", SALT)
    assert [f.column for f in caught.value.failures] == ["Email address"]
