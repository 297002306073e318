"""From a landed file's bytes to validated tables, or a refusal that says what to fix.

recognise → read → privacy screen → map to the evaluation's instruments → contract. Pure: the
caller passes bytes in and stores the tables it gets back.
"""

from __future__ import annotations

import fnmatch
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import pandas as pd

from instruments.errors import Failure, InputRefused, UnmappedInput
from instruments.evaluation import Evaluation, Instrument
from validation import redcap, transcripts
from validation.contracts import SurveyChoices, SurveyComments, SurveyResponses, Utterances, validate_table
from validation.encoding import decode_text
from validation.forms import read_google_forms, read_msforms, read_surveymonkey
from validation.grid import Grid, read_csv_grid
from validation.kobo import read_kobo
from validation.limesurvey import read_limesurvey
from validation.platform import NOTES_PLATFORMS, Platform, Recognition, recognise
from validation.privacy import Redactor, refuse_identifying_columns
from validation.qualtrics import read_qualtrics, read_qualtrics_legacy
from validation.redcap import Dictionary, read_dictionary, read_redcap
from validation.survey_export import SurveyExport
from validation.survey_mapping import as_stored_tables, map_answers
from validation.transcripts import Turn


@dataclass(frozen=True)
class Intake:
    """A file accepted into validated tables, with what the run summary reports about it."""

    platform: Platform
    reason: str
    instrument_id: str
    tables: dict[str, pd.DataFrame]
    excluded: dict[str, int] = field(default_factory=dict)
    redactions: dict[str, int] = field(default_factory=dict)
    notes: tuple[str, ...] = ()


def read_survey(recognition: Recognition, name: str, companions: Mapping[str, bytes]) -> SurveyExport:
    """The survey export of a recognised file, read by its platform's reader."""
    grid = recognition.grid
    assert grid is not None
    match recognition.platform:
        case Platform.QUALTRICS:
            return read_qualtrics(grid, name)
        case Platform.QUALTRICS_LEGACY:
            return read_qualtrics_legacy(grid, name)
        case Platform.SURVEYMONKEY:
            return read_surveymonkey(grid, name)
        case Platform.MSFORMS:
            return read_msforms(grid, name)
        case Platform.GOOGLE_FORMS:
            return read_google_forms(grid, name)
        case Platform.KOBO:
            return read_kobo(grid, name)
        case Platform.LIMESURVEY:
            return read_limesurvey(grid, name)
        case Platform.REDCAP:
            return read_redcap(grid, name, _redcap_dictionary(grid, companions))
    raise AssertionError(recognition.platform)


def read_turns(recognition: Recognition, name: str) -> list[Turn]:
    """The speaker turns of a recognised transcript or notes file."""
    text = recognition.text or ""
    match recognition.platform:
        case Platform.ZOOM_VTT:
            return transcripts.read_zoom_vtt(text, name)
        case Platform.TEAMS_VTT:
            return transcripts.read_teams_vtt(text, name)
        case Platform.WEBVTT_CAPTIONS:
            return transcripts.read_caption_vtt(text, name)
        case Platform.SRT:
            return transcripts.read_srt(text, name)
        case Platform.OTTER:
            return transcripts.read_otter(text, name)
        case Platform.MARKDOWN_NOTES:
            return transcripts.read_markdown_notes(text, name)
        case Platform.TEXT_NOTES:
            return transcripts.read_text_notes(text, name)
        case Platform.TEAMS_DOCX | Platform.WORD_TRANSCRIPT:
            return transcripts.read_word_transcript(recognition.data or b"", name)
        case Platform.WORD_NOTES:
            return transcripts.read_word_notes(recognition.data or b"", name)
    raise AssertionError(recognition.platform)


def _redcap_dictionary(grid: Grid, companions: Mapping[str, bytes]) -> Dictionary | None:
    """The data dictionary dropped beside a REDCap export, if one describes its fields."""
    fields = {h.split("___", 1)[0] for h in grid.header}
    for companion_name, data in sorted(companions.items()):
        if not companion_name.lower().endswith(".csv"):
            continue
        try:
            candidate = read_csv_grid(decode_text(data, companion_name), companion_name)
        except InputRefused:
            continue
        if redcap.looks_like_dictionary(candidate):
            dictionary = read_dictionary(candidate)
            if fields - {
                "redcap_event_name",
                "redcap_repeat_instrument",
                "redcap_repeat_instance",
            } <= dictionary.fields | {h for h in fields if h.endswith(("_complete", "_timestamp"))}:
                return dictionary
    return None


def accept(
    data: bytes,
    name: str,
    source_id: str,
    evaluation: Evaluation,
    cycle_id: str,
    salt: str,
    companions: Mapping[str, bytes] | None = None,
) -> Intake:
    """Turn one file into validated tables, or raise an :class:`InputRefused` subclass.

    ``companions`` are the other files of the same cycle folder (a REDCap export uses the data
    dictionary dropped beside it).
    """
    recognition = recognise(data, name)
    if recognition.platform is Platform.REDCAP_DICTIONARY:
        return Intake(recognition.platform, recognition.reason, "", {})
    if recognition.grid is not None:
        export = read_survey(recognition, name, companions or {})
        return _accept_survey(export, recognition, name, evaluation, cycle_id, salt)
    turns = read_turns(recognition, name)
    return _accept_turns(turns, recognition.platform, recognition.reason, name, source_id, evaluation, cycle_id)


