"""Real survey exports from public projects (../shared/samples, provenance in SOURCES.md there).

Each file is either read, with its response and column counts checked, or refused under the
rule that should refuse it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from instruments.errors import InputRefused, UnreadableFile
from instruments.load import load_evaluation
from tests.conftest import PILOT, SHARED
from validation.intake import accept, read_survey
from validation.platform import Platform, recognise
from validation.survey_export import SurveyExport

SAMPLES = SHARED / "samples"


def read(path: Path, companions: dict[str, bytes] | None = None) -> tuple[Platform, SurveyExport]:
    recognition = recognise(path.read_bytes(), path.name)
    return recognition.platform, read_survey(recognition, path.name, companions or {})


@pytest.mark.parametrize(
    ("relative", "platform", "responses", "answer_columns", "identifying"),
    [
        ("redcap/REDCapR_checkboxes_data_raw.csv", Platform.REDCAP, 4, 10, []),
        ("redcap/REDCapR_decimal_comma_data_raw.csv", Platform.REDCAP, 4, 3, ["name"]),
        ("redcap/REDCapR_repeating_instruments_data_raw.csv", Platform.REDCAP, 6, 8, ["first_name", "dob"]),
        (
            "redcap/REDCapR_simple_data_raw_multiline.csv",
            Platform.REDCAP,
            5,
            14,
            ["name_first", "name_last", "address", "telephone", "email", "dob"],
        ),
        (
            "redcap/REDCapR_survey_data_raw.csv",
            Platform.REDCAP,
            2,
            18,
            ["redcap_survey_identifier", "dob", "email", "first_name", "last_name", "address", "telephone_1"],
        ),
        (
            "kobo/kobocat_nested_repeats_wide.csv",
            Platform.KOBO,
            2,
            21,
            ["gps", "_gps_latitude", "_gps_longitude", "_gps_altitude", "_gps_precision"],
        ),
        ("kobo/kobocat_transportation_export.xlsx", Platform.KOBO, 4, 21, []),
        ("kobo/kobocat_transportation_quoted.csv", Platform.KOBO, 4, 20, []),
        (
            "kobo/kobocat_tutorial_w_repeats_wide.csv",
            Platform.KOBO,
            1,
            11,
            ["name", "gps", "_gps_latitude", "_gps_longitude", "_gps_altitude", "_gps_precision"],
        ),
        (
            "kobo/kobocat_userone_dot_name_fields.csv",
            Platform.KOBO,
            1,
            4,
            ["Q1.4", "_Q1.4_latitude", "_Q1.4_longitude", "_Q1.4_altitude", "_Q1.4_precision"],
        ),
        ("limesurvey/limonaid_survey_100001_R_data_file_bom.csv", Platform.LIMESURVEY, 3, 303, []),
        ("limesurvey/limonaid_survey_998192_R_data_file_bom.csv", Platform.LIMESURVEY, 7, 44, []),
    ],
)
def test_a_real_export_is_recognised_and_read(
    relative: str, platform: Platform, responses: int, answer_columns: int, identifying: list[str]
) -> None:
    found, export = read(SAMPLES / relative)
    assert found is platform
    assert len(export.respondent_ids) == responses
    assert export.answers.shape == (responses, answer_columns)
    assert list(export.identifying.columns) == identifying


def test_the_kobo_export_with_blank_submission_ids_is_refused() -> None:
    path = SAMPLES / "kobo" / "kobocat_childrens_survey_crlf.csv"
    with pytest.raises(UnreadableFile) as caught:
        read(path)
    assert caught.value.rule == "survey.missing-response-id"
    assert caught.value.where == "kobocat_childrens_survey_crlf.csv, column '_uuid'"
    assert [f.row for f in caught.value.failures] == [2, 3]


def test_kobo_rows_with_a_trailing_delimiter_are_trimmed_not_refused() -> None:
    _, export = read(SAMPLES / "kobo" / "kobocat_transportation_quoted.csv")
    assert export.routine == ("meta/instanceID", "_uuid", "_submission_time")


def test_redcap_multiline_free_text_stays_in_its_cell() -> None:
    _, export = read(SAMPLES / "redcap" / "REDCapR_simple_data_raw_multiline.csv")
    cells = [*export.answers.to_numpy().ravel(), *export.identifying.to_numpy().ravel()]
    assert sum("\n" in str(cell) for cell in cells) == 7  # as counted in research §2.5
    assert len(export.respondent_ids) == 5


def test_redcap_repeating_instances_are_distinct_responses() -> None:
    _, export = read(SAMPLES / "redcap" / "REDCapR_repeating_instruments_data_raw.csv")
    assert len(set(export.respondent_ids)) == 6


def test_limesurvey_responses_without_a_submit_date_are_marked_unfinished() -> None:
    _, export = read(SAMPLES / "limesurvey" / "limonaid_survey_998192_R_data_file_bom.csv")
    assert export.excluded == {}
    assert len(export.partial) == 5


def test_limesurvey_blank_and_repeated_headers_are_renamed_and_reported() -> None:
    _, export = read(SAMPLES / "limesurvey" / "limonaid_survey_100001_R_data_file_bom.csv")
    assert "(column 10)" in export.answers.columns
    assert len(export.notes) == 17
    assert all("repeats an earlier one" in note for note in export.notes)


@pytest.mark.parametrize(
    "relative",
    [
        "redcap/REDCapR_simple_dictionary.csv",
        "redcap/REDCapR_survey_dictionary.csv",
        "redcap/REDCapR_validation_types_dictionary.csv",
        "redcap/REDCapR_problematic_dictionary_bom_badbytes.csv",
    ],
)
def test_a_redcap_data_dictionary_is_recognised_and_stores_no_table(relative: str) -> None:
    path = SAMPLES / relative
    evaluation = load_evaluation(PILOT / "evaluation.yaml")
    intake = accept(path.read_bytes(), path.name, "0" * 12, evaluation, "cycle-1", "salt")
    assert intake.platform is Platform.REDCAP_DICTIONARY
    assert intake.tables == {}


def test_the_redcap_dictionary_beside_an_export_flags_its_identifier_fields() -> None:
    data = SAMPLES / "redcap" / "REDCapR_simple_data_raw_multiline.csv"
    dictionary = SAMPLES / "redcap" / "REDCapR_simple_dictionary.csv"
    _, export = read(data, {dictionary.name: dictionary.read_bytes()})
    # The dictionary flags the fields its designer marked as identifiers (and e-mail/phone types).
    assert {"name_first", "name_last", "address", "telephone", "email", "dob"} <= set(export.identifying.columns)


def test_real_exports_with_identifiers_are_refused_by_the_pilots_privacy_screen() -> None:
    evaluation = load_evaluation(PILOT / "evaluation.yaml")
    path = SAMPLES / "redcap" / "REDCapR_survey_data_raw.csv"
    with pytest.raises(InputRefused) as caught:
        accept(path.read_bytes(), path.name, "0" * 12, evaluation, "cycle-1", "salt")
    assert caught.value.rule == "privacy.identifying-column"
    assert "aaa@bbb.com" not in str(caught.value)


@pytest.mark.parametrize(
    ("column", "identifying"),
    [
        ("tel/tel.office", True),
        ("tel/tel.mobile", True),
        ("contact/mobile_phone", True),
        ("telephone_2", True),
        ("Is there anything you want to tell us?", False),
        ("hotel_stays", False),
        ("group/cellar_door", False),
    ],
)
def test_kobo_phone_fields_are_told_apart_from_words_that_contain_tel(column: str, identifying: bool) -> None:
    from validation.grid import Grid
    from validation.kobo import read_kobo

    header = (column, "_uuid", "_submission_time")
    grid = Grid((header, ("x", "u-1", "2026-01-01T00:00:00")), ",", "csv")
    assert (column in read_kobo(grid, "k.csv").identifying.columns) is identifying
