"""Contracts of the coding stage: the segments reviewers code, and the codes they give.

Validate with :func:`validation.contracts.validate_table` (``lazy=True``), so one refusal lists
every failing cell. The column names are the ones ``analysis/segments.py`` produces and
``reports/`` workbooks take and give back; a test keeps the three in step.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from validation.contracts import ID_PATTERN, SOURCE_PATTERN

#: ``<source_id>-<turn:04d>-<n:02d>``, as made by analysis.segments.segment_id.
SEGMENT_PATTERN = r"^[0-9a-f]{12}-[0-9]{4,}-[0-9]{2,}$"

#: A spreadsheet cell holds at most this many characters (Excel's limit).
CELL_CHARS = 32_767

#: Text a workbook can hold: no control characters other than tab, line feed and carriage return
#: (XML 1.0 cannot carry them, so openpyxl refuses them).
_WORKBOOK_TEXT = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f]*$"


class Segments(pa.DataFrameModel):
    """The rows both reviewers code: one unit of text (utterance, sentence or paragraph) each."""

    segment_id: Series[str] = pa.Field(str_matches=SEGMENT_PATTERN, unique=True)
    source_id: Series[str] = pa.Field(str_matches=SOURCE_PATTERN)
    instrument_id: Series[str] = pa.Field(str_matches=ID_PATTERN)
    cycle_id: Series[str] = pa.Field(str_matches=ID_PATTERN)
    source_kind: Series[str] = pa.Field(isin=["interview", "consensus"])
    turn: Series[int] = pa.Field(ge=1)
    position: Series[int] = pa.Field(ge=1)
    speaker_role: Series[str] = pa.Field(str_matches=ID_PATTERN)
    unit: Series[str] = pa.Field(isin=["utterance", "sentence", "paragraph"])
    text: Series[str] = pa.Field(str_length={"min_value": 1, "max_value": CELL_CHARS}, str_matches=_WORKBOOK_TEXT)
    context: Series[str] = pa.Field(str_length={"max_value": CELL_CHARS}, str_matches=_WORKBOOK_TEXT)

    class Config:
        strict = True
        ordered = True


class Codings(pa.DataFrameModel):
    """One reviewer's decision on one code for one segment: present (True), absent (False), or
    not yet coded (missing). Reconciled final codings use the reviewer id ``reconciled``."""

    segment_id: Series[str] = pa.Field(str_matches=SEGMENT_PATTERN)
    code_id: Series[str] = pa.Field(str_matches=ID_PATTERN)
    reviewer_id: Series[str] = pa.Field(str_matches=ID_PATTERN)
    value: Series[pd.BooleanDtype] = pa.Field(nullable=True)

    class Config:
        strict = True
        unique = ["segment_id", "code_id", "reviewer_id"]  # noqa: RUF012
