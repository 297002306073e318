from __future__ import annotations

import pytest

from instruments.errors import ContractViolation, PrivacyViolation, UnmappedInput, UnreadableFile
from instruments.evaluation import Evaluation
from instruments.load import load_evaluation
from tests.conftest import PILOT
from tests.exports import PARTICIPANT_QUESTIONS, qualtrics_csv
from validation.intake import accept
from validation.platform import Platform

SALT = "test-salt"


@pytest.fixture(scope="module")
def evaluation() -> Evaluation:
    return load_evaluation(PILOT / "evaluation.yaml")


def feedback(*rows: dict[str, str]) -> bytes:
    return qualtrics_csv(PARTICIPANT_QUESTIONS, rows)


def test_a_qualtrics_export_becomes_long_tidy_tables(evaluation: Evaluation) -> None:
    data = feedback(
        {"Q1_1": "Strongly agree", "Q1_2": "4", "Q1_3": "", "Q2": "More time please."},
        {"Q1_1": "disagree", "Q1_2": "", "Q1_3": "Agree"},
    )
    intake = accept(data, "pf.csv", "0" * 12, evaluation, "cycle-1", SALT)
    assert intake.platform is Platform.QUALTRICS
    assert intake.instrument_id == "participant-feedback"
    ratings = intake.tables["survey_responses"]
    assert list(ratings.columns) == ["respondent_token", "instrument_id", "cycle_id", "item_id", "value"]
    assert sorted(zip(ratings["item_id"], ratings["value"], strict=True)) == [
        ("pf_peer_helped", 4),
        ("pf_understood", 4),
        ("pf_welcome", 2),
        ("pf_welcome", 5),
    ]
    assert ratings["respondent_token"].nunique() == 2
    assert list(intake.tables["survey_comments"]["text"]) == ["More time please."]


def test_preview_test_and_spam_responses_are_left_out_and_counted(evaluation: Evaluation) -> None:
    data = feedback(
        {"Q1_1": "Agree"},
        {"Q1_1": "Agree", "Status": "1"},
        {"Q1_1": "Agree", "Status": "Survey Test"},
        {"Q1_1": "Agree", "Status": "8"},
        {"Q1_1": "Agree", "DistributionChannel": "preview"},
    )
    intake = accept(data, "pf.csv", "0" * 12, evaluation, "cycle-1", SALT)
    assert len(intake.tables["survey_responses"]) == 1
    assert intake.excluded == {"survey preview": 2, "survey test": 1, "spam": 1}


def test_free_text_is_redacted_before_it_is_stored(evaluation: Evaluation) -> None:
    text = "Call Riley Moreno on (403) 555-0142 or mail riley@example.org, see https://example.org/x"
    intake = accept(feedback({"Q2": text}), "pf.csv", "0" * 12, evaluation, "cycle-1", SALT)
    assert list(intake.tables["survey_comments"]["text"]) == ["Call [name] on [phone] or mail [email], see [link]"]
    assert intake.redactions == {"email": 1, "link": 1, "phone": 1, "name": 1}


def test_a_comment_several_respondents_gave_is_redacted_and_counted_for_each(evaluation: Evaluation) -> None:
    text = "mail jo@example.org or jo@example.org"
    rows = [{"Q2": text}, {"Q2": "Fine."}, {"Q2": f"  {text} "}, {"Q2": text, "Status": "1"}, {"Q2": text}]
    intake = accept(feedback(*rows), "pf.csv", "0" * 12, evaluation, "cycle-1", SALT)
    redacted = "mail [email] or [email]"
    assert list(intake.tables["survey_comments"]["text"]) == [redacted, "Fine.", redacted, redacted]
    assert intake.redactions == {"email": 6, "link": 0, "phone": 0, "name": 0}


def test_respondent_tokens_are_stable_and_depend_on_the_salt(evaluation: Evaluation) -> None:
    data = feedback({"Q1_1": "Agree"})
    first = accept(data, "pf.csv", "0" * 12, evaluation, "cycle-1", SALT)
    again = accept(data, "pf.csv", "0" * 12, evaluation, "cycle-1", SALT)
    other = accept(data, "pf.csv", "0" * 12, evaluation, "cycle-1", "another-salt")
    token = first.tables["survey_responses"]["respondent_token"].iloc[0]
    assert token == again.tables["survey_responses"]["respondent_token"].iloc[0]
    assert token != other.tables["survey_responses"]["respondent_token"].iloc[0]
    assert "R_test" not in token


