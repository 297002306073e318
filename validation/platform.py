"""Recognising which platform exported a file, from the file itself (research §6).

The file name is never trusted for surveys: exports are recognised from their header
signatures, in a fixed order, and a file that matches none is refused, never guessed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from instruments.errors import UnreadableFile
from validation import forms, kobo, limesurvey, qualtrics, redcap, transcripts
from validation.encoding import decode_text, utf8_of
from validation.grid import Grid, is_xlsx, read_csv_grid, read_grid


class Platform(StrEnum):
    QUALTRICS = "qualtrics"
    QUALTRICS_LEGACY = "qualtrics-legacy"
    SURVEYMONKEY = "surveymonkey"
    MSFORMS = "msforms"
    GOOGLE_FORMS = "google-forms"
    REDCAP = "redcap"
    REDCAP_DICTIONARY = "redcap-dictionary"
    KOBO = "kobo"
    LIMESURVEY = "limesurvey"
    ZOOM_VTT = "zoom-vtt"
    TEAMS_VTT = "teams-vtt"
    WEBVTT_CAPTIONS = "webvtt-captions"
    SRT = "srt"
    OTTER = "otter"
    TEAMS_DOCX = "teams-docx"
    WORD_TRANSCRIPT = "word-transcript"
    WORD_NOTES = "word-notes"
    MARKDOWN_NOTES = "markdown-notes"
    TEXT_NOTES = "text-notes"


#: Formats that hold notes of a consensus-building or team meeting; the others are interviews.
NOTES_PLATFORMS = frozenset({Platform.WORD_NOTES, Platform.MARKDOWN_NOTES, Platform.TEXT_NOTES})

#: Text transcripts and notes in the order their signatures are tried.
TEXT_SIGNATURES: tuple[tuple[Platform, Callable[[str, str], str | None]], ...] = (
    (Platform.ZOOM_VTT, transcripts.looks_like_zoom_vtt),
    (Platform.TEAMS_VTT, transcripts.looks_like_teams_vtt),
    (Platform.WEBVTT_CAPTIONS, transcripts.looks_like_webvtt),
    (Platform.SRT, transcripts.looks_like_srt),
    (Platform.OTTER, transcripts.looks_like_otter),
    (Platform.MARKDOWN_NOTES, transcripts.looks_like_markdown_notes),
)
#: Word documents, in the order their signatures are tried.
WORD_SIGNATURES: tuple[tuple[Platform, Callable[[bytes, str], str | None]], ...] = (
    (Platform.TEAMS_DOCX, transcripts.looks_like_teams_docx),
    (Platform.WORD_TRANSCRIPT, transcripts.looks_like_word_transcript),
    (Platform.WORD_NOTES, transcripts.looks_like_word_notes),
)


#: Survey platforms in the order their signatures are tried, each with the reason it names.
SURVEY_SIGNATURES: tuple[tuple[Platform, Callable[[Grid], bool], str], ...] = (
    (
        Platform.QUALTRICS,
        qualtrics.looks_like_current,
        "row 1 has StartDate, EndDate and ResponseId/Finished",
    ),
    (
        Platform.QUALTRICS_LEGACY,
        qualtrics.looks_like_legacy,
        "row 1 starts V1,V2,V3 and row 2 names ResponseID",
    ),
    (
        Platform.SURVEYMONKEY,
        forms.looks_like_surveymonkey,
        "row 1 starts Respondent ID, Collector ID, Start Date, End Date",
    ),
    (Platform.MSFORMS, forms.looks_like_msforms, "row 1 starts ID, Start time, Completion time, Email, Name"),
    (Platform.GOOGLE_FORMS, forms.looks_like_google_forms, "the first column is Timestamp"),
    (
        Platform.REDCAP_DICTIONARY,
        redcap.looks_like_dictionary,
        "row 1 starts 'Variable / Field Name', 'Form Name'",
    ),
    (Platform.KOBO, kobo.looks_like_kobo, "the header has _uuid and _submission_time"),
    (
        Platform.LIMESURVEY,
        limesurvey.looks_like_limesurvey,
        "row 1 starts id/submitdate/lastpage/startlanguage",
    ),
    (Platform.REDCAP, redcap.looks_like_data, "field names with *_complete or checkbox ___ columns"),
)

#: The platform names an evaluation's ``exports:`` mapping uses for each recognised export.
MAPPING_PLATFORM = {
    Platform.QUALTRICS: "qualtrics",
    Platform.QUALTRICS_LEGACY: "qualtrics",
    Platform.SURVEYMONKEY: "surveymonkey",
    Platform.MSFORMS: "msforms",
    Platform.GOOGLE_FORMS: "google-forms",
    Platform.REDCAP: "redcap",
    Platform.KOBO: "kobo",
    Platform.LIMESURVEY: "limesurvey",
}


@dataclass(frozen=True)
class Recognition:
    platform: Platform
    reason: str
    grid: Grid | None = None
    text: str | None = None
    data: bytes | None = None


def _unrecognised(name: str) -> UnreadableFile:
    return UnreadableFile(
        name,
        "this file does not match any export format evalcycle knows, so it was not guessed at.",
        "Check that it is an unedited export (a survey's CSV or XLSX, a transcript, or notes); "
        "see docs/evaluator.md for the formats. Run 'make inspect FILE=...' to see what was found.",
        rule="platform.unrecognised",
    )


def recognise_grid(grid: Grid, name: str) -> Recognition:
    for platform, matches, reason in SURVEY_SIGNATURES:
        if matches(grid):
            return Recognition(platform, reason, grid=grid)
    raise _unrecognised(name)


def recognise(data: bytes, name: str) -> Recognition:
    """Name the platform that exported ``data``, with the signature that decided it."""
    if is_xlsx(data):
        return recognise_grid(read_grid(data, name), name)
    if name.lower().endswith(".docx"):
        for platform, matches in WORD_SIGNATURES:
            if reason := matches(data, name):
                return Recognition(platform, reason, data=data)
        raise _unrecognised(name)
    text = decode_text(data, name)
    for platform, looks_like in TEXT_SIGNATURES:
        if reason := looks_like(text, name):
            return Recognition(platform, reason, text=text)
    if name.lower().endswith((".csv", ".tsv", ".txt")):
        try:
            return recognise_grid(read_csv_grid(text, name, utf8_of(data, text)), name)
        except UnreadableFile:
            if reason := transcripts.looks_like_text_notes(text, name):
                return Recognition(Platform.TEXT_NOTES, reason, text=text)
            raise
    raise _unrecognised(name)
