"""What great-expectations is shown of a validated table: never free text.

:func:`profile` replaces each ``text`` column with its length (``text_length``) before a table is
handed to GX, so neither GX's stored results nor its Data Docs can hold what a respondent wrote.
:func:`answer_grid` turns an instrument's ratings into one row per respondent and one column per
rating item, so that a skipped item shows as an empty cell GX can count.
"""

from __future__ import annotations

import pandas as pd

from instruments.evaluation import Instrument

#: The columns an answer grid is built from.
GRID_COLUMNS = ("respondent_token", "instrument_id", "item_id", "value")


def profile(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame GX may see: every ``text`` column replaced by ``text_length`` (characters)."""
    if "text" not in frame.columns:
        return frame.reset_index(drop=True)
    lengths = frame["text"].map(lambda text: len(text) if isinstance(text, str) else None)
    position = list(frame.columns).index("text")
    shown = frame.drop(columns="text").reset_index(drop=True)
    shown.insert(position, "text_length", lengths.astype("Int64").reset_index(drop=True))
    return shown


def answer_grid(responses: pd.DataFrame, comments: pd.DataFrame | None, instrument: Instrument) -> pd.DataFrame:
    """One row per respondent of ``instrument``, one column per rating item; empty = skipped.

    Respondents are everyone with a rating or a comment for the instrument in this cycle.
    """
    rated = [item.id for item in instrument.items if item.scale is not None]
    mine = responses[responses["instrument_id"] == instrument.id]
    tokens = set(mine["respondent_token"])
    if comments is not None and {"respondent_token", "instrument_id"} <= set(comments.columns):
        tokens |= set(comments.loc[comments["instrument_id"] == instrument.id, "respondent_token"])
    grid = mine.pivot_table(index="respondent_token", columns="item_id", values="value", aggfunc="first")
    grid = grid.reindex(index=sorted(tokens), columns=rated).astype("Float64")
    grid.columns.name = None
    return grid.reset_index(drop=True)