def test_an_identifying_column_with_values_refuses_an_anonymous_survey(evaluation: Evaluation) -> None:
    data = feedback({"Q1_1": "Agree"}, {"Q1_1": "Agree", "RecipientEmail": "someone@example.org"})
    with pytest.raises(PrivacyViolation) as caught:
        accept(data, "pf.csv", "0" * 12, evaluation, "cycle-1", SALT)
    assert str(caught.value) == (
        "pf.csv, column 'RecipientEmail': this survey is anonymous, but the export holds data that "
        "could identify a respondent.\nWhat to do: Export the survey again without these columns (turn on "
        "the platform's anonymous responses, or leave the contact and network fields out of the export) and "
        "put the new file in the inbox. The refused file stays in quarantine and is not used."
    )
    assert [(f.row, f.column) for f in caught.value.failures] == [(5, "RecipientEmail")]
    assert "someone" not in str(caught.value)


def test_empty_identifying_columns_are_dropped_silently(evaluation: Evaluation) -> None:
    intake = accept(feedback({"Q1_1": "Agree", "IPAddress": ""}), "pf.csv", "0" * 12, evaluation, "cycle-1", SALT)
    stored = set().union(*(set(t.columns) for t in intake.tables.values()))
    assert not stored & {"IPAddress", "RecipientEmail", "ResponseId", "LocationLatitude"}


def test_an_unmapped_column_is_refused_and_named(evaluation: Evaluation) -> None:
    data = qualtrics_csv([*PARTICIPANT_QUESTIONS, ("Q9", "QID9")], [{"Q1_1": "Agree", "Q9": "x"}])
    with pytest.raises(UnmappedInput) as caught:
        accept(data, "pf.csv", "0" * 12, evaluation, "cycle-1", SALT)
    assert caught.value.where == "pf.csv, column(s) 'Q9' (id QID9)"
    assert caught.value.rule == "mapping.unmapped-column"


def test_a_survey_no_instrument_maps_is_refused(evaluation: Evaluation) -> None:
    data = qualtrics_csv([("Q7", "QID77")], [{"Q7": "x"}])
    with pytest.raises(UnmappedInput) as caught:
        accept(data, "other.csv", "0" * 12, evaluation, "cycle-1", SALT)
    assert caught.value.rule == "mapping.no-instrument"


def test_answers_off_the_scale_are_all_listed_without_their_values(evaluation: Evaluation) -> None:
    data = feedback({"Q1_1": "Very much"}, {"Q1_1": "Agree", "Q1_3": "9"})
    with pytest.raises(ContractViolation) as caught:
        accept(data, "pf.csv", "0" * 12, evaluation, "cycle-1", SALT)
    assert [(f.row, f.column) for f in caught.value.failures] == [(4, "Q1_1"), (5, "Q1_3")]
    assert "Very much" not in str(caught.value)
    assert all("Very much" not in f.problem for f in caught.value.failures)


def test_a_transcript_is_attributed_to_roles_and_redacted(evaluation: Evaluation) -> None:
    data = (PILOT / "inbox" / "cycle-1" / "interview-psw-01.vtt").read_bytes()
    intake = accept(data, "interview-psw-01.vtt", "a" * 12, evaluation, "cycle-1", SALT)
    table = intake.tables["utterances"]
    assert intake.platform is Platform.ZOOM_VTT
    assert list(table["speaker_role"]) == ["facilitator", "psw", "psw", "facilitator", "psw", "unknown"]
    assert list(table["turn"]) == [1, 2, 3, 4, 5, 6]
    assert not table["text"].str.contains("Riley").any()
    assert table["start_s"].iloc[1] == pytest.approx(7.4)


