"""Every sample file is recognised by the one dispatcher the ingest flow uses (or refused)."""

from __future__ import annotations

import pytest

from instruments.errors import UnreadableFile
from tests.conftest import SHARED
from validation.platform import Platform, recognise

SAMPLES = SHARED / "samples"


@pytest.mark.parametrize(
    ("relative", "platform"),
    [
        ("zoom/zoomGroupStats_meeting001_transcript.vtt", Platform.ZOOM_VTT),
        ("teams/webvttpy_teams_timeframe_voice_tags.vtt", Platform.TEAMS_VTT),
        ("teams/unstructured_teams_chat.docx", Platform.TEAMS_DOCX),
        ("webvtt/webvttpy_captions_with_bom.vtt", Platform.WEBVTT_CAPTIONS),
        ("webvtt/webvttpy_cue_tags.vtt", Platform.WEBVTT_CAPTIONS),
        ("srt/webvttpy_sample.srt", Platform.SRT),
        ("docx/textreadr_trans1_colon_speakers.docx", Platform.WORD_TRANSCRIPT),
        ("docx/textreadr_trans3_dash_speakers.docx", Platform.WORD_TRANSCRIPT),
        ("docx/textreadr_Yasmine_Interview_Transcript.docx", Platform.WORD_TRANSCRIPT),
        ("qualtrics/qualtRics_sample_numeric_3header_de.csv", Platform.QUALTRICS),
        ("qualtrics/qualtRics_sample_legacy_2header_bom.csv", Platform.QUALTRICS_LEGACY),
        ("redcap/REDCapR_survey_data_raw.csv", Platform.REDCAP),
        ("redcap/REDCapR_survey_dictionary.csv", Platform.REDCAP_DICTIONARY),
        ("kobo/kobocat_transportation_export.xlsx", Platform.KOBO),
        ("limesurvey/limonaid_survey_998192_R_data_file_bom.csv", Platform.LIMESURVEY),
    ],
)
def test_a_sample_is_recognised_as_its_platform(relative: str, platform: Platform) -> None:
    path = SAMPLES / relative
    assert recognise(path.read_bytes(), path.name).platform is platform


@pytest.mark.parametrize(
    ("relative", "rule"),
    [
        ("zoom/zoomGroupStats_meeting001_chat.txt", "platform.unrecognised"),
        ("zoom/zoomGroupStats_meeting001_participants.csv", "csv.ragged"),
    ],
)
def test_zoom_chat_and_participant_files_are_refused_not_guessed(relative: str, rule: str) -> None:
    path = SAMPLES / relative
    with pytest.raises(UnreadableFile) as caught:
        recognise(path.read_bytes(), path.name)
    assert caught.value.rule == rule
    assert "@" not in str(caught.value)
