"""What a cycle's findings rest on, in words: how many interviews, sessions and survey answers."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def describe_sources(
    responses: pd.DataFrame, utterances: pd.DataFrame, titles: Mapping[str, str], k: int
) -> tuple[str, ...]:
    """Plain-language lines describing the evidence of one cycle.

    Survey respondent counts below ``k`` are not given exactly (only "fewer than k"): a small
    count is itself a figure about fewer than k people.
    """
    lines = []
    for instrument_id, answers in responses.groupby("instrument_id", sort=True):
        people = int(answers["respondent_token"].nunique())
        count = _plural(people, "person", "people") if people >= k else f"fewer than {k} people"
        lines.append(f"{titles.get(str(instrument_id), str(instrument_id))}: answers from {count}.")
    kinds = utterances.drop_duplicates("source_id")["source_kind"].value_counts()
    interviews = int(kinds.get("interview", 0))
    sessions = int(kinds.get("consensus", 0))
    if interviews:
        lines.append(f"{_plural(interviews, 'interview', 'interviews')} with staff.")
    if sessions:
        lines.append(f"Notes of {_plural(sessions, 'consensus-building session', 'consensus-building sessions')}.")
    if not lines:
        lines.append("No data has been accepted for this cycle yet.")
    return tuple(lines)
