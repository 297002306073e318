"""A survey export as read from any platform, before privacy screening and item mapping."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd


@dataclass(frozen=True)
class SurveyExport:
    """What a platform reader hands on.

    ``answers`` holds the data columns, keyed by the platform's *stable* column id (Qualtrics
    ImportId, REDCap field name, ...), one row per response, all cells as text ("" = blank).
    ``identifying`` holds columns that identify a person when filled; ``routine`` lists the
    metadata columns that are dropped. ``file_rows`` gives the 1-based row of each response in
    the file, for error messages. ``name`` is the file's name. ``excluded`` maps a response position to the reason it is
    left out of analysis (test, preview or spam responses), which the run summary counts.
    """

    platform: str
    name: str
    header_rows: int
    answers: pd.DataFrame
    respondent_ids: tuple[str, ...]
    file_rows: tuple[int, ...]
    identifying: pd.DataFrame
    routine: tuple[str, ...] = ()
    excluded: dict[int, str] = field(default_factory=dict)
    #: Responses the respondent did not finish; left out unless the instrument includes them.
    partial: frozenset[int] = frozenset()
    column_names: dict[str, str] = field(default_factory=dict)
    #: What the reader had to interpret (e.g. a repeated header renamed), for the run summary.
    notes: tuple[str, ...] = ()
