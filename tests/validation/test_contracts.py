from __future__ import annotations

import pandas as pd
import pytest

from instruments.errors import ContractViolation
from validation.contracts import SurveyResponses, validate_table

GOOD = {
    "respondent_token": "r-0123456789abcdef",
    "instrument_id": "participant-feedback",
    "cycle_id": "cycle-1",
    "item_id": "pf_welcome",
    "value": 4,
}


def test_a_valid_table_passes_unchanged() -> None:
    frame = pd.DataFrame([GOOD])
    assert validate_table(SurveyResponses, frame, "pf.csv").equals(frame)


def test_every_failing_cell_is_listed_with_its_file_row_and_rule() -> None:
    frame = pd.DataFrame(
        [
            GOOD,
            {**GOOD, "item_id": "pf_understood", "value": 0},
            {**GOOD, "item_id": "pf_better", "respondent_token": "R_2YPOQ602ER1jkf1"},
        ]
    )
    with pytest.raises(ContractViolation) as caught:
        validate_table(SurveyResponses, frame, "pf.csv", rows=[4, 5, 6])
    places = sorted((f.row, f.column) for f in caught.value.failures)
    assert places == [(5, "value"), (6, "respondent_token")]
    assert str(caught.value) == (
        "pf.csv: 2 value(s) break the rules of the SurveyResponses table (columns 'respondent_token', 'value').\n"
        "What to do: Open failures.csv beside this report: each line names the row, column and rule. "
        "Correct the export at the source and put it back in the inbox."
    )
    assert "R_2YPOQ602ER1jkf1" not in str(caught.value)
    assert all("R_2YPOQ602ER1jkf1" not in f.problem for f in caught.value.failures)


def test_an_unexpected_column_breaks_the_contract() -> None:
    with pytest.raises(ContractViolation) as caught:
        validate_table(SurveyResponses, pd.DataFrame([{**GOOD, "email": "x"}]), "pf.csv")
    assert any(f.rule.startswith("contract.SurveyResponses") for f in caught.value.failures)


def test_duplicate_answers_to_one_item_break_the_contract() -> None:
    with pytest.raises(ContractViolation):
        validate_table(SurveyResponses, pd.DataFrame([GOOD, GOOD]), "pf.csv")
