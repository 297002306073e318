"""Table contracts: what every validated table must look like, as pandera models.

Each model is validated with ``lazy=True`` so that one refusal lists *every* failing cell, and
pandera's failure table is turned into a :class:`~instruments.errors.ContractViolation` that
names rows and columns but never repeats the values themselves.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import pandera.pandas as pa
from pandera.config import get_config_context
from pandera.errors import SchemaErrors
from pandera.typing import Series

from instruments.errors import ContractViolation, Failure
from validation.conformance import passes

TOKEN_PATTERN = r"^r-[0-9a-f]{16}$"
SOURCE_PATTERN = r"^[0-9a-f]{12}$"
ID_PATTERN = r"^[a-z0-9][a-z0-9_-]*$"


class SurveyResponses(pa.DataFrameModel):
    """Rating answers, one row per respondent and item; ``value`` is the scale position (1 = lowest)."""

    respondent_token: Series[str] = pa.Field(str_matches=TOKEN_PATTERN)
    instrument_id: Series[str] = pa.Field(str_matches=ID_PATTERN)
    cycle_id: Series[str] = pa.Field(str_matches=ID_PATTERN)
    item_id: Series[str] = pa.Field(str_matches=ID_PATTERN)
    value: Series[int] = pa.Field(ge=1, le=11)

    class Config:
        strict = True
        unique = ["respondent_token", "instrument_id", "cycle_id", "item_id"]


class SurveyComments(pa.DataFrameModel):
    """Free-text answers, already redacted."""

    respondent_token: Series[str] = pa.Field(str_matches=TOKEN_PATTERN)
    instrument_id: Series[str] = pa.Field(str_matches=ID_PATTERN)
    cycle_id: Series[str] = pa.Field(str_matches=ID_PATTERN)
    item_id: Series[str] = pa.Field(str_matches=ID_PATTERN)
    text: Series[str] = pa.Field(str_length={"min_value": 1})

    class Config:
        strict = True
        unique = ["respondent_token", "instrument_id", "cycle_id", "item_id"]


class SurveyChoices(pa.DataFrameModel):
    """Choice answers in long form: one row per respondent, item and chosen option."""

    respondent_token: Series[str] = pa.Field(str_matches=TOKEN_PATTERN)
    instrument_id: Series[str] = pa.Field(str_matches=ID_PATTERN)
    cycle_id: Series[str] = pa.Field(str_matches=ID_PATTERN)
    item_id: Series[str] = pa.Field(str_matches=ID_PATTERN)
    choice: Series[str] = pa.Field(str_length={"min_value": 1})

    class Config:
        strict = True
        unique = ["respondent_token", "instrument_id", "cycle_id", "item_id", "choice"]


class Utterances(pa.DataFrameModel):
    """Speaker turns from interviews and consensus notes, already redacted and mapped to roles."""

    source_id: Series[str] = pa.Field(str_matches=SOURCE_PATTERN)
    instrument_id: Series[str] = pa.Field(str_matches=ID_PATTERN)
    cycle_id: Series[str] = pa.Field(str_matches=ID_PATTERN)
    source_kind: Series[str] = pa.Field(isin=["interview", "consensus"])
    turn: Series[int] = pa.Field(ge=1)
    speaker_role: Series[str] = pa.Field(str_matches=ID_PATTERN)
    start_s: Series[float] = pa.Field(ge=0, nullable=True)
    end_s: Series[float] = pa.Field(ge=0, nullable=True)
    text: Series[str] = pa.Field(str_length={"min_value": 1})

    class Config:
        strict = True
        unique = ["source_id", "turn"]


def validate_table(
    model: type[pa.DataFrameModel],
    frame: pd.DataFrame,
    file: str,
    rows: Sequence[int] | None = None,
) -> pd.DataFrame:
    """Validate ``frame`` against ``model``, collecting every failure into one refusal.

    ``rows`` maps each frame position to the row of the source file, for the report. A large
    table that certainly passes is told apart quickly (:mod:`validation.conformance`); any other
    is judged by pandera, which lists the failures.
    """
    schema = model.to_schema()
    if get_config_context().validation_enabled and passes(schema, frame):
        valid = frame.copy()  # what pandera returns for a valid table: a copy that knows its schema
        valid.pandera.add_schema(schema)
        return valid
    try:
        return model.validate(frame, lazy=True)
    except SchemaErrors as err:
        failures = []
        for case in err.failure_cases.itertuples(index=False):
            index = getattr(case, "index", None)
            row = None
            if index is not None and not pd.isna(index):
                position = int(index)
                row = rows[position] if rows is not None and position < len(rows) else position + 1
            column = None if pd.isna(case.column) else str(case.column)
            failures.append(
                Failure(
                    rule=f"contract.{model.__name__}.{case.check}",
                    problem=f"value breaks the rule {case.check}",
                    row=row,
                    column=column,
                )
            )
        columns = sorted({f.column for f in failures if f.column})
        raise ContractViolation(
            file,
            f"{len(failures)} value(s) break the rules of the {model.__name__} table"
            + (f" (columns {', '.join(repr(c) for c in columns)})." if columns else "."),
            "Open failures.csv beside this report: each line names the row, column and rule. "
            "Correct the export at the source and put it back in the inbox.",
            failures=tuple(failures),
        ) from None


def _set_up_pandera() -> None:
    """Validate an empty table of each kind, so pandera sets itself up now, not in the first intake.

    pandera registers its backends and checks and imports what they need (its hypothesis
    strategies among them: about a second) on the first validation in a process. Doing that
    when the contracts are imported keeps a one-off start-up cost out of the first file's time.
    """
    for model in (SurveyResponses, SurveyComments, SurveyChoices, Utterances):
        columns = model.to_schema().columns
        model.validate(pd.DataFrame({n: pd.Series(dtype=str(c.dtype)) for n, c in columns.items()}), lazy=True)


_set_up_pandera()
