"""Whole-table data-quality suites, derived from the evaluation and written in plain Python.

pandera (``validation/contracts.py``) checks every row of one file as it arrives. The suites here
check a cycle's validated tables *as a whole*, the things no single row can show: that each
rating stays inside its own item's scale, that an item is not mostly skipped, that the same answer
was not imported twice from two overlapping exports, that transcript times run forward, that texts
have a sane length.

A suite is a tuple of :class:`Check` records (a great-expectations class name, its arguments and
what it means in plain words), so this module never imports great-expectations and the suites can
be read and tested without it. ``validation/quality.py`` turns them into GX expectations.

GX is shown profiles of the tables (``validation/profiles.py``), never free text.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from instruments.evaluation import Evaluation, Instrument
from validation.contracts import TOKEN_PATTERN, SurveyComments, SurveyResponses, Utterances
from validation.profiles import GRID_COLUMNS, answer_grid, profile

#: The validated tables these suites know, with the pandera model that defines their columns.
TABLES = {
    "survey_responses": SurveyResponses,
    "survey_comments": SurveyComments,
    "utterances": Utterances,
}

#: An item skipped by more than half of its instrument's respondents is flagged: its results
#: would speak for a minority only, and a mass skip usually means a display or mapping fault.
ANSWERED_SHARE_FLOOR = 0.5

#: Longest free-text comment and speaker turn that still looks like one answer or one turn.
#: Longer ones usually mean an export joined several cells, or a whole document was pasted.
MAX_COMMENT_LENGTH = 5_000
MAX_TURN_LENGTH = 10_000

#: A median text shorter than this many characters suggests codes ("1", "x") in a text column.
MIN_MEDIAN_TEXT_LENGTH = 3

#: Column shown to GX beside the utterances: whether the turn's transcript has times at all.
TIMED_SOURCE = "timed_source"

#: Speaker roles the readers assign themselves, besides the evaluation's roles.
READER_ROLES = ("unknown", "group")


@dataclass(frozen=True)
class Check:
    """One whole-table expectation and what it means for the evaluator.

    ``expectation`` is a class name in ``great_expectations.expectations``; ``where`` limits the
    check to rows where every named column equals the given value, or is one of the given values
    when a tuple is given (e.g. the items of one instrument that share a scale); ``key`` is
    unique within its suite and stable from run to run.
    """

    key: str
    expectation: str
    arguments: Mapping[str, object]
    explains: str
    where: tuple[tuple[str, str | tuple[str, ...]], ...] = ()

    @property
    def column(self) -> str | None:
        column = self.arguments.get("column")
        return column if isinstance(column, str) else None

    @property
    def condition(self) -> str:
        """The row condition in words, e.g. ``instrument_id = staff-survey``; empty if none."""
        return " and ".join(
            f"{column} = {value}" if isinstance(value, str) else f"{column} in ({', '.join(value)})"
            for column, value in self.where
        )


@dataclass(frozen=True, eq=False)
class QualitySuite:
    """The checks for one table (or one view of it) and the frame GX validates them on."""

    name: str
    table: str
    frame: pd.DataFrame = field(repr=False)
    checks: tuple[Check, ...]


def quality_suites(
    tables: Mapping[str, pd.DataFrame], evaluation: Evaluation, cycle_id: str
) -> tuple[QualitySuite, ...]:
    """The suites for every given table, in a stable order; unknown table names are refused."""
    unknown = sorted(set(tables) - set(TABLES))
    if unknown:
        raise ValueError(f"no quality suite for table(s) {', '.join(unknown)}; known tables are {', '.join(TABLES)}")
    suites: list[QualitySuite] = []
    if "survey_responses" in tables:
        responses = tables["survey_responses"]
        suites.append(_survey_responses(profile(responses), evaluation, cycle_id))
        comments = tables.get("survey_comments")
        # Without its key columns the table has no grid; its `columns` check reports why.
        if set(GRID_COLUMNS) <= set(responses.columns):
            for instrument in _rated_instruments(evaluation):
                if (responses["instrument_id"] == instrument.id).any():
                    suites.append(_answer_grid(responses, comments, instrument))
    if "survey_comments" in tables:
        suites.append(_survey_comments(profile(tables["survey_comments"]), evaluation, cycle_id))
    if "utterances" in tables:
        suites.append(_utterances(with_timed_sources(profile(tables["utterances"])), evaluation, cycle_id))
    return tuple(suites)


def with_timed_sources(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with :data:`TIMED_SOURCE`: ``yes`` on each turn of a transcript that has any time at all.

    Word transcripts and consensus notes carry no times, so an empty start time is no fault
    there; in a transcript with times, it means some of its timings were lost. A frame without
    ``source_id`` or ``start_s`` is returned as it is (its ``columns`` check says what is missing).
    """
    if not {"source_id", "start_s"} <= set(frame.columns):
        return frame
    timed = frame["start_s"].notna().groupby(frame["source_id"], sort=False).transform("any")
    return frame.assign(**{TIMED_SOURCE: timed.map({True: "yes", False: "no"}).astype(object)})


