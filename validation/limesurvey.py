"""LimeSurvey CSV exports, with code or full-text headings (research §2.7).

A response without a submit date is unfinished (partial).
"""

from __future__ import annotations

import re

import pandas as pd

from validation.exports import build_export, unique_keys
from validation.grid import Grid
from validation.survey_export import SurveyExport

_STARTS = {
    ("id", "submitdate", "lastpage", "startlanguage"),
    ("response id", "date submitted", "last page", "start language"),
}
_IDENTIFYING = frozenset(
    {
        "token",
        "ipaddr",
        "ip address",
        "access code",
        "email",
        "email address",
        "firstname",
        "lastname",
        "first name",
        "last name",
    }
)
_ROUTINE = frozenset(
    {
        "id",
        "response id",
        "submitdate",
        "date submitted",
        "lastpage",
        "last page",
        "startlanguage",
        "start language",
        "seed",
        "startdate",
        "date started",
        "datestamp",
        "date last action",
        "refurl",
        "referrer url",
        "interviewtime",
        "total time",
    }
)
_TIMING = re.compile(r"^(grouptime\d+|.+time|group time: .*|question time: .*)$", re.IGNORECASE)


def looks_like_limesurvey(grid: Grid) -> bool:
    return tuple(h.strip().casefold() for h in grid.header[:4]) in _STARTS


def read_limesurvey(grid: Grid, name: str) -> SurveyExport:
    keys, notes = unique_keys(grid.header)
    submitted = keys[1]

    def partial(frame: pd.DataFrame) -> pd.Series:
        return frame[submitted].str.strip() == ""

    return build_export(
        platform="limesurvey",
        grid=grid,
        name=name,
        header_rows=1,
        keys=keys,
        id_key=keys[0],
        is_identifying=lambda k: k.strip().casefold() in _IDENTIFYING,
        is_routine=lambda k: k.strip().casefold() in _ROUTINE or bool(_TIMING.match(k.strip())),
        partial=partial,
        notes=notes,
    )
