"""Every sample file is recognised by the one dispatcher the ingest flow uses (or refused)."""

from __future__ import annotations

from unittest import mock

import pytest
from hypothesis import given
from hypothesis import strategies as st

from instruments.errors import UnreadableFile
from tests.conftest import SHARED
from tests.exports import PARTICIPANT_QUESTIONS, qualtrics_csv
from validation import grid
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


def _read(text: str, *, arrow: bool) -> object:
    """What reading ``text`` as a CSV grid gives: the rows, or the refusal or error."""
    try:
        if arrow:
            result = grid.read_csv_grid(text, "x.csv")
        else:
            with mock.patch.object(grid, "_arrow_columns", return_value=None):
                result = grid.read_csv_grid(text, "x.csv")
    except Exception as err:  # the csv module's own errors included: both readers must raise the same
        return (type(err).__name__, str(err))
    return (result.rows, result.header, result.height, [result.row(n) for n in range(result.height)])


_CELL = st.text(alphabet='ab ,;"\n', max_size=4)


@st.composite
def csv_texts(draw: st.DrawFn) -> str:
    """CSV texts with quoted and unquoted cells, odd quotes, blank lines and rows of other widths."""
    width = draw(st.integers(1, 4))
    rows = []
    for _ in range(draw(st.integers(1, 5))):
        cells = []
        for _ in range(width if draw(st.booleans()) or draw(st.booleans()) else draw(st.integers(1, 5))):
            cell = draw(_CELL)
            if draw(st.booleans()):
                cell = '"' + cell.replace('"', '""') + '"' + draw(st.sampled_from(["", "", "", "x", '"', " "]))
            cells.append(cell)
        rows.append(",".join(cells))
    return "\n".join(rows) + draw(st.sampled_from(["", "\n", "\n\n", "\n,\n"]))


@given(st.one_of(csv_texts(), st.text(alphabet='ab ,;"\n\r\t\ufeff', max_size=30)))
def test_arrow_reads_a_csv_grid_exactly_as_the_csv_module_does(text: str) -> None:
    assert _read(text, arrow=True) == _read(text, arrow=False)


def test_a_plain_export_is_read_by_arrow_and_an_oddly_quoted_one_by_the_csv_module() -> None:
    text = qualtrics_csv(PARTICIPANT_QUESTIONS, [{"Q2": 'It said "hi",\nthen left'}, {"Q1_1": "Agree"}]).decode()
    assert grid.read_csv_grid(text, "pf.csv").columnar
    odd = text.replace('"{""ImportId"":""_recordId""}"', '"{""ImportId"":""_recordId""}"x')
    with pytest.raises(Exception, match="expected after"):
        grid.read_csv_grid(odd, "pf.csv")
