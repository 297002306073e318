"""Mis-decoded text is found whether the quick ASCII look says "plain" or "look closer"."""

from __future__ import annotations

import pandas as pd
import pytest

from validation.exports import misdecoded_cells
from validation.grid import read_csv_grid


def cells(header: str, *rows: str) -> pd.DataFrame:
    """The body of a one-column CSV as the platform readers see it (Arrow strings, header sliced off)."""
    grid = read_csv_grid("\n".join([header, *rows]) + "\n", "x.csv")
    return grid.frame(1, ["Q1"])


@pytest.mark.parametrize(
    ("header", "rows", "flagged"),
    [
        ("Q1", ["Agree", "More time please"], []),
        ("Q1", ["Zoë was kind", "¿Más tiempo?"], []),
        ("Qué tal", ["Agree", "Plain text"], []),  # non-ASCII only in the header, outside the cells
        ("Q1", ["Agree", "CafÃ© was closed"], [3]),
        ("Q1", ["Agree", "lost \ufffd char"], [3]),
        ("Qué tal", ["itâ€™s fine", "Agree"], [2]),
    ],
    ids=["ascii", "accents", "accented header", "utf-8 read as cp1252", "replacement character", "curly quote"],
)
def test_every_mis_decoded_cell_is_named_and_no_other(header: str, rows: list[str], flagged: list[int]) -> None:
    frame = cells(header, *rows)
    notes = misdecoded_cells(frame, [2 + n for n in range(len(rows))], {})
    assert [int(note.split(",")[0].removeprefix("row ")) for note in notes] == flagged