def test_a_transcript_with_an_unmapped_speaker_is_refused_with_the_names_to_map(
    evaluation: Evaluation,
) -> None:
    data = b"WEBVTT\n\n1\n00:00:01.000 --> 00:00:02.000\nDana Kowalski: Hello.\n"
    with pytest.raises(UnmappedInput) as caught:
        accept(data, "interview-x.vtt", "a" * 12, evaluation, "cycle-1", SALT)
    assert caught.value.where == "interview-x.vtt, speaker(s) 'Dana Kowalski'"
    assert caught.value.rule == "transcript.unmapped-speaker"
    roles = [r.id for r in evaluation.roles]
    assert caught.value.action == (
        f"Add each name under 'speakers' in the evaluation file with its role ({', '.join(roles[:-1])} or "
        f"{roles[-1]}), then put the file back in the inbox. If someone should not be in the record at all (they "
        "joined the call by mistake), remove their lines from the transcript instead."
    )


def test_a_transcript_whose_parser_would_lose_a_cue_is_refused(evaluation: Evaluation) -> None:
    data = (
        b"WEBVTT\n\n1\n00:00:01.000 --> 00:00:02.000\nSam Okafor: One.\n\n"
        b"2\n00:00:1d.000 --> 00:00:04.000\nSam Okafor: Two.\n"
    )
    with pytest.raises(UnreadableFile) as caught:
        accept(data, "interview-x.vtt", "a" * 12, evaluation, "cycle-1", SALT)
    assert caught.value.rule == "transcript.lost-cues"
    assert caught.value.problem == (
        "the file has 2 timing lines ('-->') but only 1 cues could be read, so some of what was said would be lost."
    )


def test_a_file_no_instrument_claims_by_name_is_refused(evaluation: Evaluation) -> None:
    data = b"WEBVTT\n\n1\n00:00:01.000 --> 00:00:02.000\nSam Okafor: Hello.\n"
    with pytest.raises(UnmappedInput) as caught:
        accept(data, "zoom_0.vtt", "a" * 12, evaluation, "cycle-1", SALT)
    assert caught.value.rule == "mapping.no-instrument"


def test_consensus_notes_become_one_turn_per_paragraph_with_their_heading(evaluation: Evaluation) -> None:
    data = b"# Session\n\n## Agreed\n- First point.\n- Second\n  point.\n\nA paragraph\nover lines.\n"
    intake = accept(data, "consensus-1.md", "b" * 12, evaluation, "cycle-1", SALT)
    assert list(intake.tables["utterances"]["text"]) == [
        "Agreed: First point.",
        "Agreed: Second point.",
        "Agreed: A paragraph over lines.",
    ]
    assert set(intake.tables["utterances"]["speaker_role"]) == {"group"}


def test_a_file_of_unknown_format_is_refused_not_guessed(evaluation: Evaluation) -> None:
    with pytest.raises(UnreadableFile) as caught:
        accept(b"col1,col2\n1,2\n", "mystery.csv", "c" * 12, evaluation, "cycle-1", SALT)
    assert caught.value.rule == "platform.unrecognised"


def test_a_qualtrics_file_missing_its_importid_row_is_refused(evaluation: Evaluation) -> None:
    lines = feedback({"Q1_1": "Agree"}).decode("utf-8").split("\n")
    damaged = "\n".join([lines[0], lines[1], *lines[3:]]).encode("utf-8")
    with pytest.raises(UnreadableFile) as caught:
        accept(damaged, "pf.csv", "c" * 12, evaluation, "cycle-1", SALT)
    assert caught.value.where == "pf.csv, row 3"
    assert caught.value.rule == "qualtrics.header-rows"


@pytest.mark.parametrize(
    ("data", "rule"),
    [(b"\xff\xfeW\x00", "encoding.utf16"), (b"StartDate,\x97EndDate\n", "encoding.not-utf8")],
)
def test_files_that_are_not_utf8_are_refused_with_the_fix(evaluation: Evaluation, data: bytes, rule: str) -> None:
    with pytest.raises(UnreadableFile) as caught:
        accept(data, "pf.csv", "c" * 12, evaluation, "cycle-1", SALT)
    assert caught.value.rule == rule
    assert "CSV UTF-8" in caught.value.action


def test_names_on_the_roster_are_redacted_from_free_text(evaluation: Evaluation) -> None:
    roster = evaluation.privacy.model_copy(update={"roster_names": ("Marisol Quintero",)})
    with_roster = evaluation.model_copy(update={"privacy": roster})
    intake = accept(feedback({"Q2": "Marisol said it helped."}), "pf.csv", "0" * 12, with_roster, "cycle-1", SALT)
    assert list(intake.tables["survey_comments"]["text"]) == ["[name] said it helped."]