def _survey_instrument(export: SurveyExport, evaluation: Evaluation) -> Instrument | None:
    """The instrument whose export mapping covers most of the file's columns, if any does."""
    columns = {c.strip() for c in export.answers.columns}
    best: tuple[int, Instrument | None] = (0, None)
    for instrument in evaluation.instruments:
        for mapping in instrument.exports:
            if mapping.platform == export.platform:
                known = {k.strip() for k in mapping.columns} | {k.strip() for k in mapping.ignore}
                overlap = len(columns & known)
                if overlap > best[0]:
                    best = (overlap, instrument)
    return best[1]


def _accept_survey(
    export: SurveyExport,
    recognition: Recognition,
    name: str,
    evaluation: Evaluation,
    cycle_id: str,
    salt: str,
) -> Intake:
    instrument = _survey_instrument(export, evaluation)
    # The privacy screen comes first: an unknown survey is treated as anonymous.
    refuse_identifying_columns(export, name, anonymous=instrument.anonymous if instrument else True)
    if instrument is None:
        raise UnmappedInput(
            name,
            f"none of the evaluation's instruments maps the columns of this {export.platform} export.",
            "Add the file's column ids to the 'exports' of its instrument in the evaluation "
            "file, then put the file back in the inbox.",
            rule="mapping.no-instrument",
        )
    redactor = Redactor(names=evaluation.names_to_redact())
    answers = map_answers(export, instrument, evaluation, cycle_id, salt, redactor, instrument.include_partial)
    excluded = Counter(export.excluded.values())
    if export.partial and not instrument.include_partial:
        excluded["unfinished response"] += len(export.partial)
    # The contracts check every row; categorical columns let them check each distinct text once.
    tables = as_stored_tables(
        {
            "survey_responses": validate_table(SurveyResponses, answers.ratings, name),
            "survey_choices": validate_table(SurveyChoices, answers.choices, name),
            "survey_comments": validate_table(SurveyComments, answers.comments, name),
        }
    )
    return Intake(
        recognition.platform,
        recognition.reason,
        instrument.id,
        tables,
        dict(excluded),
        dict(redactor.counts),
        notes=export.notes,
    )


def _accept_turns(
    turns: list[Turn],
    platform: Platform,
    reason: str,
    name: str,
    source_id: str,
    evaluation: Evaluation,
    cycle_id: str,
) -> Intake:
    kind = "consensus" if platform in NOTES_PLATFORMS else "interview"
    candidates = [
        i
        for i in evaluation.instruments
        if i.kind == kind and any(fnmatch.fnmatch(name.lower(), p.lower()) for p in i.files)
    ]
    if not candidates:
        raise UnmappedInput(
            name,
            f"no {kind} instrument of the evaluation claims this file name.",
            f"Add a file-name pattern that matches it to 'files' of the right {kind} instrument "
            "in the evaluation file, or rename the file to match one, then put it back in the inbox.",
            rule="mapping.no-instrument",
        )
    instrument = candidates[0]
    unknown = sorted({t.speaker for t in turns if t.speaker is not None and t.speaker not in evaluation.speakers})
    if unknown:
        raise UnmappedInput(
            f"{name}, speaker(s) {', '.join(repr(s) for s in unknown)}",
            "these speakers are not in the evaluation's speaker map, so their words cannot be attributed to a role.",
            "Add each name under 'speakers' in the evaluation file with its role ("
            + _either(r.id for r in evaluation.roles)
            + "), then put the file back in the inbox. If someone should not be in the record at all "
            "(they joined the call by mistake), remove their lines from the transcript instead.",
            rule="transcript.unmapped-speaker",
            failures=tuple(
                Failure(rule="transcript.unmapped-speaker", problem="speaker not in the speaker map", column=s)
                for s in unknown
            ),
        )
    redactor = Redactor(names=evaluation.names_to_redact())
    rows = [
        {
            "source_id": source_id,
            "instrument_id": instrument.id,
            "cycle_id": cycle_id,
            "source_kind": kind,
            "turn": number,
            "speaker_role": evaluation.speakers[t.speaker]
            if t.speaker
            else ("group" if kind == "consensus" else "unknown"),
            "start_s": t.start_s,
            "end_s": t.end_s,
            "text": redactor.redact(t.text),
        }
        for number, t in enumerate(turns, start=1)
        if t.text.strip()
    ]
    frame = pd.DataFrame(rows, columns=list(Utterances.to_schema().columns))
    frame = frame.astype({"turn": "int64", "start_s": "float64", "end_s": "float64"})
    table = validate_table(Utterances, frame, name)
    return Intake(platform, reason, instrument.id, {"utterances": table}, {}, dict(redactor.counts))


def _either(names: Iterable[str]) -> str:
    """``a, b or c``."""
    listed = list(names)
    return " or ".join([", ".join(listed[:-1]), listed[-1]]) if len(listed) > 1 else "".join(listed)
