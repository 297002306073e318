"""The bad-input checklist of research/export_formats.md §5, one test per survey item.

Items 23-27 (transcripts) are tested beside the transcript readers.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from instruments.errors import ContractViolation, PrivacyViolation, UnmappedInput, UnreadableFile
from instruments.evaluation import Evaluation
from tests.conftest import SHARED
from tests.exports import qualtrics_csv
from validation.intake import Intake, accept
from validation.tables import known_respondents, table_path, without_known_respondents, write_table

SALT = "salt"
QUESTIONS = [("Q1", "QID1"), ("Q2", "QID2"), ("Q3", "QID3"), ("Q4", "QID4_TEXT")]


@pytest.fixture(scope="module")
def evaluation() -> Evaluation:
    return Evaluation.model_validate(
        {
            "id": "checklist",
            "title": "Checklist",
            "roles": [{"id": "participant", "label": "Participant"}],
            "scales": [
                {"id": "agree5", "labels": ["Strongly disagree", "Disagree", "Neutral", "Agree", "Strongly agree"]}
            ],
            "instruments": [
                {
                    "id": "feedback",
                    "title": "Feedback",
                    "kind": "survey",
                    "respondents": ["participant"],
                    "items": [
                        {"id": "welcome", "text": "Welcome", "scale": "agree5"},
                        {
                            "id": "groups",
                            "text": "Groups",
                            "choices": ["Grief", "Family support", "Bereavement"],
                            "multiple": True,
                        },
                        {"id": "format", "text": "Format", "choices": ["In person", "Online"]},
                        {"id": "better", "text": "Better"},
                    ],
                    "exports": [
                        {
                            "platform": "qualtrics",
                            "columns": {"QID1": "welcome", "QID2": "groups", "QID3": "format", "QID4_TEXT": "better"},
                        }
                    ],
                },
                {
                    "id": "split",
                    "title": "Split multi-select",
                    "kind": "survey",
                    "respondents": ["participant"],
                    "items": [
                        {"id": "groups", "text": "Groups", "choices": ["Grief", "Family support"], "multiple": True}
                    ],
                    "exports": [
                        {
                            "platform": "redcap",
                            "columns": {"groups___1": "groups=Grief", "groups___2": "groups=Family support"},
                        }
                    ],
                },
            ],
            "cycles": [{"id": "cycle-1", "title": "Cycle 1"}],
        }
    )


def run(evaluation: Evaluation, data: bytes, name: str = "export.csv") -> Intake:
    return accept(data, name, "0" * 12, evaluation, "cycle-1", SALT)


def export(*rows: dict[str, str]) -> bytes:
    return qualtrics_csv(QUESTIONS, rows)


def test_01_a_qualtrics_export_missing_its_importid_row_is_refused(evaluation: Evaluation) -> None:
    lines = export({"Q1": "Agree"}).decode().split("\n")
    with pytest.raises(UnreadableFile) as caught:
        run(evaluation, "\n".join([lines[0], lines[1], *lines[3:]]).encode())
    assert str(caught.value) == (
        "export.csv, row 3: the file looks like a Qualtrics export, but its third header row (the ImportId row) is "
        "missing, so its columns cannot be matched safely.\n"
        "What to do: Export the responses again from Qualtrics as CSV without editing the file in Excel."
    )


def test_02_merged_question_cells_are_forward_filled(evaluation: Evaluation) -> None:
    from validation.forms import read_surveymonkey
    from validation.grid import read_csv_grid

    meta = "Respondent ID,Collector ID,Start Date,End Date,IP Address,Email Address,First Name,Last Name,Custom Data 1"
    text = f"{meta},Which groups?,,Comment\n,,,,,,,,,Grief,Family,Open-Ended Response\n1,2,a,b,,,,,,Grief,,ok\n"
    answers = read_surveymonkey(read_csv_grid(text, "sm.csv"), "sm.csv").answers
    assert list(answers.columns) == ["Which groups? / Grief", "Which groups? / Family", "Comment"]


def test_03_two_columns_mapped_to_one_item_are_refused(evaluation: Evaluation) -> None:
    data = qualtrics_csv([("Q1", "QID1"), ("Q1_copy", "QID1")], [{"Q1": "Agree", "Q1_copy": "Agree"}])
    with pytest.raises(UnreadableFile) as caught:
        run(evaluation, data)
    assert caught.value.rule == "survey.duplicate-columns"


def test_03_repeated_header_text_is_renamed_and_reported() -> None:
    from validation.exports import unique_keys

    keys, notes = unique_keys(["Q", "Comment", "Comment", ""])
    assert keys == ["Q", "Comment", "Comment [2]", "(column 4)"]
    assert notes == ["column 3: the header 'Comment' repeats an earlier one; read as 'Comment [2]'"]


def test_04_an_empty_trailing_column_is_dropped_but_one_with_values_is_refused(evaluation: Evaluation) -> None:
    base = export({"Q1": "Agree"}).decode().rstrip("\n").split("\n")
    trailing = "\n".join(line + "," for line in base).encode()
    assert len(run(evaluation, trailing).tables["survey_responses"]) == 1
    with_value = "\n".join([*(line + "," for line in base[:-1]), base[-1] + ",surprise"]).encode()
    with pytest.raises(UnmappedInput) as caught:
        run(evaluation, with_value)
    assert caught.value.where.startswith("export.csv, column(s) '(column 22)'")


def test_05_a_byte_order_mark_does_not_stick_to_the_first_header(evaluation: Evaluation) -> None:
    assert len(run(evaluation, b"\xef\xbb\xbf" + export({"Q1": "Agree"})).tables["survey_responses"]) == 1


def test_06_utf16_and_windows_encodings_are_refused_with_the_fix(evaluation: Evaluation) -> None:
    with pytest.raises(UnreadableFile) as caught:
        run(evaluation, "StartDate,EndDate".encode("utf-16"))
    assert str(caught.value) == (
        "export.csv: the file is saved as UTF-16 ('Unicode text'), which evalcycle does not read.\n"
        "What to do: Export or save the file again as 'CSV UTF-8' (or UTF-8 text) and put it back in the inbox."
    )
    with pytest.raises(UnreadableFile) as caught:
        run(evaluation, export({"Q4": "x"}).replace(b"Label of Q4", b"Label \x97 Q4"))
    assert caught.value.where.startswith("export.csv, byte ")
    assert caught.value.rule == "encoding.not-utf8"


def test_07_text_that_was_mis_decoded_upstream_is_flagged_by_place(evaluation: Evaluation) -> None:
    intake = run(evaluation, export({"Q4": "Caf\u00c3\u00a9 was good \ufffd"}))
    assert intake.notes == (
        "row 4, column 'Q4': 2 character(s) look mis-decoded (for example \ufffd or Ã©); check the source system's text",
    )


def test_08_and_09_preview_test_and_spam_responses_are_counted_not_used(evaluation: Evaluation) -> None:
    intake = run(
        evaluation,
        export(
            {"Q1": "Agree"},
            {"Q1": "Agree", "Status": "Survey Preview"},
            {"Q1": "Agree", "Status": "2"},
            {"Q1": "Agree", "Status": "Spam"},
        ),
    )
    assert len(intake.tables["survey_responses"]) == 1
    assert intake.excluded == {"survey preview": 1, "survey test": 1, "spam": 1}


def test_10_unfinished_responses_are_left_out_unless_the_instrument_keeps_them(evaluation: Evaluation) -> None:
    data = export({"Q1": "Agree"}, {"Q1": "Agree", "Finished": "0", "Progress": "40"})
    intake = run(evaluation, data)
    assert intake.excluded == {"unfinished response": 1}
    assert len(intake.tables["survey_responses"]) == 1
    keeping = evaluation.model_copy(
        update={
            "instruments": (
                evaluation.instruments[0].model_copy(update={"include_partial": True}),
                evaluation.instruments[1],
            )
        }
    )
    assert len(run(keeping, data).tables["survey_responses"]) == 2


def test_11_finished_values_outside_the_boolean_vocabulary_are_refused(evaluation: Evaluation) -> None:
    assert len(run(evaluation, export({"Q1": "Agree", "Finished": "TRUE"})).tables["survey_responses"]) == 1
    with pytest.raises(UnreadableFile) as caught:
        run(evaluation, export({"Q1": "Agree"}, {"Q1": "Agree", "Finished": "maybe"}))
    assert caught.value.where == "export.csv, column 'Finished', row(s) 5"
    assert caught.value.rule == "survey.boolean-vocabulary"


def test_12_line_breaks_and_quotes_inside_free_text_stay_in_their_cell(evaluation: Evaluation) -> None:
    intake = run(evaluation, export({"Q4": 'First line\nsecond "quoted" line'}))
    assert list(intake.tables["survey_comments"]["text"]) == ['First line\nsecond "quoted" line']


def test_13_semicolon_and_tab_delimited_exports_read_like_commas(evaluation: Evaluation) -> None:
    import csv
    import io

    rows = list(csv.reader(io.StringIO(export({"Q1": "Agree", "Q4": "a, b; c"}).decode())))
    for delimiter in (";", "\t"):
        buffer = io.StringIO()
        csv.writer(buffer, delimiter=delimiter, lineterminator="\n").writerows(rows)
        intake = run(evaluation, buffer.getvalue().encode())
        assert list(intake.tables["survey_comments"]["text"]) == ["a, b; c"]


def test_13_a_row_with_too_many_values_is_refused(evaluation: Evaluation) -> None:
    data = export({"Q1": "Agree"}).decode().rstrip("\n") + ",extra,values\n"
    with pytest.raises(UnreadableFile) as caught:
        run(evaluation, data.encode())
    assert str(caught.value) == (
        "export.csv, row(s) 4: these rows do not have the 21 columns of the header row, so values would land in the "
        "wrong columns.\nWhat to do: Export the data again from the survey platform without editing it; if you "
        "edited it in Excel, check for extra separators in the rows named."
    )


def test_14_text_that_looks_like_a_formula_is_kept_as_text(evaluation: Evaluation) -> None:
    intake = run(evaluation, export({"Q4": '=HYPERLINK("http://x","y")'}))
    assert list(intake.tables["survey_comments"]["text"]) == ['=HYPERLINK("[link]","y")']


def test_15_and_16_dates_and_time_zones_are_never_stored(evaluation: Evaluation) -> None:
    data = export({"Q1": "Agree", "StartDate": "46200.5", "EndDate": "10/9/2024 11:02"})
    data = data.replace(
        b'{""ImportId"":""startDate""}', b'{""ImportId"":""startDate"",""timeZone"":""America/Edmonton""}'
    )
    intake = run(evaluation, data)
    columns = set().union(*(set(t.columns) for t in intake.tables.values()))
    assert not {"StartDate", "EndDate", "RecordedDate"} & columns


def test_17_a_code_with_its_label_counts_as_the_code(evaluation: Evaluation) -> None:
    intake = run(evaluation, export({"Q1": "5 - It matters a lot"}))
    assert list(intake.tables["survey_responses"]["value"]) == [5]


def test_18_joined_multi_select_answers_become_one_row_per_choice(evaluation: Evaluation) -> None:
    intake = run(evaluation, export({"Q2": "Grief;family support;", "Q3": "Online"}))
    choices = intake.tables["survey_choices"]
    assert sorted(zip(choices["item_id"], choices["choice"], strict=True)) == [
        ("format", "Online"),
        ("groups", "Family support"),
        ("groups", "Grief"),
    ]


def test_18_one_column_per_choice_becomes_one_row_per_chosen_choice(evaluation: Evaluation) -> None:
    data = b"record_id,groups___1,groups___2,feedback_complete\n1,1,0,2\n2,1,1,2\n3,0,0,2\n"
    intake = run(evaluation, data)
    assert sorted(intake.tables["survey_choices"]["choice"]) == ["Family support", "Grief", "Grief"]


def test_18_a_choice_the_item_does_not_have_is_refused_without_quoting_it(evaluation: Evaluation) -> None:
    with pytest.raises(ContractViolation) as caught:
        run(evaluation, export({"Q2": "Grief;Yoga"}, {"Q1": "Agree"}, {"Q1": "Very"}))
    assert str(caught.value) == (
        "export.csv: 2 answer(s) do not fit their item (not one of the choices, not on the response scale).\n"
        "What to do: Check that the export uses the same scales and choices as the evaluation file (labels, or codes "
        "1..n); failures.csv lists every row and column."
    )
    assert [(f.row, f.column) for f in caught.value.failures] == [(4, "Q2"), (6, "Q1")]


def test_19_a_renamed_question_is_an_unmapped_column_named_with_its_id(evaluation: Evaluation) -> None:
    data = qualtrics_csv([("Q1", "QID1"), ("Q9", "QID19")], [{"Q1": "Agree", "Q9": "x"}])
    with pytest.raises(UnmappedInput) as caught:
        run(evaluation, data)
    assert caught.value.where == "export.csv, column(s) 'Q9' (id QID19)"


def test_20_localised_question_text_in_row_2_is_never_used(evaluation: Evaluation) -> None:
    data = export({"Q1": "Agree"}).replace(b"Label of Q1", "Wie willkommen fühlten Sie sich?".encode())
    assert len(run(evaluation, data).tables["survey_responses"]) == 1


def test_21_an_export_with_a_title_row_added_by_hand_is_refused(evaluation: Evaluation) -> None:
    with pytest.raises(UnreadableFile) as caught:
        run(evaluation, b"Feedback for February\n" + export({"Q1": "Agree"}))
    assert caught.value.rule in {"platform.unrecognised", "csv.ragged"}


def test_22_two_tables_stacked_in_one_csv_are_refused() -> None:
    path = SHARED / "samples" / "zoom" / "zoomGroupStats_meeting001_participants.csv"
    from instruments.load import load_evaluation
    from tests.conftest import PILOT

    with pytest.raises(UnreadableFile) as caught:
        accept(path.read_bytes(), path.name, "0" * 12, load_evaluation(PILOT / "evaluation.yaml"), "cycle-1", SALT)
    assert caught.value.rule in {"csv.ragged", "platform.unrecognised"}
    assert "@" not in str(caught.value)


def test_28_an_export_with_no_responses_is_refused(evaluation: Evaluation) -> None:
    with pytest.raises(UnreadableFile) as caught:
        run(evaluation, export())
    assert str(caught.value) == (
        "export.csv: the file has its header row(s) but no responses.\n"
        "What to do: Check the export's date range and filters on the survey platform, then export again."
    )


def test_29_responses_already_imported_from_an_overlapping_export_are_dropped(
    tmp_path: Path, evaluation: Evaluation
) -> None:
    first = run(evaluation, export({"Q1": "Agree", "ResponseId": "R_a"}, {"Q1": "Agree", "ResponseId": "R_b"}))
    second = run(evaluation, export({"Q1": "Agree", "ResponseId": "R_b"}, {"Q1": "Disagree", "ResponseId": "R_c"}))
    for table, frame in first.tables.items():
        write_table(frame, table_path(tmp_path, table, "cycle-1", "a" * 64))
    known = known_respondents(tmp_path, "cycle-1", "feedback", except_source="b" * 64)
    kept, repeated = without_known_respondents(second.tables, known)
    assert repeated == 1
    assert list(kept["survey_responses"]["value"]) == [2]
    # The first export itself is never compared with its own stored rows.
    assert known_respondents(tmp_path, "cycle-1", "feedback", except_source="a" * 64) == set()


def test_30_identifying_columns_in_an_anonymous_survey_are_refused_and_named(evaluation: Evaluation) -> None:
    with pytest.raises(PrivacyViolation) as caught:
        run(evaluation, export({"Q1": "Agree", "RecipientFirstName": "Pat", "IPAddress": "10.1.2.3"}))
    assert caught.value.where == "export.csv, columns 'IPAddress', 'RecipientFirstName'"
    assert "Pat" not in str(caught.value) and "10.1.2.3" not in str(caught.value)


def test_import_ids_with_time_zones_parse(evaluation: Evaluation) -> None:
    cell = json.dumps({"ImportId": "QID1", "timeZone": "Z"})
    data = export({"Q1": "Agree"}).replace(b'{""ImportId"":""QID1""}', cell.replace('"', '""').encode())
    assert isinstance(run(evaluation, data).tables["survey_responses"], pd.DataFrame)