def _rated_instruments(evaluation: Evaluation) -> list[Instrument]:
    return [i for i in evaluation.instruments if any(item.scale is not None for item in i.items)]


def _commented_instruments(evaluation: Evaluation) -> list[Instrument]:
    return [i for i in evaluation.instruments if any(item.scale is None for item in i.items)]


def profiled_columns(table: str) -> list[str]:
    """The columns of ``table``'s contract as GX sees them (``text`` becomes ``text_length``)."""
    columns = list(TABLES[table].to_schema().columns)
    return ["text_length" if column == "text" else column for column in columns]


def _shape(table: str, *, rows_required: bool, derived: tuple[str, ...] = ()) -> list[Check]:
    """The columns check (the contract's, plus ``derived`` ones added for GX) and, if asked, the rows check."""
    columns = [*profiled_columns(table), *derived]
    model = TABLES[table].__name__
    checks = [
        Check(
            "columns",
            "ExpectTableColumnsToMatchSet",
            {"column_set": columns, "exact_match": True},
            f"The table has exactly the columns of the {model} contract.",
        )
    ]
    if rows_required:
        checks.append(
            Check(
                "rows",
                "ExpectTableRowCountToBeBetween",
                {"min_value": 1},
                "The table is not empty.",
            )
        )
    return checks


def _common(cycle_id: str, instruments: list[Instrument]) -> list[Check]:
    ids = sorted(i.id for i in instruments)
    return [
        Check(
            "cycle",
            "ExpectColumnValuesToBeInSet",
            {"column": "cycle_id", "value_set": [cycle_id]},
            f"Every row belongs to cycle {cycle_id}.",
        ),
        Check(
            "instrument",
            "ExpectColumnValuesToBeInSet",
            {"column": "instrument_id", "value_set": ids},
            f"Every row comes from an instrument of the evaluation ({', '.join(ids) or 'none'}).",
        ),
    ]


def _survey_keys() -> list[Check]:
    return [
        Check(
            "token-pattern",
            "ExpectColumnValuesToMatchRegex",
            {"column": "respondent_token", "regex": TOKEN_PATTERN},
            "Every respondent is a salted token (r- and 16 hex digits), never a platform id.",
        ),
        Check(
            "one-answer-per-item",
            "ExpectCompoundColumnsToBeUnique",
            {"column_list": ["respondent_token", "instrument_id", "cycle_id", "item_id"]},
            "No respondent answers one item twice across all files of the cycle "
            "(overlapping exports imported twice would break this).",
        ),
    ]


def _not_null(columns: list[str]) -> list[Check]:
    return [
        Check(
            f"complete:{column}",
            "ExpectColumnValuesToNotBeNull",
            {"column": column},
            f"No value of {column} is missing.",
        )
        for column in columns
    ]


def _survey_responses(frame: pd.DataFrame, evaluation: Evaluation, cycle_id: str) -> QualitySuite:
    instruments = _rated_instruments(evaluation)
    checks = [
        *_shape("survey_responses", rows_required=True),
        *_not_null(profiled_columns("survey_responses")),
        *_common(cycle_id, instruments),
        *_survey_keys(),
    ]
    for instrument in instruments:
        rated = [item for item in instrument.items if item.scale is not None]
        checks.append(
            Check(
                f"item:{instrument.id}",
                "ExpectColumnValuesToBeInSet",
                {"column": "item_id", "value_set": sorted(item.id for item in rated)},
                f"Every rating of {instrument.id} is for one of its rating items.",
                where=(("instrument_id", instrument.id),),
            )
        )
        # One check per scale of the instrument, not per item: each GX check costs tens of
        # milliseconds of set-up, and a staff survey can have thirty items on two scales.
        by_scale: dict[str, list[str]] = {}
        for item in rated:
            assert item.scale is not None  # narrowed by the filter above
            by_scale.setdefault(item.scale, []).append(item.id)
        for scale_id, item_ids in by_scale.items():
            size = len(evaluation.scale(scale_id).labels)
            checks.append(
                Check(
                    f"scale:{instrument.id}:{scale_id}",
                    "ExpectColumnValuesToBeBetween",
                    {"column": "value", "min_value": 1, "max_value": size},
                    f"Every rating of {', '.join(item_ids)} is a point of their scale {scale_id} (1 to {size}).",
                    where=(("instrument_id", instrument.id), ("item_id", tuple(item_ids))),
                )
            )
    return QualitySuite("survey_responses", "survey_responses", frame, tuple(checks))


def _answer_grid(responses: pd.DataFrame, comments: pd.DataFrame | None, instrument: Instrument) -> QualitySuite:
    grid = answer_grid(responses, comments, instrument)
    floor = round(ANSWERED_SHARE_FLOOR * 100)
    checks = tuple(
        Check(
            f"answered:{instrument.id}:{item}",
            "ExpectColumnValuesToNotBeNull",
            {"column": item, "mostly": ANSWERED_SHARE_FLOOR},
            f"At least {floor}% of the respondents of {instrument.id} answered {item}; "
            "the unexpected share is the share who skipped it.",
        )
        for item in grid.columns
    )
    return QualitySuite(f"survey_responses.answers.{instrument.id}", "survey_responses", grid, checks)


def _text_length(limit: int, what: str, *, with_median: bool) -> list[Check]:
    checks = [
        Check(
            "text-length",
            "ExpectColumnValuesToBeBetween",
            {"column": "text_length", "min_value": 1, "max_value": limit},
            f"Every {what} has between 1 and {limit:,} characters.",
        )
    ]
    if with_median:
        checks.append(
            Check(
                "text-length-median",
                "ExpectColumnMedianToBeBetween",
                {"column": "text_length", "min_value": MIN_MEDIAN_TEXT_LENGTH},
                f"The median {what} has at least {MIN_MEDIAN_TEXT_LENGTH} characters "
                "(shorter suggests codes, not words, in the text column).",
            )
        )
    return checks


def _survey_comments(frame: pd.DataFrame, evaluation: Evaluation, cycle_id: str) -> QualitySuite:
    instruments = _commented_instruments(evaluation)
    checks = [
        *_shape("survey_comments", rows_required=False),
        *_not_null(profiled_columns("survey_comments")),
        *_common(cycle_id, instruments),
        *_survey_keys(),
    ]
    for instrument in instruments:
        free = sorted(item.id for item in instrument.items if item.scale is None)
        checks.append(
            Check(
                f"item:{instrument.id}",
                "ExpectColumnValuesToBeInSet",
                {"column": "item_id", "value_set": free},
                f"Every comment of {instrument.id} answers one of its free-text items.",
                where=(("instrument_id", instrument.id),),
            )
        )
    # A cycle may have no comments at all; a median of nothing is not a fault.
    checks.extend(_text_length(MAX_COMMENT_LENGTH, "comment", with_median=not frame.empty))
    return QualitySuite("survey_comments", "survey_comments", frame, tuple(checks))


def _utterances(frame: pd.DataFrame, evaluation: Evaluation, cycle_id: str) -> QualitySuite:
    instruments = [i for i in evaluation.instruments if i.kind in ("interview", "consensus")]
    roles = sorted({r.id for r in evaluation.roles} | set(READER_ROLES))
    required = [c for c in profiled_columns("utterances") if c not in ("start_s", "end_s")]
    checks = [
        *_shape("utterances", rows_required=True, derived=(TIMED_SOURCE,)),
        *_not_null(required),
        *_common(cycle_id, instruments),
        Check(
            "source-kind",
            "ExpectColumnValuesToBeInSet",
            {"column": "source_kind", "value_set": ["consensus", "interview"]},
            "Every turn comes from an interview or a consensus session.",
        ),
        Check(
            "speaker-role",
            "ExpectColumnValuesToBeInSet",
            {"column": "speaker_role", "value_set": roles},
            f"Every speaker has a role of the evaluation, or {' or '.join(READER_ROLES)}.",
        ),
        Check(
            "turn-once",
            "ExpectCompoundColumnsToBeUnique",
            {"column_list": ["source_id", "turn"]},
            "Each turn number occurs once per source file.",
        ),
        Check(
            "time-forward",
            "ExpectColumnPairValuesAToBeGreaterThanB",
            {
                "column_A": "end_s",
                "column_B": "start_s",
                "or_equal": True,
                "ignore_row_if": "either_value_is_missing",
            },
            "Every timed turn ends at or after its start.",
        ),
        Check(
            "timed-throughout",
            "ExpectColumnValuesToNotBeNull",
            {"column": "start_s"},
            "Every turn of a timed transcript has a start time (Word transcripts and consensus notes "
            "have none at all; one timed in part lost some of its timings).",
            where=((TIMED_SOURCE, "yes"),),
        ),
        *_text_length(MAX_TURN_LENGTH, "turn", with_median=not frame.empty),
    ]
    return QualitySuite("utterances", "utterances", frame, tuple(checks))
